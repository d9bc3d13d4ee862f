// Reads cnspec's SARIF report into a ScanReport. Three generations exist (shared facts,
// "SARIF from cnspec scan, by version"): 13.3.2 basic (titles and levels only), 13.25 located
// (plus file and lines), 13.33 rich (scores, grades, counts, risk, packages). What a
// generation does not carry stays undefined here: nothing is derived that cnspec did not say.
import type * as Sarif from 'sarif'
import { readFileSync, statSync } from 'node:fs'
import type {
  AssetResult,
  Finding,
  Location,
  SarifGeneration,
  ScanReport,
  Severity,
  VulnerablePackage
} from './report-types.js'
import { repoPath, type PathContext } from './repo-path.js'

export const ASSET_ERROR_RULE = 'asset-error'

export class ReportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReportError'
  }
}

const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'NONE']

/** cnspec's labels for a risk (0–100): ≥ 90 CRITICAL, ≥ 70 HIGH, ≥ 40 MEDIUM, ≥ 1 LOW. */
export function severityOfRisk(risk: number): Severity {
  if (risk >= 90) return 'CRITICAL'
  if (risk >= 70) return 'HIGH'
  if (risk >= 40) return 'MEDIUM'
  if (risk >= 1) return 'LOW'
  return 'NONE'
}

type Bag = Record<string, unknown>

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined
const severity = (value: unknown): Severity | undefined => {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined
  return SEVERITIES.find(s => s === upper)
}
const bag = (value: unknown): Bag =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Bag) : {}
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : [])

interface RuleInfo {
  title?: string
  severity?: Severity
  securitySeverity?: string
  level?: Finding['level']
}

function ruleInfo(rule: Sarif.ReportingDescriptor): RuleInfo {
  const props = bag(rule.properties)
  return {
    // 13.33+ sets name and shortDescription to the title; before, shortDescription is the
    // check's description, so only `name` is a title in every generation.
    title: text(rule.name),
    severity: severity(props.severity),
    securitySeverity: text(props['security-severity']),
    level: rule.defaultConfiguration?.level
  }
}

function level(value: unknown): Finding['level'] | undefined {
  return value === 'error' || value === 'warning' || value === 'note' || value === 'none'
    ? value
    : undefined
}

/** The status cnspec gave the result: its property in 13.33+, else what the kind says. */
function statusOf(result: Sarif.Result, props: Bag, rich: boolean, lvl: string): string {
  const status = text(props.status)?.toLowerCase()
  if (status) return status === 'skipped' ? 'skip' : status
  switch (result.kind) {
    case 'pass':
      return 'pass'
    case 'fail':
      return 'fail'
    case 'notApplicable':
      return 'skip'
    case 'informational':
      return 'unscored'
    case 'review':
      return 'unknown'
  }
  if (rich) return lvl === 'none' ? 'unknown' : 'fail'
  // Before 13.33 a passed and a skipped check look the same: level "none", no kind.
  return lvl === 'none' ? 'pass or skip' : 'fail'
}

// 13.33+ repeats the status, severity and score after the title: "FAIL · HIGH · score 20/100".
const STATUS_PREFIX =
  /^(?:PASS|FAIL|ERROR|SKIPPED|UNSCORED|UNKNOWN)(?: · [A-Z]+ · score \d+\/100)?(?: · )?/

/** cnspec's own message: without the "<title>: " every generation repeats, nor the status. */
function messageOf(raw: string | undefined, title: string): string | undefined {
  if (raw === undefined) return undefined
  let rest = raw
  if (rest.startsWith(title)) rest = rest.slice(title.length).replace(/^:\s*/, '')
  rest = rest.replace(STATUS_PREFIX, '').replace(/^\s+/, '')
  return rest === '' ? undefined : rest
}

function locationOf(
  result: Sarif.Result,
  run: Sarif.Run,
  paths: PathContext
): Location | undefined {
  for (const loc of list<Sarif.Location>(result.locations)) {
    const physical = loc.physicalLocation
    const artifact = physical?.artifactLocation
    let uri = text(artifact?.uri)
    if (!uri) continue
    const base = artifact?.uriBaseId ? run.originalUriBaseIds?.[artifact.uriBaseId]?.uri : undefined
    if (base && !/^[a-z][a-z0-9+.-]+:/i.test(uri)) uri = new URL(uri, base).href
    const resolved = repoPath(uri, paths)
    if (!resolved) continue
    const region = physical?.region
    const location: Location = { path: resolved.path }
    const start = num(region?.startLine)
    if (start !== undefined && start >= 1) {
      location.startLine = start
      const end = num(region?.endLine)
      if (end !== undefined && end >= start) location.endLine = end
    }
    return location
  }
  return undefined
}

/**
 * cnspec writes one result per affected package and advisory: a package with two advisories
 * is one package, listed once with both.
 */
function addPackage(packages: VulnerablePackage[], props: Bag): void {
  const name = text(props.package) ?? 'unknown package'
  const installedVersion = text(props.installedVersion)
  let pkg = packages.find(p => p.name === name && p.installedVersion === installedVersion)
  if (!pkg) {
    pkg = { name, installedVersion, fixedVersion: text(props.fixedVersion), advisories: [] }
    packages.push(pkg)
  }
  const sev = severity(props.severity)
  if (sev && (!pkg.severity || SEVERITIES.indexOf(sev) < SEVERITIES.indexOf(pkg.severity)))
    pkg.severity = sev
  pkg.fixedVersion ??= text(props.fixedVersion)
  const advisory = text(props.advisory)
  if (advisory && !pkg.advisories.includes(advisory)) pkg.advisories.push(advisory)
}

function assetNameOf(run: Sarif.Run, index: number): string {
  const props = bag(run.properties)
  const fromProps = text(props.asset)
  if (fromProps) return fromProps
  for (const result of list<Sarif.Result>(run.results))
    for (const loc of list<Sarif.Location>(result.locations))
      for (const logical of list<Sarif.LogicalLocation>(loc.logicalLocations))
        if (logical.kind === 'asset' && text(logical.name)) return logical.name as string
  const automation = text(run.automationDetails?.id)
  if (automation) return automation.replace(/^cnspec\//, '')
  return `asset ${index + 1}`
}

function countsOf(props: Bag, findings: Finding[]): AssetResult['counts'] {
  const from = {
    passed: num(props.checksPassed),
    failed: num(props.checksFailed),
    errored: num(props.checksErrored),
    skipped: num(props.checksSkipped)
  }
  if (Object.values(from).every(v => v !== undefined)) return from as AssetResult['counts']
  // A check that fails on several resources has one result per resource: count checks.
  const byRule = new Map<string, string>()
  for (const f of findings) if (!byRule.has(f.ruleId)) byRule.set(f.ruleId, f.status)
  const counts = { passed: 0, failed: 0, errored: 0, skipped: 0 }
  for (const status of byRule.values()) {
    if (status === 'pass') counts.passed++
    else if (status === 'fail') counts.failed++
    else if (status === 'error') counts.errored++
    else if (status === 'skip') counts.skipped++
  }
  return counts
}

function isRich(runs: Sarif.Run[]): boolean {
  return runs.some(run => {
    const props = bag(run.properties)
    if (props.score !== undefined || props.checksTotal !== undefined) return true
    return list<Sarif.Result>(run.results).some(
      r => r.kind !== undefined || r.rank !== undefined || bag(r.properties).status !== undefined
    )
  })
}

function isLocated(runs: Sarif.Run[]): boolean {
  return runs.some(run =>
    list<Sarif.Result>(run.results).some(r =>
      list<Sarif.Location>(r.locations).some(l => l.physicalLocation !== undefined)
    )
  )
}

function readRun(run: Sarif.Run, index: number, rich: boolean, paths: PathContext): AssetResult {
  const props = bag(run.properties)
  const name = assetNameOf(run, index)
  const rules = new Map<string, RuleInfo>()
  const ruleList = list<Sarif.ReportingDescriptor>(run.tool?.driver?.rules)
  for (const rule of ruleList) if (text(rule.id)) rules.set(rule.id, ruleInfo(rule))

  const asset: AssetResult = {
    name,
    platform: text(props.platform),
    score: num(props.score),
    grade: text(props.grade),
    counts: { passed: 0, failed: 0, errored: 0, skipped: 0 },
    findings: [],
    packages: []
  }
  const errors: string[] = []
  for (const result of list<Sarif.Result>(run.results)) {
    const ruleId =
      text(result.ruleId) ??
      text(result.rule?.id) ??
      (result.ruleIndex !== undefined ? ruleList[result.ruleIndex]?.id : undefined) ??
      'unknown'
    const resultProps = bag(result.properties)
    const raw = text(result.message?.text)
    if (ruleId === ASSET_ERROR_RULE) {
      const prefix = `Asset ${name}: `
      errors.push(raw?.startsWith(prefix) ? raw.slice(prefix.length) : (raw ?? 'unknown error'))
      continue
    }
    if (text(resultProps.package)) {
      addPackage(asset.packages, resultProps)
      continue
    }
    const rule = rules.get(ruleId) ?? {}
    const title = rule.title ?? ruleId
    const lvl = level(result.level) ?? rule.level ?? 'warning'
    const finding: Finding = {
      ruleId,
      title,
      status: statusOf(result, resultProps, rich, lvl),
      level: lvl
    }
    const risk = num(resultProps.risk) ?? (rich ? num(result.rank) : undefined)
    if (risk !== undefined) finding.risk = risk
    const sev =
      severity(resultProps.severity) ?? (risk !== undefined ? severityOfRisk(risk) : undefined)
    if (sev) finding.severity = sev
    if (rule.securitySeverity) finding.securitySeverity = rule.securitySeverity
    const message = messageOf(raw, title)
    if (message) finding.message = message
    const location = locationOf(result, run, paths)
    if (location) finding.location = location
    asset.findings.push(finding)
  }
  if (errors.length) asset.error = errors.join('; ')
  const affected = num(props.packagesAffected)
  if (affected !== undefined && Number.isInteger(affected) && affected >= 0)
    asset.packagesAffected = affected
  asset.counts = countsOf(props, asset.findings)
  if (!rich) {
    const unclear = new Set(
      asset.findings.filter(f => f.status === 'pass or skip').map(f => f.ruleId)
    )
    if (unclear.size) asset.passedOrSkipped = unclear.size
  }
  return asset
}

/**
 * Reads the SARIF log cnspec wrote. Throws ReportError when it is not one (cnspec stopped
 * mid-write, or something else wrote the file); never guesses a missing value.
 */
export function readReport(
  sarif: unknown,
  options: { workspace: string; scannedPath?: string; cwd?: string }
): ScanReport {
  const log = bag(sarif) as Partial<Sarif.Log>
  if (!Array.isArray(log.runs))
    throw new ReportError('the file is not a SARIF report (it has no "runs" array)')
  const runs = log.runs as Sarif.Run[]
  const rich = isRich(runs)
  const generation: SarifGeneration = rich ? 'rich' : isLocated(runs) ? 'located' : 'basic'
  const assets = runs.map((run, i) => readRun(bag(run) as unknown as Sarif.Run, i, rich, options))
  const scores = assets.map(a => a.score).filter((s): s is number => s !== undefined)
  const report: ScanReport = { generation, assets }
  if (scores.length) report.worstRisk = 100 - Math.min(...scores)
  const version = runs.map(r => text(r.tool?.driver?.version)).find(Boolean)
  if (version) report.cnspecVersion = version
  return report
}

/** What cnspec left at its --output-target. */
export type ReportFile =
  | { kind: 'missing' }
  /** cnspec creates the file first; when every asset failed it writes nothing into it. */
  | { kind: 'empty' }
  | { kind: 'unreadable'; error: string }
  | { kind: 'read'; sarif: unknown; report: ScanReport }

export function readReportFile(file: string, paths: PathContext): ReportFile {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return { kind: 'missing' }
  }
  if (size === 0) return { kind: 'empty' }
  try {
    const sarif: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return { kind: 'read', sarif, report: readReport(sarif, paths) }
  } catch (error) {
    // A half-written or foreign file is no report.
    return { kind: 'unreadable', error: error instanceof Error ? error.message : String(error) }
  }
}
