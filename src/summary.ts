import * as core from '@actions/core'
import {
  assetRisk,
  exitLabel,
  foundPhrase,
  NO_THRESHOLD,
  riskLabel,
  riskPhrase
} from './scan/judge.js'
import { assetPackageCount, checkCounts, failingChecks, foundAnything } from './scan/findings.js'
import { where } from './scan/render-log.js'
import type { AssetResult } from './scan/report-types.js'
import type { Config } from './inputs.js'
import type { CnspecResult } from './scan/run-cnspec.js'
import type { ScanStepResult } from './scan/scan.js'
import type { Installed } from './install/install.js'
import type { Setup } from './steps.js'
import { clip, escapeHtmlCell, escapeMarkdown } from './text.js'
import type { Timings } from './timings.js'

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

/** GitHub drops a step summary over 1 MiB: whatever the report, the action stays under half. */
export const SUMMARY_BUDGET = 512 * 1024

/** Rows per table and characters per cell, tried in turn until the summary fits the budget. */
const CAPS = [
  { rows: 30, text: 200 },
  { rows: 10, text: 80 },
  { rows: 0, text: 80 }
] as const
type Caps = (typeof CAPS)[number]
/** Characters of the verdict: it quotes cnspec and the STS, which can say anything. */
const VERDICT_MAX = 8000

/** Where the full report is: an output, not a path, since RUNNER_TEMP is gone after the job. */
const REPORT_FILE =
  "the step's <code>report-file</code> output: keep it with <code>actions/upload-artifact</code>, " +
  'or send it to code scanning with <code>github/codeql-action/upload-sarif</code>'

const th = (cells: string[]) => `<tr>${cells.map(c => `<th>${c}</th>`).join('')}</tr>`
const tr = (cells: string[]) => `<tr>${cells.map(c => `<td>${c}</td>`).join('')}</tr>`
const table = (head: string[], rows: string[][]) =>
  `<table>${th(head)}${rows.map(tr).join('')}</table>`
const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

/** The first line of the summary: the verdict, once, with a mark that never contradicts it. */
function headline(report: RunReport): string {
  const scan = report.scan
  const verdict = scan?.verdict
  if (scan?.fellBackToIncognito) return '❌ cnspec scan: results not uploaded to Mondoo'
  if (!verdict || (report.failure && verdict.ok))
    return report.failure
      ? '❌ cnspec keyless failed'
      : '✅ cnspec keyless: signed in, cnspec ready'
  switch (verdict.kind) {
    case 'threshold':
      return `❌ cnspec scan failed: risk threshold${verdict.threshold === undefined ? '' : ` of ${verdict.threshold}`} reached`
    case 'asset-error':
      return '❌ cnspec scan failed: an asset could not be scanned'
    case 'scan-failed':
      return '❌ cnspec scan failed'
    case 'pass-through':
      return verdict.ok
        ? '✅ cnspec scan exited 0 (the report is yours)'
        : `❌ cnspec scan failed (${exitLabel(verdict.exitCode)}; the report is yours)`
    case 'passed':
      if (verdict.threshold !== undefined)
        return `✅ cnspec scan passed: under the risk threshold of ${verdict.threshold}`
      return unjudged(report)
        ? `⚠️ cnspec found ${foundPhrase(scan.report!, false)}; no risk threshold set`
        : '✅ cnspec scan passed: nothing found'
  }
}

/** Findings and no threshold: not a success, and not a failure either. */
function unjudged(report: RunReport): boolean {
  const verdict = report.scan?.verdict
  const found = report.scan?.report
  return (
    verdict?.kind === 'passed' && verdict.threshold === undefined && !!found && foundAnything(found)
  )
}

/** Why, in the verdict's own words: every line escaped. */
function verdictText(report: RunReport): string {
  const scan = report.scan?.verdict
  let message = (scan && !scan.ok ? scan.message : report.failure) ?? scan?.message
  // The headline said what was found: what is left to say is what the threshold would use.
  if (unjudged(report)) message = `${upperFirst(riskPhrase(report.scan!.report!))}. ${NO_THRESHOLD}`
  if (!message) return ''
  return `<p>${clip(message, VERDICT_MAX)
    .split('\n')
    .map(line => escapeMarkdown(line))
    .join('<br>')}</p>\n`
}

function more(shown: number, total: number, what: string, reportFile: boolean): string {
  if (total <= shown) return ''
  const where = reportFile ? ` in ${REPORT_FILE}` : ''
  return `<p>… and ${total - shown} more ${what}${where}.</p>\n`
}

/** Worst first: assets that could not be scanned, then by score. */
function byWorstAsset(a: AssetResult, b: AssetResult): number {
  return (
    Number(b.error !== undefined) - Number(a.error !== undefined) ||
    (a.score ?? 101) - (b.score ?? 101)
  )
}

/** Per-asset table, failing checks and vulnerable packages, capped so the summary stays small. */
export function renderFindings(scan: ScanStepResult, caps: Caps = CAPS[0]): string {
  const report = scan.report!
  const hasFile = scan.reportFile !== undefined
  const md = (text: string | undefined) =>
    text === undefined ? '—' : escapeMarkdown(clip(text, caps.text))
  const out: string[] = []
  const assets = [...report.assets].sort(byWorstAsset)
  out.push(
    `<h3>Assets (${assets.length})</h3>\n`,
    table(
      [
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
      ],
      assets.slice(0, caps.rows).map(a => {
        if (a.error)
          return [
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
        const risk = assetRisk(a)
        return [
          md(a.name),
          md(a.platform),
          a.score === undefined ? '—' : String(a.score),
          md(a.grade),
          risk === undefined ? '—' : riskLabel(risk),
          String(a.counts.failed),
          a.passedOrSkipped === undefined
            ? String(a.counts.passed)
            : `${a.passedOrSkipped} passed or skipped`,
          String(a.counts.errored),
          a.passedOrSkipped === undefined ? String(a.counts.skipped) : '—',
          String(assetPackageCount(a))
        ]
      })
    ),
    '\n',
    more(caps.rows, assets.length, 'assets', hasFile)
  )
  const { failed, errored } = checkCounts(report)
  const failing = failingChecks(report.assets)
  if (failed + errored || failing.length) {
    const title = errored
      ? `Failing checks (${failed}) and errored checks (${errored})`
      : `Failing checks (${failed})`
    out.push(
      `<h3>${title}, highest risk first</h3>\n`,
      table(
        ['Severity', 'Risk', 'Check', 'Asset', 'Locations'],
        failing
          .slice(0, caps.rows)
          .map(f => [
            f.status === 'error' ? 'ERROR' : md(f.severity ?? f.level),
            f.risk === undefined ? '—' : String(f.risk),
            md(f.title),
            md(f.asset),
            f.locations.length ? md(f.locations.map(where).join(', ')) : '—'
          ])
      ),
      '\n',
      more(
        Math.min(caps.rows, failing.length),
        Math.max(failed + errored, failing.length),
        'failing checks',
        hasFile
      )
    )
  }
  const packages = report.assets.flatMap(a => a.packages.map(p => ({ ...p, asset: a.name })))
  if (packages.length) {
    const order = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE']
    packages.sort(
      (a, b) => order.indexOf(a.severity ?? 'NONE') - order.indexOf(b.severity ?? 'NONE')
    )
    out.push(
      `<h3>Vulnerable packages (${packages.length})</h3>\n`,
      table(
        ['Severity', 'Package', 'Installed', 'Fixed in', 'Advisory', 'Asset'],
        packages
          .slice(0, caps.rows)
          .map(p => [
            md(p.severity),
            md(p.name),
            md(p.installedVersion),
            md(p.fixedVersion ?? 'no fix yet'),
            md(p.advisories.join(', ') || undefined),
            md(p.asset)
          ])
      ),
      '\n',
      more(caps.rows, packages.length, 'vulnerable packages', hasFile)
    )
  }
  if (report.generation !== 'rich')
    out.push('<p>This cnspec writes SARIF without scores or risk; cnspec 13.33.0 adds them.</p>\n')
  return out.join('')
}

function details(report: RunReport): Array<[string, string]> {
  const rows: Array<[string, string]> = [
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
          : `ran (${exitLabel(report.scan.exitCode)})`
    ]
  ]
  return rows
}

/** The job summary as HTML: headline, why, the run's facts, the findings and the timings. */
export function renderSummary(report: RunReport, caps: Caps = CAPS[0]): string {
  const rows = details(report).map(([k, v]) => [k, escapeHtmlCell(clip(v, 2 * caps.text))])
  if (report.scan?.passThrough)
    rows.push([
      'Report',
      `yours (${escapeHtmlCell(clip(report.scan.passThrough, caps.text))}): no findings read`
    ])
  if (report.scan?.reportFile) rows.push(['Full report', `SARIF, in ${REPORT_FILE}`])
  if (report.scan?.trimmed)
    rows.push(['Left out of report-file', escapeHtmlCell(clip(report.scan.trimmed, caps.text))])
  const out = [
    `<h2>${headline(report)}</h2>\n`,
    verdictText(report),
    table(['What', 'Details'], rows),
    '\n'
  ]
  if (report.scan?.report) {
    if (caps.rows > 0) out.push(renderFindings(report.scan, caps))
    else
      out.push(
        '<p>The findings are too large for a job summary: they are in the log, and in full in ' +
          `${report.scan.reportFile ? REPORT_FILE : 'the SARIF report'}.</p>\n`
      )
  }
  out.push(
    '<h3>Timings</h3>\n',
    table(
      ['Phase', 'Duration'],
      report.timings.map(([phase, ms]) => [phase, seconds(ms)])
    ),
    '\n'
  )
  return out.join('')
}

/** The summary at the largest caps that fit under the budget. */
export function fittedSummary(report: RunReport): string {
  let html = ''
  for (const caps of CAPS) {
    html = renderSummary(report, caps)
    if (Buffer.byteLength(html) <= SUMMARY_BUDGET) break
  }
  return html
}

/** Writes the job summary. It is written on failure too: that is when people read it. */
export async function writeSummary(report: RunReport): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(fittedSummary(report)).write()
}
