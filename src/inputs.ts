import { ActionError, InputError } from './errors.js'
import { splitShellWords } from './shell-words.js'
import { baseUrl, urlProblem, withoutUserinfo } from './net/urls.js'
import { AUDIENCE, parseWifConfig, wifIssuerProblem, type WifConfig } from './sign-in/wif-config.js'
import { envThresholds, type EnvThresholds } from './scan/mondoo-env.js'

export type OnMissingIdToken = 'fail' | 'incognito'
export type CredentialMode = 'key' | 'wif'

/** Everything the action does, decided from its inputs before any request is made. */
export interface Config {
  audience: string
  idTokenAudience: string
  apiEndpoint: string
  issuer: string | undefined
  exportCredentials: boolean
  onMissingIdToken: OnMissingIdToken
  cnspecVersion: string
  releasesUrl: string
  status: boolean
  scan: boolean
  target: string[]
  args: string[]
  output: string
  riskThreshold: number | undefined
  /** MONDOO_RISK_THRESHOLD and MONDOO_SCORE_THRESHOLD from the job's environment: cnspec reads them. */
  envThresholds: EnvThresholds
  logLevel: string
  /** key: the action exchanges and exports a credential; wif: cnspec exchanges on its own. */
  credentialMode: CredentialMode
  /** The `wif-config` input, checked; audience, apiEndpoint and issuer are taken from it. */
  wifConfig: WifConfig | undefined
}

export const API_ENDPOINTS: Record<string, string> = {
  us: 'https://us.api.mondoo.com',
  eu: 'https://eu.api.mondoo.com'
}

export const OUTPUT_FORMATS = [
  'compact',
  'summary',
  'full',
  'report',
  'yaml',
  'yml',
  'yaml-v1',
  'yaml-v2',
  'json',
  'json-v1',
  'json-v2',
  'junit',
  'sarif'
] as const
const OUTPUT_MODIFIERS = ['nodata', 'nocolor', 'detailed', 'summary', 'compact', 'full', 'all']
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const

const MRN_HOST = 'captain.api.mondoo.app'
const SPACE_ID = /^[a-z0-9][a-z0-9-]{0,127}$/
const VERSION = /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})$/
// Long enough for any real value; short enough that a pasted file or a runaway template is
// caught here rather than in a URL or a command line.
const MAX_LENGTH = 2048
const MAX_WORDS_LENGTH = 16384

type Getter = (name: string) => string

/** "us" and "eu" stand for Mondoo's regional endpoints; anything else is taken as a URL. */
function shorthand(value: string): string {
  const key = value.toLowerCase()
  return Object.hasOwn(API_ENDPOINTS, key) ? (API_ENDPOINTS[key] as string) : value
}

/** Control characters; a multi-line input may hold tabs and line breaks. */
function hasControl(raw: string, multiline: boolean): boolean {
  for (const ch of raw) {
    const code = ch.charCodeAt(0)
    if (multiline && (code === 9 || code === 10 || code === 13)) continue
    // C0, DEL and C1 (U+0085 is a line break to some readers).
    if (code < 32 || (code >= 127 && code <= 159)) return true
  }
  return false
}

export function check(name: string, raw: string, multiline = false): string {
  const max = multiline ? MAX_WORDS_LENGTH : MAX_LENGTH
  if (raw.length > max) {
    throw new InputError(name, `is ${raw.length} characters long; the limit is ${max}.`)
  }
  if (hasControl(raw, multiline)) {
    throw new InputError(
      name,
      multiline
        ? 'contains a control character (such as a NUL byte); remove it.'
        : 'contains a control character (a line break, tab or NUL byte); it must be a single line.'
    )
  }
  return raw.trim()
}

export function parseBoolean(name: string, raw: string, fallback: boolean): boolean {
  const value = check(name, raw)
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(name, `must be true or false, not "${preview(value)}".`)
}

export function parseUrl(name: string, raw: string, fallback: string): string {
  const value = check(name, raw) || fallback
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError(
      name,
      `is not a URL: "${preview(withoutUserinfo(value))}". Use a full https:// URL.`
    )
  }
  const problem = urlProblem(url)
  if (problem) throw new InputError(name, `${problem} (got "${preview(withoutUserinfo(value))}").`)
  return baseUrl(url)
}

/** Shows a user's value in an error without flooding the log. Inputs are never secret. */
export function preview(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value
}

function parseAudience(get: Getter): string {
  const audience = check('audience', get('audience'))
  const spaceInput = check('space-id', get('space-id'))
  let fromSpace: string | undefined
  if (spaceInput) {
    const mrn = AUDIENCE.exec(spaceInput)
    if (mrn) fromSpace = spaceInput
    else if (SPACE_ID.test(spaceInput)) fromSpace = `//${MRN_HOST}/spaces/${spaceInput}`
    else {
      throw new InputError(
        'space-id',
        `must be a space ID such as "my-space-123" or a space MRN such as ` +
          `"//${MRN_HOST}/spaces/my-space-123", not "${preview(spaceInput)}".`
      )
    }
  }
  if (audience) {
    if (!AUDIENCE.test(audience)) {
      throw new InputError(
        'audience',
        `must look like "//${MRN_HOST}/spaces/<space-id>" (copy it from the workload identity ` +
          `provider in the Mondoo console), not "${preview(audience)}".`
      )
    }
    if (fromSpace && fromSpace !== audience) {
      throw new InputError(
        'audience',
        `("${audience}") and input "space-id" ("${spaceInput}") name different audiences; set only one.`
      )
    }
    return audience
  }
  if (fromSpace) return fromSpace
  throw new InputError(
    'audience',
    `is required (or set "space-id"): copy the audience of your workload identity provider from ` +
      `the Mondoo console, e.g. "//${MRN_HOST}/spaces/<space-id>".`
  )
}

function parseWords(name: string, raw: string, fallback: string[]): string[] {
  const value = check(name, raw, true)
  if (value === '') return fallback
  const split = splitShellWords(value)
  if ('error' in split) {
    const quoting = /unclosed|lone backslash/.test(split.error)
    throw new InputError(
      name,
      quoting
        ? `${split.error}; quote words as in a shell, e.g. "a b" or 'a b'.`
        : `${split.error}.`
    )
  }
  // Only comments or line continuations: as if the input were empty.
  return split.words.length ? split.words : fallback
}

function parseOutput(raw: string): string {
  const value = check('output', raw) || 'compact'
  const [format, ...modifiers] = value.toLowerCase().split(',')
  const known = (OUTPUT_FORMATS as readonly string[]).includes(format ?? '')
  if (!known || modifiers.some(m => !OUTPUT_MODIFIERS.includes(m))) {
    throw new InputError(
      'output',
      `must be one of ${OUTPUT_FORMATS.join(', ')} (optionally with modifiers such as ` +
        `"compact,nodata"), not "${preview(value)}".`
    )
  }
  return value.toLowerCase()
}

export function parseRiskThreshold(raw: string): number | undefined {
  const value = check('risk-threshold', raw)
  if (value === '') return undefined
  if (!/^\d{1,3}$/.test(value) || Number(value) > 100) {
    throw new InputError(
      'risk-threshold',
      `must be a whole number from 0 to 100 (leave it empty to never fail on risk), not "${preview(value)}".`
    )
  }
  return Number(value)
}

export function parseChoice<T extends string>(
  name: string,
  raw: string,
  choices: readonly T[],
  fallback: T
): T {
  const value = (check(name, raw) || fallback).toLowerCase()
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(name, `must be one of ${choices.join(', ')}, not "${preview(value)}".`)
  }
  return value as T
}

export function parseVersion(raw: string): string {
  const value = check('cnspec-version', raw) || 'latest'
  if (value.toLowerCase() === 'latest') return 'latest'
  const match = VERSION.exec(value)
  if (!match) {
    throw new InputError(
      'cnspec-version',
      `must be "latest" or an exact version such as "13.35.2", not "${preview(value)}".`
    )
  }
  return `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}`
}

/** `wif-config` may span lines, as Mondoo's console shows it. */
function parseWifConfigInput(raw: string): WifConfig | undefined {
  const value = check('wif-config', raw, true)
  return value === '' ? undefined : parseWifConfig(value)
}

/** `wif-config` implies wif; action.yml gives `credential-mode` no default so that a clash shows. */
function parseCredentialMode(raw: string, hasWifConfig: boolean): CredentialMode {
  const mode = parseChoice(
    'credential-mode',
    raw,
    ['key', 'wif'] as const,
    hasWifConfig ? 'wif' : 'key'
  )
  if (hasWifConfig && mode === 'key')
    throw new InputError(
      'credential-mode',
      'is "key", but "wif-config" is set, which means wif; remove one of them.'
    )
  return mode
}

/**
 * `wif-config` already names the binding; the inputs that would name it a second time are
 * refused rather than silently ignored. The api-endpoint default is not a choice, so only
 * an endpoint the user set that differs from the configuration's universeDomain is refused.
 */
function wifConfigConflicts(get: Getter, endpoint: string, wif: WifConfig): string[] {
  const problems: string[] = []
  for (const name of ['audience', 'space-id', 'issuer']) {
    if (get(name).trim())
      problems.push(
        `Input "${name}" cannot be used with "wif-config", which already holds it; remove "${name}".`
      )
  }
  if (endpoint) {
    try {
      const url = parseUrl('api-endpoint', shorthand(endpoint), '')
      if (url !== API_ENDPOINTS.us && url !== wif.universeDomain)
        problems.push(
          `Input "api-endpoint" ("${preview(url)}") differs from the universeDomain of "wif-config" ` +
            `("${wif.universeDomain}"); remove "api-endpoint".`
        )
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  return problems
}

/** In wif mode cnspec asks GitHub for a token whose aud is the Mondoo audience; nothing else works. */
function idTokenAudienceProblem(value: string, audience: string): string | undefined {
  if (!value || value === audience) return undefined
  return (
    `Input "id-token-audience" cannot be used with credential-mode wif: cnspec asks GitHub for an ` +
    `id-token whose audience is the Mondoo audience ("${audience}"); remove "id-token-audience".`
  )
}

/**
 * Reads and checks every input, and the job's MONDOO_* thresholds. Throws an ActionError
 * naming each bad input; until it returns, the action has made no request and changed nothing.
 */
export function parseInputs(get: Getter, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = []
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn()
    } catch (error) {
      if (error instanceof ActionError) problems.push(error.message)
      else throw error
      return undefined
    }
  }
  // credential-mode: wif and wif-config (the binding as Mondoo hands it out). A wif-config,
  // even a bad one, stands in for audience, api-endpoint and issuer.
  const hasWifConfig = get('wif-config').trim() !== ''
  const wifConfig = attempt(() => parseWifConfigInput(get('wif-config')))
  const credentialMode = attempt(() => parseCredentialMode(get('credential-mode'), hasWifConfig))
  const endpointRaw = attempt(() => check('api-endpoint', get('api-endpoint')))
  if (wifConfig) problems.push(...wifConfigConflicts(get, endpointRaw ?? '', wifConfig))

  const audience = hasWifConfig ? wifConfig?.audience : attempt(() => parseAudience(get))
  const idTokenAudience = attempt(() => check('id-token-audience', get('id-token-audience')))
  if (credentialMode === 'wif' && audience) {
    const problem = idTokenAudienceProblem(idTokenAudience ?? '', audience)
    if (problem) problems.push(problem)
  }
  const apiEndpoint = hasWifConfig
    ? wifConfig?.universeDomain
    : attempt(() =>
        parseUrl('api-endpoint', shorthand(endpointRaw ?? ''), API_ENDPOINTS.us as string)
      )
  const issuerRaw = attempt(() => check('issuer', get('issuer')))
  const issuer = hasWifConfig
    ? wifConfig?.issuerUri
    : issuerRaw
      ? attempt(() => parseUrl('issuer', issuerRaw, ''))
      : undefined
  if (credentialMode === 'wif' && issuer) {
    const problem = wifIssuerProblem(issuer)
    if (problem) problems.push(problem)
  }
  const fromEnv = envThresholds(env)
  problems.push(...fromEnv.problems)
  const config = {
    audience,
    idTokenAudience: idTokenAudience || audience,
    apiEndpoint,
    issuer,
    exportCredentials: attempt(() =>
      parseBoolean('export-credentials', get('export-credentials'), true)
    ),
    onMissingIdToken: attempt(() =>
      parseChoice(
        'on-missing-id-token',
        get('on-missing-id-token'),
        ['fail', 'incognito'] as const,
        'fail'
      )
    ),
    cnspecVersion: attempt(() => parseVersion(get('cnspec-version'))),
    releasesUrl: attempt(() =>
      parseUrl('releases-url', get('releases-url'), 'https://releases.mondoo.com')
    ),
    status: attempt(() => parseBoolean('status', get('status'), true)),
    scan: attempt(() => parseBoolean('scan', get('scan'), true)),
    target: attempt(() => parseWords('target', get('target'), ['local'])),
    args: attempt(() => parseWords('args', get('args'), [])),
    output: attempt(() => parseOutput(get('output'))),
    riskThreshold: attempt(() => parseRiskThreshold(get('risk-threshold'))),
    envThresholds: fromEnv.thresholds,
    logLevel: attempt(() => parseChoice('log-level', get('log-level'), LOG_LEVELS, 'info')),
    credentialMode,
    wifConfig
  }
  if (problems.length === 1) throw new ActionError(problems[0] as string)
  if (problems.length > 1) {
    throw new ActionError(`${problems.length} inputs need fixing:\n- ${problems.join('\n- ')}`)
  }
  return config as Config
}
