// The findings in the job log, per asset, close to cnspec's compact view. Every string from
// the report goes through logSafe: a title may hold "::" commands, ANSI or control characters.
import type { AssetResult, Finding, Location, ScanReport } from './report-types.js'
import { assetRisk, riskLabel } from './judge.js'
import { assetPackageCount, failingChecks, isFailure, type FailingCheck } from './findings.js'
import { clip, logSafe } from '../text.js'

export type LogView = 'compact' | 'full' | 'summary'

/** Findings listed per asset in the log; the SARIF report and summary hold the rest. */
export const LOG_CAP = 200
/** Characters of a title, message or name in a log line. */
const LOG_TEXT = 300
/** Locations shown for one failing check. */
const LOCATIONS = 5

/** Untrusted report text for one log line: cut to a readable length, and inert. */
const shown = (text: string, max = LOG_TEXT): string => logSafe(clip(text, max))

export function where(location: Location | undefined): string {
  if (!location) return ''
  const { path, startLine, endLine } = location
  if (startLine === undefined) return path
  return endLine !== undefined && endLine !== startLine
    ? `${path}:${startLine}-${endLine}`
    : `${path}:${startLine}`
}

/** "HIGH 80", or the SARIF level when the report has no risk (before 13.33). */
export function rating(finding: Finding): string {
  if (finding.severity && finding.risk !== undefined)
    return `${finding.severity} ${finding.risk}`.padEnd(11)
  return (finding.severity ?? finding.level).padEnd(11)
}

const MARK: Record<string, string> = {
  fail: '✕',
  error: '!',
  pass: '✓',
  skip: '»',
  'pass or skip': '·'
}

function counts(asset: AssetResult): string {
  const c = asset.counts
  const parts = [`${c.failed} failed`]
  if (asset.passedOrSkipped !== undefined)
    parts.push(`${asset.passedOrSkipped} passed or skipped (this report does not tell them apart)`)
  else parts.push(`${c.passed} passed`)
  parts.push(`${c.errored} errored`)
  if (asset.passedOrSkipped === undefined) parts.push(`${c.skipped} skipped`)
  const packages = assetPackageCount(asset)
  if (packages) parts.push(`${packages} vulnerable packages`)
  return parts.join(' · ')
}

export function assetHeadline(asset: AssetResult): string {
  const parts = [shown(asset.name)]
  if (asset.platform) parts.push(shown(asset.platform))
  if (asset.error) return `${parts.join(' · ')} · could not be scanned`
  if (asset.score !== undefined)
    parts.push(`score ${asset.score}/100${asset.grade ? ` (${shown(asset.grade, 10)})` : ''}`)
  const risk = assetRisk(asset)
  if (risk !== undefined) parts.push(`worst risk ${riskLabel(risk)}`)
  return parts.join(' · ')
}

/** Where a check fails: its first locations, and how many more. */
function places(locations: Location[]): string {
  const first = locations.slice(0, LOCATIONS).map(where)
  if (locations.length > LOCATIONS) first.push(`${locations.length - LOCATIONS} more locations`)
  return first.join(', ')
}

function findingLine(f: Finding | FailingCheck): string {
  const loc = 'locations' in f ? places(f.locations) : where(f.location)
  const detail = f.message?.split('\n')[0]
  return [
    `    ${MARK[f.status] ?? '?'} ${rating(f)} ${shown(f.title)}`,
    loc ? `  ${shown(loc)}` : '',
    detail && f.status !== 'pass' ? `  — ${shown(detail)}` : ''
  ].join('')
}

function capped<T>(items: T[], render: (item: T) => string, lines: string[], what: string): void {
  for (const item of items.slice(0, LOG_CAP)) lines.push(render(item))
  if (items.length > LOG_CAP)
    lines.push(`    … and ${items.length - LOG_CAP} more ${what} in the report-file output`)
}

function assetLines(asset: AssetResult, view: LogView): string[] {
  const lines = [`■ ${assetHeadline(asset)}`]
  if (asset.error) {
    lines.push(`    ! ${shown(asset.error)}`)
    return lines
  }
  lines.push(`    ${counts(asset)}`)
  if (view === 'summary') return lines
  const failing = failingChecks([asset])
  if (failing.length) lines.push('  Failing checks (highest risk first):')
  capped(failing, findingLine, lines, 'failing checks')
  if (view === 'full') {
    const others = asset.findings.filter(f => !isFailure(f))
    if (others.length) lines.push('  Passed and skipped checks:')
    capped(others, findingLine, lines, 'checks')
  }
  if (asset.packages.length) {
    lines.push('  Vulnerable packages:')
    capped(
      asset.packages,
      p =>
        `    ✕ ${(p.severity ?? '').padEnd(11)} ${shown(p.name)} ${shown(p.installedVersion ?? '')}` +
        `${p.fixedVersion ? ` → fixed in ${shown(p.fixedVersion)}` : ' (no fixed version yet)'}` +
        `${p.advisories.length ? `  ${shown(p.advisories.join(', '))}` : ''}`,
      lines,
      'vulnerable packages'
    )
  }
  return lines
}

/** The log lines for a report, in the view the "output" input chose. */
export function renderLog(report: ScanReport, view: LogView): string[] {
  const lines: string[] = []
  for (const asset of report.assets) {
    if (view !== 'summary' && lines.length) lines.push('')
    lines.push(...assetLines(asset, view))
  }
  if (!report.assets.length) lines.push('The report lists no assets.')
  if (report.generation !== 'rich')
    lines.push(
      '',
      `This cnspec writes SARIF without scores or risk (${report.generation === 'basic' ? '13.3.2' : '13.25'} format): ` +
        'findings are ordered by level. cnspec 13.33.0 adds scores, grades and risk.'
    )
  return lines
}
