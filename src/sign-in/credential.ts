import { ActionError } from '../errors.js'

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
