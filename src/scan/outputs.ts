// The step outputs a scan produces, computed from the scan step's result alone.
import { logSafe } from '../text.js'
import type { ScanReport } from './report-types.js'

/** cnspec's letters (policy/rating.go): A–F, U unrated, X error, S skipped. */
const GRADES = ['A', 'B', 'C', 'D', 'F', 'U', 'X', 'S']

/**
 * Only what the output promises reaches it: a caller may put an output into a shell line
 * (`run: echo ${{ steps.cnspec.outputs.grade }}`), and the report is cnspec's text.
 */
function checked(
  name: string,
  value: string | number | undefined,
  valid: boolean,
  what: string,
  warn: (message: string) => void
): string {
  if (value === undefined) return ''
  if (valid) return String(value)
  warn(
    `The report's ${name} ${logSafe(JSON.stringify(String(value).slice(0, 40)))} is not ${what}: ` +
      `the ${name} output is left empty.`
  )
  return ''
}

const percent = (value: number | undefined): boolean =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 100

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
 * scores (worst-risk, score, grade) or without passed/skipped apart (checks-passed), or a
 * value that is not what the output promises (then `warn` says so).
 */
export function scanOutputs(
  exitCode: number,
  report: ScanReport | undefined,
  reportFile: string | undefined,
  warn: (message: string) => void = () => {}
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
    'worst-risk': checked(
      'worst-risk',
      report?.worstRisk,
      percent(report?.worstRisk),
      'a whole number from 0 to 100',
      warn
    ),
    score: checked(
      'score',
      worst?.score,
      percent(worst?.score),
      'a whole number from 0 to 100',
      warn
    ),
    grade: checked(
      'grade',
      worst?.grade,
      GRADES.includes(worst?.grade ?? ''),
      `one of ${GRADES.join(' ')}`,
      warn
    )
  }
}
