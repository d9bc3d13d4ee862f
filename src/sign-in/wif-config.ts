// The workload-identity configuration handed to cnspec in `credential-mode: wif`. cnspec reads
// it from MONDOO_CONFIG_BASE64 like a credential, but it holds no secret: cnspec itself asks
// GitHub for an id-token and exchanges it at Mondoo's STS, in every process, so nothing that
// could sign in as the Mondoo identity is ever written to the job's environment.
import { InputError } from '../errors.js'
import { baseUrl, urlProblem } from '../net/urls.js'
import { logSafe } from '../text.js'

/** The audience Mondoo shows for a workload identity provider: a space MRN. */
export const AUDIENCE = /^\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/spaces\/([a-z0-9][a-z0-9-]{0,127})$/

export const SUBJECT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
const AGENT_SCOPE = '//iam.api.mondoo.app/roles/agent'

/**
 * Newer cnspec picks the source of its own id-token from `issuerUri` (mql tokenauth.Resolve):
 * GitHub only for an issuer containing this host; any other issuer fails. The release that
 * made the change could not be pinned (the mql source at hand predates it), so every
 * version is held to it.
 */
const GITHUB_TOKEN_HOST = 'token.actions.githubusercontent.com'

/** Why credential-mode wif cannot work with `issuer`, or undefined when it can. */
export function wifIssuerProblem(issuer: string): string | undefined {
  if (issuer.includes(GITHUB_TOKEN_HOST)) return undefined
  return (
    `credential-mode wif cannot work with the issuer "${logSafe(issuer)}": cnspec requests the job's id-token ` +
    `itself, and newer releases do so only for GitHub.com's issuer (https://${GITHUB_TOKEN_HOST}); with any other ` +
    `issuer (GitHub Enterprise Server's is https://<host>/_services/token) cnspec fails ("issuer ... not supported ` +
    'yet") and scans in incognito mode, uploading nothing. Which cnspec release made that change is not known, so ' +
    'the action refuses it for every version. Use "credential-mode: key" on GitHub Enterprise Server: the action ' +
    'then exchanges the id-token itself.'
  )
}

/** cnspec reads the configuration since 11.51 and simplified its exchange in 11.62: the floor. */
export const WIF_MIN_CNSPEC = '11.62.0'

/** The shape Mondoo hands out for a workload identity binding (field names exactly). */
export interface WifConfig {
  type: 'external_account'
  audience: string
  issuerUri: string
  universeDomain: string
  subjectTokenType: string
  scopes: string[]
}

export function buildWifConfig(parts: {
  audience: string
  issuerUri: string
  universeDomain: string
}): WifConfig {
  return {
    type: 'external_account',
    audience: parts.audience,
    issuerUri: parts.issuerUri,
    universeDomain: parts.universeDomain,
    subjectTokenType: SUBJECT_TOKEN_TYPE,
    scopes: [AGENT_SCOPE]
  }
}

/** What cnspec reads from MONDOO_CONFIG_BASE64. Not secret: it is neither masked nor hidden. */
export function encodeWifConfig(config: WifConfig): string {
  return Buffer.from(JSON.stringify(config)).toString('base64')
}

/** The space MRN, for the `space-mrn` output: the audience is that MRN. */
export function spaceMrnOf(config: WifConfig): string {
  return config.audience
}

const INPUT = 'wif-config'

function bad(field: string, problem: string): InputError {
  return new InputError(INPUT, `field "${field}" ${problem}`)
}

/** A field's value in an error: the configuration is not secret, but it is the user's text. */
function show(value: unknown): string {
  const text = logSafe(typeof value === 'string' ? value : String(JSON.stringify(value)))
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function url(fields: Record<string, unknown>, field: string): string {
  const value = fields[field]
  if (typeof value !== 'string' || value.trim() === '')
    throw bad(field, 'is missing; copy the whole configuration Mondoo shows for the binding.')
  let parsed: URL
  try {
    parsed = new URL(value.trim())
  } catch {
    throw bad(field, `is not a URL: "${show(value)}".`)
  }
  const problem = urlProblem(parsed)
  if (problem) throw bad(field, `${problem} (got "${show(value)}").`)
  return baseUrl(parsed)
}

/**
 * Reads the JSON of the `wif-config` input: the configuration Mondoo shows for a workload
 * identity binding. Every field cnspec uses is checked and named when wrong; unknown fields
 * are dropped, so only what is checked reaches cnspec.
 */
export function parseWifConfig(raw: string): WifConfig {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (error) {
    // The input is not secret, and JSON.parse's message says where the syntax broke.
    const reason = logSafe((error as Error).message).slice(0, 160)
    throw new InputError(
      INPUT,
      `is not JSON (${reason}); paste the configuration Mondoo shows for the binding.`
    )
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InputError(INPUT, 'must be a JSON object such as {"type": "external_account", ...}.')
  const fields = value as Record<string, unknown>
  if (fields.type !== 'external_account')
    throw bad('type', `must be "external_account", not "${show(fields.type ?? '(missing)')}".`)
  // A token written into the workflow would be a secret in the repository, and expired by
  // the time anyone runs it; cnspec asks GitHub for a fresh one in every process instead.
  if (fields.jwtToken !== undefined)
    throw bad('jwtToken', 'must not be set: cnspec requests a fresh id-token from GitHub itself.')
  if (typeof fields.audience !== 'string' || !AUDIENCE.test(fields.audience.trim()))
    throw bad(
      'audience',
      `must look like "//captain.api.mondoo.app/spaces/<space-id>", not "${show(fields.audience ?? '(missing)')}".`
    )
  const issuerUri = url(fields, 'issuerUri')
  const universeDomain = url(fields, 'universeDomain')
  if (fields.subjectTokenType !== undefined && fields.subjectTokenType !== SUBJECT_TOKEN_TYPE)
    throw bad('subjectTokenType', `must be "${SUBJECT_TOKEN_TYPE}" (a GitHub id-token is a JWT).`)
  if (
    fields.scopes !== undefined &&
    (!Array.isArray(fields.scopes) || fields.scopes.some(s => typeof s !== 'string'))
  )
    throw bad('scopes', 'must be a list of strings.')
  return {
    ...buildWifConfig({ audience: fields.audience.trim(), issuerUri, universeDomain }),
    ...(fields.scopes ? { scopes: fields.scopes as string[] } : {})
  }
}

function versionParts(version: string): number[] {
  return version.split('.').map(part => Number.parseInt(part, 10) || 0)
}

/** Whether an installed cnspec can run with a workload-identity configuration. */
export function supportsWif(version: string): boolean {
  const have = versionParts(version)
  const need = versionParts(WIF_MIN_CNSPEC)
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0
    const b = need[i] ?? 0
    if (a !== b) return a > b
  }
  return true
}
