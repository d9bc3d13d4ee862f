// The step outputs a scan produces, computed from the scan step's result alone.
import type { ScanReport } from './report-types.js'

export interface ScanOutputs {
  'scan-exit-code': string
  'report-file': string
  'assets-scanned': string
  'asset-errors': string
  'checks-failed': string
  'checks-passed': string
  'worst-risk': string
  score: string
  grade: string
}

/**
 * Empty strings where the report does not say: no report, or a SARIF generation without
 * scores (worst-risk, score, grade) or without passed/skipped apart (checks-passed).
 */
export function scanOutputs(
  exitCode: number,
  report: ScanReport | undefined,
  reportFile: string | undefined
): ScanOutputs {
  const assets = report?.assets ?? []
  const sum = (pick: (a: (typeof assets)[number]) => number) =>
    report ? String(assets.reduce((n, a) => n + pick(a), 0)) : ''
  const worst = assets
    .filter(a => a.score !== undefined)
    .sort((a, b) => (a.score as number) - (b.score as number))[0]
  const undecided = assets.some(a => a.passedOrSkipped !== undefined)
  return {
    // -1: cnspec was stopped by a signal and has no exit code.
    'scan-exit-code': exitCode < 0 ? '' : String(exitCode),
    'report-file': reportFile ?? '',
    'assets-scanned': report ? String(assets.length) : '',
    'asset-errors': report ? String(assets.filter(a => a.error !== undefined).length) : '',
    'checks-failed': sum(a => a.counts.failed),
    'checks-passed': undecided ? '' : sum(a => a.counts.passed),
    'worst-risk': report?.worstRisk === undefined ? '' : String(report.worstRisk),
    score: worst?.score === undefined ? '' : String(worst.score),
    grade: worst?.grade ?? ''
  }
}
