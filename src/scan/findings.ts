// What a report found, counted once for every view: the verdict, the log, the job summary and
// the outputs all count failing checks here, so they cannot disagree. A check that fails at
// two locations is one failing check with two locations.
import type { AssetResult, Finding, Location, ScanReport, Severity } from './report-types.js'
import { clip, logSafe } from '../text.js'

const LEVEL_RANK: Record<Finding['level'], number> = { error: 3, warning: 2, note: 1, none: 0 }
const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, NONE: 0 }

/** Highest risk first; without risks (SARIF before 13.33), highest level first. */
export function byRisk(
  a: Pick<Finding, 'risk' | 'level'>,
  b: Pick<Finding, 'risk' | 'level'>
): number {
  return (b.risk ?? -1) - (a.risk ?? -1) || LEVEL_RANK[b.level] - LEVEL_RANK[a.level]
}

export function isFailure(finding: Finding): boolean {
  return finding.status === 'fail' || finding.status === 'error'
}

/** One failing (or errored) check on one asset, with every location it fails at. */
export interface FailingCheck extends Omit<Finding, 'location'> {
  asset: string
  locations: Location[]
}

/** The failing checks of some assets, one per asset and check, highest risk first. */
export function failingChecks(assets: readonly AssetResult[]): FailingCheck[] {
  const checks: FailingCheck[] = []
  for (const asset of assets) {
    const byRule = new Map<string, FailingCheck>()
    for (const { location, ...finding } of asset.findings.filter(isFailure)) {
      let check = byRule.get(finding.ruleId)
      if (!check) {
        check = { ...finding, asset: asset.name, locations: [] }
        byRule.set(finding.ruleId, check)
        checks.push(check)
      } else if (byRisk(finding, check) < 0) Object.assign(check, finding)
      if (location) check.locations.push(location)
    }
  }
  return checks.sort(byRisk)
}

/** Failed and errored checks summed over the assets: cnspec's own counts. */
export function checkCounts(report: ScanReport): { failed: number; errored: number } {
  return report.assets.reduce(
    (n, a) => ({ failed: n.failed + a.counts.failed, errored: n.errored + a.counts.errored }),
    { failed: 0, errored: 0 }
  )
}

/** An asset's vulnerable packages as cnspec counts them: `packagesAffected` when the report has it. */
export function assetPackageCount(asset: AssetResult): number {
  return asset.packagesAffected ?? asset.packages.length
}

/** Vulnerable packages summed over the assets, as cnspec counts them. */
export function packageCount(report: ScanReport): number {
  return report.assets.reduce((n, a) => n + assetPackageCount(a), 0)
}

/** Whether the report holds anything to fix: a failed or errored check, a vulnerable package. */
export function foundAnything(report: ScanReport): boolean {
  const { failed, errored } = checkCounts(report)
  return failed + errored + packageCount(report) > 0
}

/**
 * The worst severity among failing checks and vulnerable packages, and what has it. This is
 * what a reader ranks by; cnspec's worst risk (from asset scores) is what the threshold uses.
 */
export function worstSeverity(
  report: ScanReport
): { severity: Severity; what: string } | undefined {
  let worst: { severity: Severity; what: string } | undefined
  const consider = (severity: Severity | undefined, what: () => string) => {
    if (
      severity &&
      severity !== 'NONE' &&
      (!worst || SEVERITY_RANK[severity] > SEVERITY_RANK[worst.severity])
    )
      worst = { severity, what: what() }
  }
  for (const asset of report.assets) {
    for (const f of asset.findings)
      if (isFailure(f)) consider(f.severity, () => `check "${logSafe(clip(f.title, 80))}"`)
    for (const p of asset.packages)
      consider(p.severity, () => `vulnerable package ${logSafe(clip(p.name, 80))}`)
  }
  return worst
}
