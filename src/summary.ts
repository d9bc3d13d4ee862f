import * as core from '@actions/core'
import { assetRisk, byRisk, exitLabel, isFailure, riskLabel } from './scan/judge.js'
import { where } from './scan/render-log.js'
import { packageCount } from './scan/read-report.js'
import type { VerdictKind } from './scan/report-types.js'
import type { Config } from './inputs.js'
import type { CnspecResult } from './scan/run-cnspec.js'
import type { ScanStepResult } from './scan/scan.js'
import type { Installed } from './install/install.js'
import type { Setup } from './steps.js'
import { escapeHtmlCell, escapeMarkdown } from './text.js'
import type { Timings } from './timings.js'

const SCAN_OUTCOME: Record<VerdictKind, string> = {
  passed: 'passed',
  threshold: 'failed: risk threshold reached',
  'asset-error': 'failed: an asset could not be scanned',
  'scan-failed': 'failed: the scan itself failed',
  'pass-through': 'judged by the exit code alone'
}

/** Rows of failing checks and of vulnerable packages; the SARIF report holds the rest. */
export const SUMMARY_CAP = 30

/** What the summary shows: picked from the step results once, at the end. No secret in it. */
export interface RunReport {
  incognito: boolean
  spaceMrn?: string
  serviceAccountMrn?: string
  cnspecVersion?: string
  cnspecSource?: 'cache' | 'download'
  target?: string
  status?: string
  scan?: ScanStepResult
  failure?: string
  timings: Timings
}

/** What the run's steps returned, as far as it got. Holds the credential: never rendered. */
export interface RunResults {
  config?: Config
  incognito: boolean
  setup?: Setup
  /** The install's result when signing in failed and there is no setup. */
  installed?: Installed
  status?: CnspecResult
  scanned?: ScanStepResult
  failure?: string
  timings: Timings
}

/** Picks what the summary shows from the step results; no secret is copied. */
export function reportOf(results: RunResults): RunReport {
  const { config, incognito, setup, status, scanned, failure, timings } = results
  const installed = setup?.installed ?? results.installed
  const statusRow = status
    ? status.ok
      ? 'connected'
      : `failed (exit code ${status.exitCode})`
    : setup && (setup.credential || setup.wif ? 'skipped (status: false)' : 'skipped (incognito)')
  return {
    incognito,
    target: config?.target.join(' '),
    spaceMrn: setup?.credential?.spaceMrn ?? setup?.wif?.config.audience,
    serviceAccountMrn: setup?.wif
      ? 'one per cnspec process (credential-mode wif)'
      : setup?.credential?.mrn,
    cnspecVersion: installed?.version,
    cnspecSource: installed?.source,
    status: statusRow,
    scan: scanned,
    failure,
    timings
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** The space ID is the last segment of the space MRN; it is an identifier, not a secret. */
export function spaceId(spaceMrn: string | undefined): string | undefined {
  return spaceMrn?.split('/').pop()
}

/** The verdict, first thing in the summary: every line of it escaped. */
function verdictLine(report: RunReport): string {
  const scan = report.scan?.verdict
  const message = (scan && !scan.ok ? scan.message : report.failure) ?? scan?.message ?? 'Success'
  const lines = message.split('\n').map(line => escapeMarkdown(line))
  return `${report.failure ? '❌' : '✅'} <b>${lines.shift() ?? ''}</b>${lines.map(l => `<br>${l}`).join('')}`
}

const md = (text: string | undefined): string => (text === undefined ? '—' : escapeMarkdown(text))
const header = (...cells: string[]) => cells.map(data => ({ data, header: true }))

function more(shown: number, total: number, what: string): void {
  if (total > shown)
    core.summary.addRaw(`<p>… and ${total - shown} more ${what} in the SARIF report.</p>`, true)
}

/** Per-asset table, failing checks and vulnerable packages, capped so the summary stays small. */
export function addFindings(scan: ScanStepResult): void {
  const report = scan.report!
  const s = core.summary
  s.addHeading('Assets', 3).addTable([
    header(
      'Asset',
      'Platform',
      'Score',
      'Grade',
      'Worst risk',
      'Failed',
      'Passed',
      'Errored',
      'Skipped',
      'Vulnerable packages'
    ),
    ...report.assets.map(a => {
      const risk = assetRisk(a)
      const passed =
        a.passedOrSkipped === undefined
          ? String(a.counts.passed)
          : `${a.passedOrSkipped} passed or skipped`
      return a.error
        ? [
            md(a.name),
            md(a.platform),
            '—',
            '—',
            '—',
            `could not be scanned: ${md(a.error)}`,
            '—',
            '—',
            '—',
            '—'
          ]
        : [
            md(a.name),
            md(a.platform),
            a.score === undefined ? '—' : String(a.score),
            md(a.grade),
            risk === undefined ? '—' : riskLabel(risk),
            String(a.counts.failed),
            passed,
            String(a.counts.errored),
            a.passedOrSkipped === undefined ? String(a.counts.skipped) : '—',
            String(packageCount(a))
          ]
    })
  ])
  const failing = report.assets
    .flatMap(a => a.findings.filter(isFailure).map(f => ({ ...f, asset: a.name })))
    .sort(byRisk)
  if (failing.length) {
    s.addHeading(`Failing checks (${failing.length}, highest risk first)`, 3).addTable([
      header('Severity', 'Risk', 'Check', 'Asset', 'Location'),
      ...failing
        .slice(0, SUMMARY_CAP)
        .map(f => [
          md(f.severity ?? f.level),
          f.risk === undefined ? '—' : String(f.risk),
          md(f.title),
          md(f.asset),
          md(where(f.location) || undefined)
        ])
    ])
    more(SUMMARY_CAP, failing.length, 'failing checks')
  }
  const packages = report.assets.flatMap(a => a.packages.map(p => ({ ...p, asset: a.name })))
  if (packages.length) {
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE']
    packages.sort(
      (a, b) => order.indexOf(a.severity ?? 'NONE') - order.indexOf(b.severity ?? 'NONE')
    )
    s.addHeading(`Vulnerable packages (${packages.length})`, 3).addTable([
      header('Severity', 'Package', 'Installed', 'Fixed in', 'Advisory', 'Asset'),
      ...packages
        .slice(0, SUMMARY_CAP)
        .map(p => [
          md(p.severity),
          md(p.name),
          md(p.installedVersion),
          md(p.fixedVersion ?? 'no fix yet'),
          md(p.advisories.join(', ') || undefined),
          md(p.asset)
        ])
    ])
    more(SUMMARY_CAP, packages.length, 'vulnerable packages')
  }
  if (report.generation !== 'rich')
    s.addRaw(
      '<p>This cnspec writes SARIF without scores or risk; cnspec 13.33.0 adds them.</p>',
      true
    )
}

/** Writes the job summary. It is written on failure too: that is when people read it. */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const rows: Array<[string, string]> = [
    // The verdict above already says why, in full: the row only says how it ended.
    ['Result', report.failure ? '❌ Failed' : '✅ Success'],
    [
      'Mondoo space',
      report.incognito
        ? 'none (incognito: no id-token, nothing uploaded)'
        : (spaceId(report.spaceMrn) ?? 'not reached')
    ],
    ['Service account', report.serviceAccountMrn ?? '—'],
    [
      'cnspec',
      report.cnspecVersion
        ? `${report.cnspecVersion} (${report.cnspecSource === 'cache' ? 'tool cache' : 'downloaded, SHA-256 verified'})`
        : 'not installed'
    ],
    ['Target', report.target ?? '—'],
    ['cnspec status', report.status ?? 'not run'],
    [
      'cnspec scan',
      report.scan === undefined
        ? 'not run'
        : report.scan.fellBackToIncognito
          ? `scanned in incognito: nothing uploaded (${exitLabel(report.scan.exitCode)})`
          : `${SCAN_OUTCOME[report.scan.verdict.kind]} (${exitLabel(report.scan.exitCode)})`
    ]
  ]
  if (report.scan?.passThrough)
    rows.push(['Report', `yours (${report.scan.passThrough}): no findings read`])
  if (report.scan?.reportFile) rows.push(['SARIF report (report-file)', report.scan.reportFile])
  if (report.scan?.trimmed) rows.push(['Left out of report-file', report.scan.trimmed])
  const summary = core.summary.addHeading('cnspec keyless scan', 2)
  summary.addRaw(`<p>${verdictLine(report)}</p>`, true)
  summary.addTable([
    [
      { data: 'What', header: true },
      { data: 'Result', header: true }
    ],
    ...rows.map(([k, v]) => [k, escapeHtmlCell(v)])
  ])
  if (report.scan?.report) addFindings(report.scan)
  summary.addHeading('Timings', 3).addTable([
    [
      { data: 'Phase', header: true },
      { data: 'Duration', header: true }
    ],
    ...report.timings.map(([phase, ms]) => [phase, seconds(ms)])
  ])
  await summary.write()
}
