import { riskLabel } from '../scan/judge.js'
import type { RepositoryRecord } from '../scan/report-types.js'
import { escapeMarkdown } from '../text.js'

/** GitHub refuses a step summary over 1 MiB; stay well below it. */
export const SUMMARY_LIMIT = 1024 * 1024

export type FailOn = 'any' | 'threshold' | 'not-scanned' | 'never'
export const FAIL_ON: readonly FailOn[] = ['any', 'threshold', 'not-scanned', 'never']

export interface OrgSummaryInput {
  organisation?: string
  /** The heading's subject instead of "organisation <name>", e.g. one batch of it. */
  title?: string
  records: RepositoryRecord[]
  /** Repositories the plan selected that have no record (their job never reported). */
  missing: string[]
  threshold?: number
  /** Wall-clock time from the plan to now, when the plan's start is known. */
  elapsedMs?: number
  /** Caps for the step summary; the report file is rendered without them. */
  limits?: { worst: number; over: number; notScanned: number }
}

export interface OrgTotals {
  repositories: number
  scanned: number
  overThreshold: RepositoryRecord[]
  notScanned: Array<{ repository: string; reason: string }>
  checksFailed: number
  checksPassed: number
  worstRisk?: number
  scanMs: number
}

export const STEP_LIMITS = { worst: 50, over: 300, notScanned: 100 }

const scanned = (r: RepositoryRecord) =>
  r.verdict === 'passed' || r.verdict === 'threshold' || r.verdict === 'pass-through'

/** Worst first: by worst risk, then failing checks; repositories without a score last. */
export function byWorstRisk(a: RepositoryRecord, b: RepositoryRecord): number {
  return (
    (b.worstRisk ?? -1) - (a.worstRisk ?? -1) ||
    b.checksFailed - a.checksFailed ||
    (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0)
  )
}

export function totalsOf(records: RepositoryRecord[], missing: string[]): OrgTotals {
  const risks = records.map(r => r.worstRisk).filter((n): n is number => n !== undefined)
  return {
    repositories: records.length + missing.length,
    scanned: records.filter(scanned).length,
    overThreshold: records.filter(r => r.verdict === 'threshold').sort(byWorstRisk),
    notScanned: [
      ...records
        .filter(r => !scanned(r))
        .map(r => ({ repository: r.repository, reason: r.error ?? r.verdict })),
      ...missing.map(repository => ({
        repository,
        reason:
          "no record: its matrix job was cancelled, timed out or failed before scanning (see that job's log)"
      }))
    ].sort((a, b) => (a.repository < b.repository ? -1 : 1)),
    checksFailed: records.reduce((n, r) => n + r.checksFailed, 0),
    checksPassed: records.reduce((n, r) => n + r.checksPassed, 0),
    worstRisk: risks.length ? Math.max(...risks) : undefined,
    scanMs: records.reduce((n, r) => n + (r.durationMs ?? 0), 0)
  }
}

/** The repositories that make the run fail under "fail-on", by kind; none means it passes. */
function blamed(totals: OrgTotals, failOn: FailOn): Array<[string, string[]]> {
  const kinds: Array<[string, string[]]> = []
  if (failOn === 'any' || failOn === 'threshold')
    kinds.push(['Over the threshold', totals.overThreshold.map(r => r.repository)])
  if (failOn === 'any' || failOn === 'not-scanned')
    kinds.push(['Not scanned', totals.notScanned.map(r => r.repository)])
  return kinds.filter(([, names]) => names.length > 0)
}

export function shouldFail(totals: OrgTotals, failOn: FailOn): boolean {
  return blamed(totals, failOn).length > 0
}

/** The first few repositories of each kind that fail the run: the error alone says where to look. */
export function failingNames(totals: OrgTotals, failOn: FailOn, shown = 5): string {
  return blamed(totals, failOn)
    .map(
      ([label, names]) =>
        `${label}: ${names.slice(0, shown).join(', ')}${names.length > shown ? ` and ${names.length - shown} more` : ''}.`
    )
    .join(' ')
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}

// Markdown is not parsed inside an HTML block, but a cell is escaped for both anyway: the
// summary must stay inert however GitHub's renderer changes.
const cell = (text: string) => `<td>${escapeMarkdown(text)}</td>`
/** Text this module made from numbers and fixed words: nothing to escape. */
const own = (text: string | number) => `<td>${text}</td>`
const row = (cells: string[]) => `<tr>${cells.join('')}</tr>`
const head = (names: string[]) => `<tr>${names.map(n => `<th>${n}</th>`).join('')}</tr>`
const more = (n: number) =>
  n > 0 ? `\n\n…and ${n} more in the report file (artifact cnspec-org-summary).` : ''

/** Failing checks and no threshold to judge them by: neither a success nor a failure. */
function unjudged(totals: OrgTotals, threshold: number | undefined): boolean {
  return (
    threshold === undefined &&
    totals.checksFailed > 0 &&
    !totals.overThreshold.length &&
    !totals.notScanned.length
  )
}

/** The verdict line, first thing in the summary and the step's error. */
export function verdictLine(totals: OrgTotals, threshold: number | undefined): string {
  const parts: string[] = []
  if (totals.overThreshold.length)
    parts.push(
      `${totals.overThreshold.length} of ${totals.repositories} repositories reached the risk threshold of ${threshold ?? '(set in the scans)'}`
    )
  if (totals.notScanned.length)
    parts.push(
      parts.length
        ? `${totals.notScanned.length} could not be scanned`
        : `${totals.notScanned.length} of ${totals.repositories} repositories could not be scanned`
    )
  const risk = `worst risk ${totals.worstRisk === undefined ? 'unknown (no scores in the reports)' : riskLabel(totals.worstRisk)}`
  if (unjudged(totals, threshold))
    return (
      `${totals.scanned} of ${totals.repositories} repositories scanned: ${totals.checksFailed} failing checks; ` +
      `cnspec's ${risk}. No risk threshold set, so the run does not fail: set "risk-threshold" to fail it.`
    )
  if (!parts.length)
    return `${totals.scanned} of ${totals.repositories} repositories scanned; ${
      threshold === undefined
        ? 'no risk threshold set'
        : `none reached the risk threshold of ${threshold}`
    }; ${risk}.`
  return `${parts.join('; ')}.`
}

/**
 * The organisation summary as Markdown with HTML tables. Every string from a record or the
 * plan is escaped; with `limits` each list is capped so 5,000 repositories stay far under
 * GitHub's 1 MiB.
 */
export function renderOrgSummary(
  input: OrgSummaryInput,
  totals = totalsOf(input.records, input.missing)
): string {
  const limits = input.limits ?? { worst: Infinity, over: Infinity, notScanned: Infinity }
  const ok = totals.overThreshold.length === 0 && totals.notScanned.length === 0
  const out: string[] = []
  out.push(
    `## cnspec: ${escapeMarkdown(input.title ?? `organisation ${input.organisation ?? ''}`.trim())}`,
    '',
    `${unjudged(totals, input.threshold) ? '⚠️' : ok ? '✅' : '❌'} ${escapeMarkdown(verdictLine(totals, input.threshold))}`,
    ''
  )
  out.push(
    '<table>',
    head([
      'Repositories',
      'Scanned',
      'Over threshold',
      'Not scanned',
      'Worst risk',
      'Checks failed',
      'Checks passed',
      'Run took',
      'Scan time (sum)'
    ]),
    row([
      own(totals.repositories),
      own(totals.scanned),
      own(totals.overThreshold.length),
      own(totals.notScanned.length),
      own(totals.worstRisk === undefined ? '—' : riskLabel(totals.worstRisk)),
      own(totals.checksFailed),
      own(totals.checksPassed),
      own(input.elapsedMs === undefined ? '—' : duration(input.elapsedMs)),
      own(duration(totals.scanMs))
    ]),
    '</table>',
    ''
  )
  const ranked = input.records
    .filter(r => r.worstRisk !== undefined || r.checksFailed > 0)
    .sort(byWorstRisk)
  if (ranked.length) {
    const shown = ranked.slice(0, limits.worst)
    out.push(
      `### Repositories by worst risk${shown.length < ranked.length ? ` (the ${shown.length} worst)` : ''}`,
      '',
      '<table>',
      head([
        'Repository',
        'Worst risk',
        'Score',
        'Grade',
        'Failed checks',
        'Passed checks',
        'Verdict'
      ]),
      ...shown.map(r =>
        row([
          cell(r.repository),
          own(r.worstRisk === undefined ? '—' : riskLabel(r.worstRisk)),
          own(r.score === undefined ? '—' : r.score),
          cell(r.grade ?? '—'),
          own(r.checksFailed),
          own(r.checksPassed),
          own(r.verdict === 'threshold' ? 'over threshold' : r.verdict)
        ])
      ),
      '</table>' + more(ranked.length - shown.length),
      ''
    )
  }
  if (totals.overThreshold.length) {
    const shown = totals.overThreshold.slice(0, limits.over)
    out.push(
      `### Over the risk threshold (${totals.overThreshold.length})`,
      '',
      shown.map(r => `${escapeMarkdown(r.repository)} (${r.worstRisk ?? '?'})`).join(', ') +
        more(totals.overThreshold.length - shown.length),
      ''
    )
  }
  if (totals.notScanned.length) {
    const shown = totals.notScanned.slice(0, limits.notScanned)
    out.push(
      `### Could not be scanned (${totals.notScanned.length})`,
      '',
      '<table>',
      head(['Repository', 'Reason']),
      ...shown.map(r =>
        row([
          cell(r.repository),
          cell(r.reason.length > 300 ? `${r.reason.slice(0, 297)}...` : r.reason)
        ])
      ),
      '</table>' + more(totals.notScanned.length - shown.length),
      ''
    )
  }
  return out.join('\n')
}
