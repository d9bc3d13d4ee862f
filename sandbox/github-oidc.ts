import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto'
import { type Fault, type Listening, listen, playFault, sendJson } from './server.js'
import { signJwt, type JwtClaims } from './jwt.js'

export interface GitHubOidc extends Listening {
  /** The issuer: tokens carry it as `iss`, and discovery lives under it. */
  issuer: string
  /** What the runner gives a job with `id-token: write`. */
  env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string }
  /** Every JWT handed out, so tests can prove none leaks. */
  issued: string[]
  /**
   * Claims merged into every token (e.g. another `repository`), a lifetime in seconds
   * (negative: expired), and the claim keys of a customised subject template, as set with
   * `PUT /orgs/{org}/actions/oidc/customization/sub` (then `sub` is built from the claims).
   */
  options: { claims: JwtClaims; lifetimeSeconds: number; subClaimKeys?: string[] }
  faults: Fault[]
  requests: number
}

export const DEFAULT_REPOSITORY = 'mondoo-sandbox/demo'

/**
 * The issuer's path on the loopback server. cnspec asks GitHub for its id-token only when
 * the issuer contains GitHub.com's issuer host (credential-mode wif), as the action checks;
 * the sandbox's issuer does, while discovery and JWKS stay on loopback.
 */
const ISSUER_PATH = '/token.actions.githubusercontent.com'

/** GitHub's claim set for a push to main in DEFAULT_REPOSITORY. */
export function githubClaims(issuer: string, audience: string, lifetimeSeconds: number): JwtClaims {
  const now = Math.floor(Date.now() / 1000)
  return {
    jti: randomUUID(),
    sub: `repo:${DEFAULT_REPOSITORY}:ref:refs/heads/main`,
    aud: audience,
    ref: 'refs/heads/main',
    sha: randomBytes(20).toString('hex'),
    repository: DEFAULT_REPOSITORY,
    repository_owner: 'mondoo-sandbox',
    repository_owner_id: '1000001',
    repository_id: '2000002',
    repository_visibility: 'private',
    run_id: '9000000001',
    run_number: '42',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '583231',
    workflow: 'Security scan',
    workflow_ref: `${DEFAULT_REPOSITORY}/.github/workflows/scan.yml@refs/heads/main`,
    workflow_sha: randomBytes(20).toString('hex'),
    job_workflow_ref: `${DEFAULT_REPOSITORY}/.github/workflows/scan.yml@refs/heads/main`,
    job_workflow_sha: randomBytes(20).toString('hex'),
    head_ref: '',
    base_ref: '',
    event_name: 'push',
    ref_type: 'branch',
    ref_protected: 'true',
    runner_environment: 'github-hosted',
    iss: issuer,
    nbf: now - 5,
    iat: now - 5,
    exp: now + lifetimeSeconds
  }
}

/**
 * The `sub` GitHub builds from a customised template: each key as `key:value`, joined by `:`,
 * with `:` inside a value written `%3A`; `repo` is the repository and `context` the default
 * subject's tail (`environment:<name>`, `pull_request` or `ref:<ref>`).
 */
export function customisedSubject(keys: string[], claims: JwtClaims): string {
  const context =
    typeof claims.environment === 'string' && claims.environment
      ? `environment:${claims.environment}`
      : claims.event_name === 'pull_request'
        ? 'pull_request'
        : `ref:${String(claims.ref)}`
  return keys
    .map(key => {
      if (key === 'context') return context
      const value = key === 'repo' ? claims.repository : claims[key]
      return `${key}:${String(value ?? '').replace(/:/g, '%3A')}`
    })
    .join(':')
}

/**
 * GitHub's OIDC issuer for Actions: the runner's token endpoint (bearer request token,
 * `&audience=`), OpenID discovery and a JWKS, signing RS256 with a key made at start.
 */
export async function startGitHubOidc(): Promise<GitHubOidc> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = randomBytes(16).toString('hex')
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }
  const requestToken = randomBytes(24).toString('base64url')
  const state = {
    issued: [] as string[],
    options: { claims: {} as JwtClaims, lifetimeSeconds: 300 } as GitHubOidc['options'],
    faults: [] as Fault[],
    requests: 0
  }
  let issuer = ''
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', issuer)
    if (url.pathname === `${ISSUER_PATH}/.well-known/openid-configuration`) {
      return sendJson(res, 200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        claims_supported: [
          'sub',
          'aud',
          'exp',
          'iat',
          'iss',
          'jti',
          'nbf',
          'ref',
          'repository',
          'job_workflow_ref'
        ],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid']
      })
    }
    if (url.pathname === `${ISSUER_PATH}/.well-known/jwks`)
      return sendJson(res, 200, { keys: [jwk] })
    if (url.pathname === '/_apis/idtoken') {
      state.requests++
      // The scheme is case-insensitive (RFC 9110): the toolkit sends "Bearer", cnspec "bearer".
      if (req.headers.authorization?.replace(/^bearer /i, 'Bearer ') !== `Bearer ${requestToken}`) {
        return sendJson(res, 401, { message: 'Bad credentials' })
      }
      const fault = state.faults.shift()
      if (fault) return playFault(res, fault)
      const audience = url.searchParams.get('audience') ?? 'https://github.com/mondoo-sandbox'
      const claims = {
        ...githubClaims(issuer, audience, state.options.lifetimeSeconds),
        ...state.options.claims
      }
      if (state.options.subClaimKeys)
        claims.sub = customisedSubject(state.options.subClaimKeys, claims)
      const jwt = signJwt(claims, privateKey, kid)
      state.issued.push(jwt)
      return sendJson(res, 200, { count: 1, value: jwt })
    }
    sendJson(res, 404, { message: 'Not Found' })
  })
  issuer = `${server.url}${ISSUER_PATH}`
  return Object.assign(state, {
    ...server,
    issuer,
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/_apis/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    }
  })
}
