// The scan step: run cnspec once, read its SARIF report, judge, and show the findings in the
// log and as annotations. The job summary and the outputs are rendered from the result.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import * as core from '@actions/core'
import type * as Sarif from 'sarif'
import type { Config } from '../inputs.js'
import { messageOf } from '../errors.js'
import { logSafe } from '../text.js'
import { planAnnotations, type AnnotationType } from './annotations.js'
import { codeScanningSarif, trimmedNote } from './code-scanning.js'
import { exitLabel, judgeReportFile } from './judge.js'
import { fellBackToIncognito } from './incognito-fallback.js'
import { readReportFile } from './read-report.js'
import { renderLog } from './render-log.js'
import type { ScanReport, Verdict } from './report-types.js'
import { runCnspec, type RunOutput } from './run-cnspec.js'
import {
  effectiveThreshold,
  RICH_SARIF_SINCE,
  scanArgs,
  scanMode,
  scannedPath,
  SARIF_SINCE,
  versionAtLeast
} from './scan-args.js'

export interface ScanStepResult {
  exitCode: number
  verdict: Verdict
  /** Why the action did not read the report (another format, or a cnspec without SARIF). */
  passThrough?: string
  report?: ScanReport
  /** The code-scanning-ready SARIF file (the `report-file` output). */
  reportFile?: string
  /** What GitHub's upload limits left out of `reportFile`, in one sentence. */
  trimmed?: string
  /** cnspec was not asked for incognito mode but switched to it (its own exchange failed). */
  fellBackToIncognito: boolean
}

export interface ScanContext {
  config: Config
  binary: string
  version: string
  env: Record<string, string>
  incognito: boolean
}

function passThroughVerdict(exitCode: number, reason: string): Verdict {
  const ok = exitCode === 0
  return {
    kind: 'pass-through',
    ok,
    exitCode,
    message: ok
      ? `cnspec scan exited 0. The report is yours (${reason}), so the action judged by the exit code alone.`
      : `cnspec scan ended (${exitLabel(exitCode)}): the risk threshold was reached, an asset could not be scanned, or the scan ` +
        `failed. The report is yours (${reason}), so the action cannot tell which: see cnspec's output above.`
  }
}

function workDir(): string {
  return mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'cnspec-report-'))
}

const EMIT: Record<AnnotationType, typeof core.error> = {
  error: core.error,
  warning: core.warning,
  notice: core.notice
}

function annotate(report: ScanReport): void {
  const plan = planAnnotations(report)
  for (const a of plan.shown) EMIT[a.type](a.message, a.properties)
  const hidden = Object.entries(plan.hidden).filter(([, n]) => n > 0)
  if (hidden.length)
    core.info(
      `GitHub shows 10 annotations of each type per step: ${hidden.map(([type, n]) => `${n} more ${type}s`).join(', ')} ` +
        'are in the job summary and the SARIF report.'
    )
}

/** cnspec's live output, in its own log group, made inert by runCnspec. */
async function cnspec(ctx: ScanContext, args: string[]): Promise<RunOutput> {
  core.startGroup(logSafe(`cnspec scan ${ctx.config.target.join(' ')}`))
  try {
    const out = await runCnspec(ctx.binary, args, ctx.env)
    // A process stopped by a signal has no exit code: -1 says so to the judge and the outputs.
    return { ...out, exitCode: Number.isInteger(out.exitCode) ? out.exitCode : -1 }
  } finally {
    core.endGroup()
  }
}

/** Runs `cnspec scan` once and returns what it found; never throws for a failed scan. */
export async function runScan(ctx: ScanContext): Promise<ScanStepResult> {
  const { config, version, incognito } = ctx
  const mode = scanMode(config, version)
  if (mode.kind === 'pass-through') {
    core.notice(
      versionAtLeast(version, SARIF_SINCE)
        ? `The report is yours (${mode.reason}): the action shows cnspec's own output, judges by the exit code alone, and writes no findings, annotations or report-file.`
        : `cnspec ${version} writes no SARIF, so the action shows cnspec's own output and judges by the exit code alone. ` +
            `cnspec ${SARIF_SINCE} adds SARIF (findings, annotations, report-file); ${RICH_SARIF_SINCE} adds scores and risk.`
    )
    const out = await cnspec(ctx, scanArgs(config, incognito))
    return {
      exitCode: out.exitCode,
      passThrough: mode.reason,
      verdict: passThroughVerdict(out.exitCode, mode.reason),
      fellBackToIncognito: !incognito && fellBackToIncognito(out.stderr)
    }
  }

  const dir = workDir()
  const raw = join(dir, 'cnspec.sarif')
  const out = await cnspec(ctx, scanArgs(config, incognito, { file: raw }))
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const paths = { workspace, scannedPath: scannedPath(config.target) }
  const file = readReportFile(raw, paths)
  const report = file.kind === 'read' ? file.report : undefined
  let reportFile: string | undefined
  let trimmed: string | undefined
  if (file.kind === 'read') {
    try {
      reportFile = join(dir, 'code-scanning.sarif')
      const sarif = codeScanningSarif(file.sarif as Sarif.Log, paths, version)
      writeFileSync(reportFile, sarif.text)
      if (sarif.trimmed) {
        trimmed = trimmedNote(sarif.trimmed, basename(raw))
        core.warning(trimmed)
      }
    } catch (error) {
      reportFile = undefined
      core.warning(`The code-scanning SARIF report could not be written: ${messageOf(error)}`)
    }
  }
  const verdict = judgeReportFile(file, out.exitCode, effectiveThreshold(config), out.stderr)
  if (report) {
    // Outside any group, so the findings are what the log shows first.
    // The path means nothing to a reader once the job ends: name the output instead.
    if (reportFile) core.debug(`report-file: ${reportFile}`)
    core.info(
      `Findings (${report.assets.length} asset${report.assets.length === 1 ? '' : 's'}` +
        `${reportFile ? "; the full SARIF report is the step's report-file output" : ''}):`
    )
    for (const line of renderLog(report, mode.view)) core.info(line)
    annotate(report)
  }
  return {
    exitCode: out.exitCode,
    verdict,
    report,
    reportFile,
    ...(trimmed ? { trimmed } : {}),
    fellBackToIncognito: !incognito && fellBackToIncognito(out.stderr)
  }
}
