import { ActionError } from '../errors.js'
import { isTransientStatus, request, transientFromStatus, type HttpAnswer } from '../net/http.js'
import { withRetry, type RetryOptions, requestTimeoutMs } from '../net/retry.js'

export interface ExchangeRequest {
  apiEndpoint: string
  audience: string
  issuer: string
  jwt: string
}

/** The STS refused the token: the caller explains which Mondoo setting to fix. */
export class ExchangeRejected extends ActionError {
  constructor(
    readonly status: number,
    readonly mondooMessage: string
  ) {
    super(
      `Mondoo's Secure Token Service refused the id-token (HTTP ${status}${mondooMessage ? `: ${mondooMessage}` : ''}).`
    )
    this.name = 'ExchangeRejected'
  }
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g

/**
 * Mondoo's error text, made safe to print: some servers echo the request back, so anything
 * that looks like a JWT, or the token itself, is cut out; HTML pages are not quoted at all.
 */
export function mondooMessage(answer: HttpAnswer, jwt: string): string {
  let message = ''
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown }
    if (typeof parsed?.message === 'string') message = parsed.message
  } catch {
    const type = String(answer.headers['content-type'] ?? '')
    message =
      answer.body.trim() === ''
        ? 'empty body'
        : type.includes('html') || /^\s*</.test(answer.body)
          ? "an HTML page, not Mondoo's JSON: a proxy or load balancer answered"
          : 'a body that is not JSON'
  }
  message = message
    .split(jwt)
    .join('[id-token]')
    .replace(JWT_LIKE, '[id-token]')
    .replace(/\s+/g, ' ')
    .trim()
  return message.length > 300 ? `${message.slice(0, 297)}...` : message
}

/**
 * Exchanges the id-token for a Mondoo credential. Returns the raw `base64_credential` value,
 * unchecked: the caller masks and validates it at once.
 */
export async function exchangeToken(
  req: ExchangeRequest,
  retry: RetryOptions = {}
): Promise<unknown> {
  const url = `${req.apiEndpoint}/SecureTokenService/ExchangeExternalToken`
  const body = JSON.stringify({
    audience: req.audience,
    issuer_uri: req.issuer,
    jwt_token: req.jwt
  })
  const answer = await withRetry(
    'Mondoo token exchange',
    async () => {
      const answer = await request(url, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        timeoutMs: requestTimeoutMs()
      })
      if (isTransientStatus(answer.status)) throw transientFromStatus(answer, "Mondoo's STS")
      return answer
    },
    retry
  ).catch(error => {
    if (error instanceof ActionError) throw error
    throw new ActionError(
      `Could not reach Mondoo's Secure Token Service at ${req.apiEndpoint}: ${(error as Error).message}. ` +
        `Check "api-endpoint" (us, eu or your Mondoo URL) and, on self-hosted runners, the proxy settings (https_proxy, no_proxy).`
    )
  })
  if (answer.status >= 300 && answer.status < 400) {
    throw new ActionError(
      `Mondoo's STS at ${req.apiEndpoint} answered with a redirect (HTTP ${answer.status}); the id-token is never sent on ` +
        `to another address. Set "api-endpoint" to the final URL${redirectTarget(answer, url)}.`
    )
  }
  if (answer.status !== 200)
    throw new ExchangeRejected(answer.status, mondooMessage(answer, req.jwt))
  try {
    return (JSON.parse(answer.body) as { base64_credential?: unknown })?.base64_credential
  } catch {
    throw new ActionError(
      `Mondoo's STS answered HTTP 200 with ${mondooMessage(answer, req.jwt)}. Check "api-endpoint".`
    )
  }
}

function redirectTarget(answer: HttpAnswer, url: string): string {
  try {
    return answer.headers.location
      ? ` (it pointed to ${new URL(String(answer.headers.location), url).origin})`
      : ''
  } catch {
    return ''
  }
}
