import { ActionError } from '../errors.js'
import { urlProblem, withoutUserinfo } from '../net/urls.js'
import { logSafe } from '../text.js'

/** The parts of a Mondoo service-account credential the action uses; secrets stay out of it. */
export interface Credential {
  /** The base64 value cnspec reads from MONDOO_CONFIG_BASE64. Secret. */
  base64: string
  mrn: string
  spaceMrn: string
  apiEndpoint: string
  kind: 'key' | 'token'
  /** Every string that must be masked before anything else can print it. */
  secrets: string[]
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

function invalid(reason: string): ActionError {
  return new ActionError(
    `Mondoo's Secure Token Service answered, but its credential is not usable: ${reason}. ` +
      `This is a problem on Mondoo's side or in a proxy between you and Mondoo; check "api-endpoint" and retry.`
  )
}

// Mondoo resource names: "//<service host>/<segment>/<segment>...", e.g.
// //agents.api.mondoo.app/spaces/<space>/serviceaccounts/<id>. Nothing else is printed,
// written to an output or put in the summary, so nothing else may come through.
const MRN = /^\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:\/[A-Za-z0-9._~-]+)+$/
const SPACE_MRN = /^\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+\/spaces\/[a-z0-9][a-z0-9-]{0,127}$/
// An API base URL: scheme, host, optional port and plain path segments, nothing else.
const BASE_URL =
  /^https?:\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:]+\])(?::\d{1,5})?(?:\/[A-Za-z0-9._~-]+)*\/?$/
const MAX_IDENTIFIER = 512

/** A value from the answer, shown inert and short inside an error. */
function quoted(value: string): string {
  const safe = logSafe(value)
  return JSON.stringify(safe.length > 100 ? `${safe.slice(0, 97)}...` : safe)
}

/** Checks the credential's identifiers against their documented formats; the problem, or null. */
export function identifierProblem(name: string, value: string): string | null {
  const shape =
    name === 'api_endpoint'
      ? 'an https:// URL'
      : name === 'space_mrn'
        ? 'a space MRN (//<host>/spaces/<space-id>)'
        : 'an MRN (//<host>/<path>)'
  const wrong = `"${name}" is not ${shape}: ${quoted(value)}`
  // eslint-disable-next-line no-control-regex
  if (value.length > MAX_IDENTIFIER || /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(value))
    return wrong
  if (name === 'mrn') return MRN.test(value) ? null : wrong
  if (name === 'space_mrn') return SPACE_MRN.test(value) ? null : wrong
  if (!BASE_URL.test(value)) return wrong
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return wrong
  }
  const problem = urlProblem(url)
  return problem ? `"api_endpoint" ${problem}: ${quoted(withoutUserinfo(value))}` : null
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

/** The strings to mask: the whole value and every line of the key or token. */
export function secretsOf(base64: string, decoded: Record<string, unknown>): string[] {
  const secrets = [base64]
  for (const field of ['private_key', 'token']) {
    const value = decoded[field]
    if (typeof value !== 'string') continue
    secrets.push(value)
    for (const line of value.split(/\r?\n/)) if (line.trim()) secrets.push(line.trim())
  }
  return secrets
}

/**
 * Checks a `base64_credential` without ever quoting it. `mask` is called with each secret
 * before this function returns or throws, so no later message can leak one.
 */
export function parseCredential(base64: unknown, mask: (secret: string) => void): Credential {
  if (!text(base64)) throw invalid('"base64_credential" is missing or empty')
  mask(base64)
  if (base64.length % 4 !== 0 || !BASE64.test(base64))
    throw invalid('"base64_credential" is not standard base64')
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'))
  } catch {
    throw invalid('"base64_credential" does not decode to JSON')
  }
  if (!decoded || typeof decoded !== 'object' || Array.isArray(decoded))
    throw invalid('the decoded credential is not a JSON object')
  const fields = decoded as Record<string, unknown>
  for (const secret of secretsOf(base64, fields)) mask(secret)
  const missing = ['mrn', 'space_mrn', 'api_endpoint'].filter(name => !text(fields[name]))
  if (missing.length) throw invalid(`the credential lacks ${missing.map(m => `"${m}"`).join(', ')}`)
  for (const name of ['mrn', 'space_mrn', 'api_endpoint']) {
    const problem = identifierProblem(name, String(fields[name]))
    if (problem) throw invalid(problem)
  }
  const hasKey = text(fields.private_key) && text(fields.certificate)
  const hasToken = text(fields.token)
  if (!hasKey && !hasToken)
    throw invalid('the credential has neither "private_key" with "certificate" nor "token"')
  if (hasKey && !String(fields.private_key).includes('PRIVATE KEY'))
    throw invalid('"private_key" is not a PEM private key')
  return {
    base64,
    mrn: String(fields.mrn),
    spaceMrn: String(fields.space_mrn),
    apiEndpoint: String(fields.api_endpoint),
    kind: hasKey ? 'key' : 'token',
    secrets: secretsOf(base64, fields)
  }
}
