// The verdict on a scan, from cnspec's report and exit code only (shared facts, "cnspec scan
// exit code, precisely"): the report is written first; then cnspec exits 1 for an asset
// error, else 1 when 100 − the worst asset score reaches --risk-threshold, else 0. Fatal
// errors exit 1 before any report is written. Log text never decides anything here; it is
// only quoted when no report exists to explain the failure.
import type { AssetResult, ScanReport, Verdict } from './report-types.js'
import { severityOfRisk, type ReportFile } from './read-report.js'
import type { Threshold } from './scan-args.js'
import {
  checkCounts,
  failingChecks,
  foundAnything,
  packageCount,
  worstSeverity
} from './findings.js'
import { clip, logSafe } from '../text.js'

const TOP_CHECKS = 3
const ERROR_LINES = 5
/** Characters of an asset name, a title or a cnspec line quoted in a verdict. */
const QUOTED = 200

export function riskLabel(risk: number): string {
  return `${risk} (${severityOfRisk(risk)})`
}

/** "65 (MEDIUM)" for an asset with a score, undefined without one. */
export function assetRisk(asset: AssetResult): number | undefined {
  return asset.score === undefined ? undefined : 100 - asset.score
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function topChecks(report: ScanReport): string {
  const top = failingChecks(report.assets)
    .slice(0, TOP_CHECKS)
    .map(f => {
      const rating = f.severity ?? (f.risk === undefined ? f.level : undefined)
      return `${logSafe(clip(f.title, QUOTED))} (${rating ?? 'unrated'})`
    })
  return top.length ? ` Top failing checks: ${top.join('; ')}.` : ''
}

/** cnspec's last error lines, not its whole log. */
export function lastErrorLines(stderr: string): string[] {
  const lines = stderr
    .split(/\r?\n/)
    .map(line => logSafe(clip(line, 2 * QUOTED)).trim())
    .filter(Boolean)
  const errors = lines.filter(line => /(^|\s)(FTL|ERR|fatal|error)\b/i.test(line))
  return (errors.length ? errors : lines).slice(-ERROR_LINES)
}

/** "exit code 1", or how cnspec ended when it never exited (-1: stopped by a signal). */
export function exitLabel(exitCode: number): string {
  return exitCode < 0 ? 'stopped by a signal' : `exit code ${exitCode}`
}

function scanFailed(exitCode: number, stderr: string, why: string): Verdict {
  const lines = lastErrorLines(stderr)
  const quoted = lines.length
    ? ` cnspec's last messages:\n  ${lines.join('\n  ')}`
    : ' cnspec printed nothing on stderr.'
  return {
    kind: 'scan-failed',
    ok: false,
    exitCode,
    message:
      `The scan itself failed (${exitLabel(exitCode)}): ${why}.${quoted}\n` +
      `Check "target" and "args" (a wrong flag, a policy bundle that cannot ` +
      `be read, a provider that cannot be downloaded); run with "log-level: debug" for more.`
  }
}

const CANNOT_SCAN =
  'An asset that cannot be scanned fails the step whatever the risk threshold: check that the target ' +
  'exists and is readable, and that its provider can be downloaded.'

/** cnspec ran, every asset failed, and its SARIF writer left the report empty. */
function nothingScanned(exitCode: number, stderr: string): Verdict {
  const lines = lastErrorLines(stderr)
  return {
    kind: 'asset-error',
    ok: false,
    exitCode,
    message:
      `cnspec could not scan any asset of the target (${exitLabel(exitCode)}): it left its report empty, as it ` +
      'does when every asset failed and so no policy ran.' +
      (lines.length ? ` cnspec's last messages:\n  ${lines.join('\n  ')}` : '') +
      `\n${CANNOT_SCAN}`
  }
}

/** "the risk-threshold of 50", naming the variable when the job's environment set it. */
function thresholdLabel(threshold: number, from: string | undefined): string {
  return from
    ? `the risk threshold of ${threshold} (${from})`
    : `the risk-threshold of ${threshold}`
}

/** "a", "a and b", "a, b and c". */
function listing(parts: string[]): string {
  return parts.length > 1
    ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
    : (parts[0] ?? '')
}

/**
 * What the scan found: the counts every view shows, and the worst severity among failing
 * checks and vulnerable packages (what a reader ranks by).
 */
export function foundPhrase(report: ScanReport, countAssets = true): string {
  const { failed, errored } = checkCounts(report)
  const counts = [plural(failed, 'failing check')]
  if (errored) counts.push(plural(errored, 'errored check'))
  const packages = packageCount(report)
  if (packages) counts.push(plural(packages, 'vulnerable package'))
  const worst = worstSeverity(report)
  return (
    `${listing(counts)}${countAssets ? ` on ${plural(report.assets.length, 'asset')}` : ''}` +
    `${worst ? `; worst severity ${worst.severity} (${worst.what})` : ''}`
  )
}

/** cnspec's worst risk, labelled as what the threshold is compared with (it is not a severity). */
export function riskPhrase(report: ScanReport): string {
  return report.worstRisk === undefined
    ? 'this cnspec writes no scores in its SARIF report (13.33.0 adds them)'
    : `cnspec's worst risk ${riskLabel(report.worstRisk)}`
}

export const NO_THRESHOLD =
  'No risk threshold set, so the step does not fail: set "risk-threshold" to fail it ' +
  "(e.g. 70: fail when cnspec's worst risk is HIGH or CRITICAL)."

function found(report: ScanReport, countAssets = true): string {
  return `${foundPhrase(report, countAssets)}; ${riskPhrase(report)}`
}

function passed(
  report: ScanReport,
  exitCode: number,
  threshold: number | undefined,
  from: string | undefined
): Verdict {
  let message: string
  if (threshold !== undefined)
    message = `Scan passed: ${found(report)}, under ${thresholdLabel(threshold, from)}.`
  // Not a success: nothing was judged. Say what was found and why the step stays green.
  else if (foundAnything(report)) message = `Found ${found(report)}. ${NO_THRESHOLD}`
  else message = `Scan passed: ${found(report)}; no risk threshold set.`
  return { kind: 'passed', ok: true, exitCode, threshold, message }
}

function overThreshold(
  report: ScanReport,
  exitCode: number,
  threshold: number | undefined,
  from: string | undefined
): Verdict {
  const limit = threshold === undefined ? 'the risk threshold' : thresholdLabel(threshold, from)
  const over = report.assets
    .filter(a => {
      const risk = assetRisk(a)
      return risk !== undefined && (threshold === undefined || risk >= threshold)
    })
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
  const assets = over.length
    ? ` ${over
        .slice(0, 5)
        .map(
          a => `${logSafe(clip(a.name, QUOTED))}: worst risk ${riskLabel(assetRisk(a) as number)}`
        )
        .join('; ')}${over.length > 5 ? `; and ${over.length - 5} more assets` : ''}.`
    : ' (this cnspec writes no scores in its SARIF report, so which asset reached it is not known; 13.33.0 adds them).'
  return {
    kind: 'threshold',
    ok: false,
    exitCode,
    threshold,
    message:
      `The scan found risk at or above ${limit}:${assets}${topChecks(report)}\n` +
      (from
        ? `Fix the failing checks, or change the variable if this risk is accepted.`
        : `Fix the failing checks, or raise "risk-threshold" if this risk is accepted.`)
  }
}

/**
 * Decides how a scan ended. `threshold` is the one cnspec used, from "risk-threshold", from
 * --risk-threshold in "args" or from the job's environment (`thresholdFrom` then says which
 * variable; see effectiveThreshold); undefined means cnspec's default, which never fails.
 */
export function judge(input: {
  report?: ScanReport
  exitCode: number
  threshold?: number
  thresholdFrom?: string
  stderr: string
  /** cnspec created its report file and wrote nothing into it: every asset failed. */
  emptyReport?: boolean
}): Verdict {
  const { report, exitCode, threshold, thresholdFrom: from, stderr } = input
  if (!report && input.emptyReport) return nothingScanned(exitCode, stderr)
  if (!report) {
    return scanFailed(
      exitCode,
      stderr,
      exitCode === 0 ? 'cnspec exited 0 but wrote no report' : 'cnspec wrote no report'
    )
  }
  const errored = report.assets.filter(a => a.error !== undefined)
  if (errored.length) {
    const lines = errored
      .slice(0, 5)
      .map(
        a =>
          `cnspec could not scan ${logSafe(clip(a.name, QUOTED))}: ${logSafe(clip(a.error as string, 2 * QUOTED))}`
      )
    if (errored.length > 5) lines.push(`and ${errored.length - 5} more assets could not be scanned`)
    const scannedOnly = { ...report, assets: report.assets.filter(a => a.error === undefined) }
    const rest = scannedOnly.assets.length
    return {
      kind: 'asset-error',
      ok: false,
      exitCode,
      threshold,
      message:
        `${lines.join('\n')}\n` +
        `${rest ? `The other ${plural(rest, 'asset')} ${rest === 1 ? 'was' : 'were'} scanned (${found(scannedOnly, false)}). ` : ''}` +
        CANNOT_SCAN
    }
  }
  if (exitCode === 0) return passed(report, exitCode, threshold, from)
  if (exitCode === 1) {
    const worst = report.worstRisk
    if (threshold === undefined)
      return scanFailed(
        exitCode,
        stderr,
        'cnspec wrote its report, no asset failed and no risk threshold was set, yet it exited 1'
      )
    if (worst !== undefined && worst < threshold)
      return scanFailed(
        exitCode,
        stderr,
        `cnspec wrote its report with a worst risk of ${worst}, under the threshold of ${threshold}, yet it exited 1`
      )
    return overThreshold(report, exitCode, threshold, from)
  }
  return scanFailed(exitCode, stderr, `cnspec exited ${exitCode} after writing its report`)
}

/**
 * The verdict on what cnspec left at its --output-target, with the threshold it applied: the
 * one way the action and the organisation batch turn a scan into a verdict.
 */
export function judgeReportFile(
  file: ReportFile,
  exitCode: number,
  threshold: Threshold | undefined,
  stderr: string
): Verdict {
  return judge({
    report: file.kind === 'read' ? file.report : undefined,
    exitCode,
    threshold: threshold?.value,
    thresholdFrom: threshold?.from,
    emptyReport: file.kind === 'empty',
    stderr:
      file.kind === 'unreadable'
        ? `${stderr}\nERR the report cnspec wrote could not be read: ${file.error}`
        : stderr
  })
}
