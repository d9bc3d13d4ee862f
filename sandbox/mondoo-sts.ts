import { X509Certificate, randomBytes } from 'node:crypto'
import { selfSigned } from './certificate.js'
import { JwtError, verifyJwt, type JwtClaims } from './jwt.js'
import { type Fault, type Listening, listen, playFault, sendJson } from './server.js'

/** A workload identity provider as configured in a Mondoo space. */
export interface Provider {
  spaceId: string
  issuer: string
  /** The `sub` the binding accepts; a trailing "*" matches any suffix. */
  subject: string
  expirationSeconds?: number
}

export interface IssuedCredential {
  base64: string
  json: string
  privateKey?: string
  token?: string
  mrn: string
}

export interface MondooSts extends Listening {
  providers: Provider[]
  faults: Fault[]
  /** Every credential handed out, so tests can prove none leaks. */
  issued: IssuedCredential[]
  /** Rewrites the base64 credential before it is sent (malformed-credential tests). */
  tamper: ((credential: IssuedCredential) => string) | undefined
  /** Service accounts whose later `cnspec status` must fail as unregistered. */
  revoked: Set<string>
  /** Every service account fails `cnspec status` as unregistered. */
  revokeAll: boolean
  /** Answers 429 to all but `perSecond` exchanges in each second. */
  rateLimit: { perSecond: number; retryAfterSeconds: number } | undefined
  /**
   * Holds the first `jobs` exchanges until all of them have arrived (or `maxWaitMs` passed),
   * then answers them at once: jobs that start together, however long this machine takes to
   * start their processes.
   */
  startTogether: { jobs: number; maxWaitMs: number } | undefined
  exchanges: number
  /**
   * Exchanges after the first N (since reset) are refused with 403, as when a binding
   * expires mid-job: e.g. 1 lets cnspec status sign in and refuses the scan's own exchange.
   */
  rejectAfter: number | undefined
  /** Milliseconds each exchange takes before it answers (for the benchmark). */
  delayMs: number
  /** Exchange requests as received (body parsed), for assertions on what the action sent. */
  received: Array<{ audience?: string; issuer_uri?: string; headers: Record<string, unknown> }>
}

export const mrnOfSpace = (spaceId: string): string => `//captain.api.mondoo.app/spaces/${spaceId}`

// ranger-rpc's error bodies: {"code": <grpc code>, "message": "..."}
const rpcError = (code: number, message: string) => ({ code, message })

function subjectMatches(pattern: string, sub: unknown): boolean {
  if (typeof sub !== 'string') return false
  return pattern.endsWith('*') ? sub.startsWith(pattern.slice(0, -1)) : pattern === sub
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) })
  if (!res.ok) throw new JwtError(`${url} answered ${res.status}`)
  return res.json()
}

/** Verifies the token as a relying party must: discovery and JWKS fetched from the issuer itself. */
async function verifyWithIssuer(jwt: string, issuer: string): Promise<JwtClaims> {
  const discovery = (await fetchJson(`${issuer}/.well-known/openid-configuration`)) as {
    issuer?: string
    jwks_uri?: string
  }
  if (discovery.issuer !== issuer || !discovery.jwks_uri)
    throw new JwtError('issuer discovery document does not match')
  const jwks = (await fetchJson(discovery.jwks_uri)) as { keys: [] }
  return verifyJwt(jwt, jwks)
}

/** A credential as Mondoo's STS hands it out: a fresh key pair and certificate, or a token. */
export async function issue(
  spaceId: string,
  endpoint: string,
  expirationSeconds: number,
  tokenMode: boolean
): Promise<IssuedCredential> {
  const id = randomBytes(12).toString('hex')
  const mrn = `//agents.api.mondoo.app/spaces/${spaceId}/serviceaccounts/${id}`
  const base = { mrn, space_mrn: mrnOfSpace(spaceId), api_endpoint: endpoint }
  let content: Record<string, string>
  let privateKey: string | undefined
  let token: string | undefined
  if (tokenMode) {
    token = randomBytes(48).toString('base64url')
    content = { ...base, token }
  } else {
    const made = await selfSigned(mrn, Math.max(1, Math.ceil(expirationSeconds / 86400)))
    privateKey = made.privateKey
    content = { ...base, private_key: privateKey, certificate: made.certificate }
  }
  const json = JSON.stringify(content)
  return { base64: Buffer.from(json).toString('base64'), json, privateKey, token, mrn }
}

/**
 * Mondoo's Secure Token Service, played from the documented protocol: it verifies the
 * GitHub JWT for real (discovery, JWKS, signature, expiry, issuer, audience, subject) and
 * answers with a freshly made key and certificate. It also answers the ping that the
 * cnspec stand-in's `status` makes, so a revoked service account fails there.
 */
export async function startMondooSts(providers: Provider[] = []): Promise<MondooSts> {
  const state = {
    providers,
    faults: [] as Fault[],
    issued: [] as IssuedCredential[],
    tamper: undefined as MondooSts['tamper'],
    revoked: new Set<string>(),
    revokeAll: false,
    rateLimit: undefined as MondooSts['rateLimit'],
    startTogether: undefined as MondooSts['startTogether'],
    exchanges: 0,
    rejectAfter: undefined as number | undefined,
    delayMs: 0,
    received: [] as MondooSts['received']
  }
  const window = { second: 0, count: 0 }
  const gate = {
    for: undefined as object | undefined,
    held: 0,
    open: () => {},
    opened: Promise.resolve()
  }
  let endpoint = ''
  const server = await listen(async (req, res, body) => {
    const path = new URL(req.url ?? '/', endpoint).pathname
    if (req.method === 'POST' && path === '/SecureTokenService/ExchangeExternalToken') {
      state.exchanges++
      const together = state.startTogether
      if (together && gate.for !== together) Object.assign(gate, { for: together, held: 0 })
      if (together && gate.held < together.jobs) {
        if (gate.held++ === 0) {
          gate.opened = new Promise(resolve => (gate.open = resolve))
          setTimeout(gate.open, together.maxWaitMs).unref()
        }
        if (gate.held === together.jobs) gate.open()
        await gate.opened
      }
      if (state.delayMs) await new Promise(resolve => setTimeout(resolve, state.delayMs))
      if (state.rateLimit) {
        const second = Math.floor(Date.now() / 1000)
        if (second !== window.second) Object.assign(window, { second, count: 0 })
        if (++window.count > state.rateLimit.perSecond) {
          return sendJson(res, 429, rpcError(8, 'rate limit exceeded'), {
            'Retry-After': String(state.rateLimit.retryAfterSeconds)
          })
        }
      }
      const fault = state.faults.shift()
      if (fault) return playFault(res, fault, undefined, body)
      let request: { audience?: unknown; issuer_uri?: unknown; jwt_token?: unknown }
      try {
        request = JSON.parse(body)
      } catch {
        return sendJson(res, 400, rpcError(3, 'invalid request body'))
      }
      state.received.push({
        audience: String(request.audience),
        issuer_uri: String(request.issuer_uri),
        headers: { ...req.headers }
      })
      if (
        typeof request.audience !== 'string' ||
        typeof request.issuer_uri !== 'string' ||
        typeof request.jwt_token !== 'string'
      ) {
        return sendJson(res, 400, rpcError(3, 'audience, issuer_uri and jwt_token are required'))
      }
      if (state.rejectAfter !== undefined && state.received.length > state.rejectAfter)
        return sendJson(
          res,
          403,
          rpcError(7, 'permission denied: the workload identity binding has expired')
        )
      const candidates = state.providers.filter(p => mrnOfSpace(p.spaceId) === request.audience)
      if (!candidates.length)
        return sendJson(
          res,
          404,
          rpcError(5, `no workload identity provider for audience ${request.audience}`)
        )
      const provider = candidates.find(p => p.issuer === request.issuer_uri)
      if (!provider)
        return sendJson(
          res,
          401,
          rpcError(16, `issuer ${request.issuer_uri} is not trusted for this audience`)
        )
      let claims: JwtClaims
      try {
        claims = await verifyWithIssuer(request.jwt_token, provider.issuer)
      } catch (error) {
        const reason = error instanceof JwtError ? error.message : 'could not verify token'
        return sendJson(res, 401, rpcError(16, `invalid token: ${reason}`))
      }
      if (claims.iss !== request.issuer_uri)
        return sendJson(res, 401, rpcError(16, 'invalid token: issuer does not match issuer_uri'))
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
      if (!aud.includes(request.audience))
        return sendJson(res, 401, rpcError(16, 'invalid token: audience does not match'))
      const binding = candidates.find(
        p => p.issuer === claims.iss && subjectMatches(p.subject, claims.sub)
      )
      if (!binding)
        return sendJson(
          res,
          403,
          rpcError(7, 'permission denied: subject is not allowed by any workload identity provider')
        )
      const tokenMode = (request as { response_type?: unknown }).response_type === 'TOKEN'
      const credential = await issue(
        binding.spaceId,
        endpoint,
        binding.expirationSeconds ?? 3600,
        tokenMode
      )
      state.issued.push(credential)
      return sendJson(res, 200, {
        base64_credential: state.tamper ? state.tamper(credential) : credential.base64
      })
    }
    if (req.method === 'POST' && path === '/AgentManager/PingPong') {
      // What cnspec status checks: the certificate is one we issued and not revoked.
      const { mrn, certificate } = JSON.parse(body || '{}') as {
        mrn?: string
        certificate?: string
      }
      const known = state.issued.find(c => c.mrn === mrn)
      let certOk = false
      try {
        certOk = Boolean(
          known && certificate && new X509Certificate(certificate).subject.includes(String(mrn))
        )
      } catch {
        certOk = false
      }
      if (!known || !certOk)
        return sendJson(res, 401, rpcError(16, 'unauthenticated: unknown service account'))
      if (state.revokeAll || state.revoked.has(String(mrn)))
        return sendJson(res, 403, rpcError(7, 'service account is not registered'))
      return sendJson(res, 200, { pong: true })
    }
    sendJson(res, 404, rpcError(5, 'not found'))
  })
  endpoint = server.url
  return Object.assign(state, server)
}
