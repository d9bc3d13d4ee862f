import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { judgeReportFile, lastErrorLines } from '../scan/judge.js'
import { fellBackToIncognito } from '../scan/incognito-fallback.js'
import { readReportFile } from '../scan/read-report.js'
import type { Threshold } from '../scan/scan-args.js'
import type { RepositoryRecord, ScanReport, Verdict, VerdictKind } from '../scan/report-types.js'
import { shallowClone } from './clone.js'
import { runProcess } from './run-process.js'

export type ScanKind = 'settings' | 'code'
export const SCAN_CHOICES = ['settings', 'code', 'both'] as const

export interface RepositoryScan {
  organisation: string
  name: string
  kinds: ScanKind[]
  token: string
  cnspec: string
  /**
   * The threshold cnspec applies (effectiveThreshold: the "risk-threshold" input, or the job's
   * MONDOO_* variables, then `from` names them). Passed as --risk-threshold: being the lowest
   * of them, the flag changes nothing cnspec would apply, and the judge uses the same number.
   */
  threshold?: Threshold
  /** Where sarif/<name>.<kind>.sarif is written. */
  outputDirectory: string
  /** Scratch space for clones (under RUNNER_TEMP). */
  scratch: string
  serverUrl: string
  timeoutMs: number
  env: Record<string, string>
  log: (line: string) => void
}

export interface KindResult {
  kind: ScanKind
  verdict: Verdict
  report?: ScanReport
  sarifFile?: string
}

/**
 * cnspec's environment for one repository: the batch's, plus the repository token for a
 * settings scan (`cnspec scan github repo`), the one scan that reads it. A code scan reads a
 * local clone and gets no token.
 */
function scanEnv(
  base: Record<string, string>,
  kind: ScanKind,
  token: string
): Record<string, string> {
  const env: Record<string, string> = { ...base }
  delete env.GITHUB_TOKEN
  if (kind === 'settings') env.GITHUB_TOKEN = token
  for (const key of Object.keys(env)) if (key.startsWith('GIT_CONFIG_')) delete env[key]
  return env
}

function failed(kind: ScanKind, message: string): KindResult {
  return { kind, verdict: { kind: 'scan-failed', ok: false, exitCode: -1, message } }
}

async function scanOne(scan: RepositoryScan, kind: ScanKind): Promise<KindResult> {
  const fullName = `${scan.organisation}/${scan.name}`
  const sarifFile = join(scan.outputDirectory, 'sarif', `${scan.name}.${kind}.sarif`)
  mkdirSync(join(scan.outputDirectory, 'sarif'), { recursive: true })
  rmSync(sarifFile, { force: true })
  let target: string[]
  let workspace = scan.scratch
  let clone: string | undefined
  if (kind === 'code') {
    clone = mkdtempSync(join(scan.scratch, `${scan.name}-`))
    const cloned = await shallowClone({
      serverUrl: scan.serverUrl,
      fullName,
      token: scan.token,
      into: clone,
      env: scan.env,
      timeoutMs: scan.timeoutMs
    })
    if (!cloned.ok) {
      rmSync(clone, { recursive: true, force: true })
      return failed(kind, cloned.error as string)
    }
    target = ['fs', clone]
    workspace = clone
  } else {
    target = ['github', 'repo', fullName]
  }
  try {
    const args = ['scan', ...target, '-o', 'sarif', '--output-target', sarifFile]
    if (scan.threshold) args.push('--risk-threshold', String(scan.threshold.value))
    scan.log(`cnspec scan ${target[0] === 'fs' ? `fs <clone of ${fullName}>` : target.join(' ')}`)
    const run = await runProcess(scan.cnspec, args, {
      env: scanEnv(scan.env, kind, scan.token),
      cwd: workspace,
      timeoutMs: scan.timeoutMs
    })
    for (const line of lastErrorLines(run.stderr)) scan.log(`  ${line}`)
    if (run.startError)
      return failed(
        kind,
        `cnspec could not be started (${run.startError}): run the main action with "scan: false" before this step, or set "cnspec-path".`
      )
    if (run.timedOut)
      return failed(
        kind,
        `cnspec took longer than ${Math.round(scan.timeoutMs / 60000)} min and was stopped`
      )
    const file = readReportFile(sarifFile, {
      workspace,
      scannedPath: kind === 'code' ? clone : undefined,
      cwd: workspace
    })
    const report = file.kind === 'read' ? file.report : undefined
    // With a secretless configuration each cnspec process exchanges on its own; one whose
    // exchange failed scans in incognito and says so only as a warning: nothing reached Mondoo.
    if (fellBackToIncognito(run.stderr))
      return failed(
        kind,
        "cnspec could not exchange the job's id-token and fell back to an incognito scan: nothing was uploaded to Mondoo"
      )
    const verdict = judgeReportFile(file, run.exitCode, scan.threshold, run.stderr)
    return { kind, verdict, report, sarifFile: report ? sarifFile : undefined }
  } finally {
    if (clone) rmSync(clone, { recursive: true, force: true })
  }
}

const WORST_VERDICT_FIRST: VerdictKind[] = [
  'scan-failed',
  'asset-error',
  'threshold',
  'pass-through',
  'passed'
]

/** One record per repository, whatever was scanned: the worst verdict, the worst risk, summed counts. */
export function recordOf(
  repository: string,
  results: KindResult[],
  durationMs: number
): RepositoryRecord {
  const verdict =
    WORST_VERDICT_FIRST.find(kind => results.some(r => r.verdict.kind === kind)) ?? 'scan-failed'
  const assets = results.flatMap(r => r.report?.assets ?? [])
  const risks = results.map(r => r.report?.worstRisk).filter((n): n is number => n !== undefined)
  const scored = assets.filter(a => a.score !== undefined)
  const worstAsset = scored.sort((a, b) => (a.score as number) - (b.score as number))[0]
  const errors = results
    .filter(r => !r.verdict.ok && r.verdict.kind !== 'threshold')
    .map(r => `${r.kind}: ${r.verdict.message.split('\n')[0]}`)
  const record: RepositoryRecord = {
    repository,
    verdict,
    ok: results.length > 0 && results.every(r => r.verdict.ok),
    assetsScanned: assets.length,
    assetErrors: assets.filter(a => a.error !== undefined).length,
    checksFailed: assets.reduce((n, a) => n + a.counts.failed, 0),
    checksPassed: assets.reduce((n, a) => n + a.counts.passed, 0),
    durationMs
  }
  if (risks.length) record.worstRisk = Math.max(...risks)
  if (worstAsset?.score !== undefined) record.score = worstAsset.score
  if (worstAsset?.grade) record.grade = worstAsset.grade
  if (errors.length) record.error = errors.join('; ')
  return record
}

/** Scans one repository in every way asked for; never throws. */
export async function scanRepository(
  scan: RepositoryScan
): Promise<{ record: RepositoryRecord; results: KindResult[] }> {
  const started = Date.now()
  const results: KindResult[] = []
  for (const kind of scan.kinds) {
    try {
      results.push(await scanOne(scan, kind))
    } catch (error) {
      results.push(failed(kind, error instanceof Error ? error.message : String(error)))
    }
  }
  return {
    record: recordOf(`${scan.organisation}/${scan.name}`, results, Date.now() - started),
    results
  }
}
