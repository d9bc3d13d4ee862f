// The argument array of `cnspec scan`, and what the action learns from the user's own
// arguments: whether they take the report themselves, and which risk threshold cnspec uses.
import type { Config } from '../inputs.js'
import type { EnvThresholds } from './mondoo-env.js'

/** The first cnspec that writes SARIF (shared facts, "SARIF from cnspec scan, by version"). */
export const SARIF_SINCE = '13.3.2'
/** The first cnspec whose SARIF has scores, grades and counts. */
export const RICH_SARIF_SINCE = '13.33.0'

/** The human views the action renders itself from the SARIF report. */
const VIEWS = ['compact', 'full', 'summary']

/** cnspec flags that choose the report's format or destination. */
const REPORT_FLAGS = ['-o', '--output', '--output-target', '--json']

export type ScanMode =
  { kind: 'sarif'; view: 'compact' | 'full' | 'summary' } | { kind: 'pass-through'; reason: string }

/** Compares dotted versions numerically; a "v" prefix and a pre-release suffix are ignored. */
export function versionAtLeast(version: string, floor: string): boolean {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map(n => Number(n) || 0)
  const a = parts(version)
  const b = parts(floor)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d) return d > 0
  }
  return true
}

function flagName(word: string): string | undefined {
  if (/^-o./.test(word) && !word.startsWith('--')) return '-o'
  const name = word.split('=')[0] as string
  return REPORT_FLAGS.includes(name) ? name : undefined
}

/** Decides whether the action reads cnspec's SARIF report or the user takes the report. */
export function scanMode(config: Config, cnspecVersion: string): ScanMode {
  const format = config.output.split(',')[0] as string
  if (!VIEWS.includes(format))
    return { kind: 'pass-through', reason: `"output" is ${JSON.stringify(config.output)}` }
  const own = config.args.map(flagName).find(Boolean)
  if (own) return { kind: 'pass-through', reason: `"args" sets ${own}` }
  if (!versionAtLeast(cnspecVersion, SARIF_SINCE))
    return {
      kind: 'pass-through',
      reason: `cnspec ${cnspecVersion} cannot write SARIF (${SARIF_SINCE} adds it)`
    }
  return { kind: 'sarif', view: format as 'compact' | 'full' | 'summary' }
}

/** The risk threshold cnspec will use, and where it came from when the inputs did not set it. */
export interface Threshold {
  value: number
  /** Set when the job's environment chose it: the verdict names the variable. */
  from?: string
}

const FROM_ENV = "in the job's environment"

/**
 * The risk threshold cnspec will use, with cnspec's precedence (apps/cnspec/cmd/scan.go):
 * a flag wins over its variable. The risk threshold is the last --risk-threshold in "args"
 * (cnspec takes the last), else "risk-threshold", else MONDOO_RISK_THRESHOLD; the deprecated
 * --score-threshold S (else MONDOO_SCORE_THRESHOLD) lowers it to 101 − S, as cnspec does.
 * Undefined means cnspec's default (101: never fails).
 */
export function effectiveThreshold(
  config: Pick<Config, 'riskThreshold' | 'args'> & { envThresholds?: EnvThresholds }
): Threshold | undefined {
  let risk: Threshold | undefined =
    config.riskThreshold === undefined ? undefined : { value: config.riskThreshold }
  let score: Threshold | undefined
  const args = config.args
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as string
    const match = /^--(risk|score)-threshold(?:=(.*))?$/.exec(word)
    if (!match) continue
    const raw = match[2] ?? args[++i]
    const value = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined
    if (value === undefined) continue
    if (match[1] === 'risk') risk = { value }
    else score = { value }
  }
  const env = config.envThresholds ?? {}
  if (!risk && env.risk !== undefined)
    risk = { value: env.risk, from: `set by MONDOO_RISK_THRESHOLD ${FROM_ENV}` }
  if (!score && env.score !== undefined)
    score = {
      value: env.score,
      from: `set by MONDOO_SCORE_THRESHOLD=${env.score} ${FROM_ENV}, deprecated: cnspec fails from a risk of 101 − ${env.score}`
    }
  if (score) {
    const fromScore = { value: 100 - score.value + 1, from: score.from }
    if (risk === undefined || fromScore.value < risk.value) risk = fromScore
  }
  return risk !== undefined && risk.value > 100 ? undefined : risk
}

/** The targets' scanned path (`./infra` in `terraform ./infra`), for making paths repository-relative. */
export function scannedPath(target: string[]): string | undefined {
  const [kind, ...rest] = target
  if (!kind || !['fs', 'terraform', 'k8s', 'filesystem', 'docker'].includes(kind)) return undefined
  const words = rest.filter(w => !w.startsWith('-'))
  if (kind === 'docker' && words[0] !== 'file') return undefined
  const path = words[words.length - 1]
  return path && !['plan', 'state', 'hcl', 'file'].includes(path) ? path : undefined
}

/** The argument array of `cnspec scan`; no shell ever sees it. */
export function scanArgs(config: Config, incognito: boolean, report?: { file: string }): string[] {
  const output = report ? ['-o', 'sarif', '--output-target', report.file] : ['-o', config.output]
  const args = ['scan', ...config.target, ...output, '--log-level', config.logLevel]
  if (config.riskThreshold !== undefined)
    args.push('--risk-threshold', String(config.riskThreshold))
  if (incognito) args.push('--incognito')
  return [...args, ...config.args]
}
