// What the action understands of one cnspec scan, read from cnspec's SARIF report. The scan
// step, the organisation summary and the renderers all work from these shapes, never from
// cnspec's log text. Every string in them came from the report: untrusted, render it through
// src/text.ts.

/** Which SARIF generation cnspec wrote (see shared facts: 13.3.2, 13.25, 13.33). */
export type SarifGeneration = 'basic' | 'located' | 'rich'

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'NONE'

export interface Location {
  /** Relative to the repository root (GITHUB_WORKSPACE), "/" separated. */
  path: string
  startLine?: number
  endLine?: number
}

export interface Finding {
  ruleId: string
  title: string
  /**
   * cnspec's result status: fail, error, pass, skip, unscored, unknown; "pass or skip"
   * before 13.33, whose SARIF does not tell them apart.
   */
  status: string
  level: 'error' | 'warning' | 'note' | 'none'
  severity?: Severity
  /** 0–100, when the report has it (13.33+). */
  risk?: number
  message?: string
  location?: Location
  /** GitHub's 0.0–10.0 `security-severity` of the rule, when the report has it. */
  securitySeverity?: string
}

/** One installed package with every advisory cnspec reported for it (one result each). */
export interface VulnerablePackage {
  name: string
  installedVersion?: string
  fixedVersion?: string
  /** The highest severity of its results. */
  severity?: Severity
  advisories: string[]
}

export interface AssetResult {
  name: string
  platform?: string
  /** 0–100 (100 best), when the report has it. */
  score?: number
  grade?: string
  counts: { passed: number; failed: number; errored: number; skipped: number }
  /** Set when cnspec could not scan this asset (an `asset-error` result). */
  error?: string
  findings: Finding[]
  packages: VulnerablePackage[]
  /** cnspec's own count of affected packages (`packagesAffected`), when the report has it. */
  packagesAffected?: number
  /**
   * Before 13.33 cnspec's SARIF gives passed and skipped checks the same level ("none") and
   * no kind: this many results are one or the other, and `counts` leaves them out.
   */
  passedOrSkipped?: number
}

export interface ScanReport {
  generation: SarifGeneration
  assets: AssetResult[]
  /** 100 − the lowest asset score: what cnspec compares with --risk-threshold. */
  worstRisk?: number
  /** tool.driver.version, when cnspec wrote it. */
  cnspecVersion?: string
}

/** How a scan ended, decided from the report and the exit code, never from log text. */
export type VerdictKind =
  | 'passed' // exit 0
  | 'threshold' // report written, no asset error, exit 1
  | 'asset-error' // an asset-error result, whatever the exit code
  | 'scan-failed' // no report written
  | 'pass-through' // the user took the report (another format, or cnspec without SARIF)

export interface Verdict {
  kind: VerdictKind
  ok: boolean
  exitCode: number
  /** One or more sentences for the log, the error and the summary. */
  message: string
  /** The risk threshold the verdict was judged against (input or args), when one was set. */
  threshold?: number
}

/** The small record kept per scanned repository by the organisation scan. */
export interface RepositoryRecord {
  repository: string
  verdict: VerdictKind
  ok: boolean
  worstRisk?: number
  score?: number
  grade?: string
  assetsScanned: number
  assetErrors: number
  checksFailed: number
  checksPassed: number
  /** Why it could not be scanned, in one line. */
  error?: string
  durationMs?: number
}
