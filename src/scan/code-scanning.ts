// The SARIF file behind the `report-file` output: cnspec's own report, made acceptable to
// GitHub code scanning. What changes, and why:
// - one run instead of one per asset: GitHub rejects a file with several runs of the same
//   tool and category (since 2025-07), and cnspec before 13.33 writes no category at all;
//   leaving `automationDetails` out lets upload-sarif's `category` input name the run;
// - only failing results: code scanning does not read `kind`, so a passed or skipped check
//   would become an alert;
// - paths relative to the repository root (cnspec writes them relative to what it scanned);
// - every result anchored to a file, as code scanning requires ("expected a physical
//   location"): a result cnspec gave only an asset is anchored to an artifact named after
//   that asset, and marked so;
// - rule texts GitHub requires (short and full description, help) filled in from the texts
//   cnspec gave (title, description), never invented;
// - within GitHub's upload limits, which reject the whole file when one is passed (shared
//   facts, "GitHub code scanning upload limits"): at most 25,000 results (the highest-risk
//   ones are kept), 20 tags per rule, 1,000 locations per result, one run (of 20 allowed),
//   and under 10 MB gzipped, trimmed in that order; only rules that a kept result uses.
import { gzipSync } from 'node:zlib'
import type * as Sarif from 'sarif'
import { repoPath, type PathContext } from './repo-path.js'

export const LIMITS = {
  resultsPerRun: 25000,
  tagsPerRule: 20,
  locationsPerResult: 1000,
  gzippedBytes: 10 * 1000 * 1000
}

/** What had to be left out of the code-scanning report; the full report stays beside it. */
export interface Trimmed {
  /** Results kept, of `total`: the lowest-risk ones went (count or size limit). */
  kept: number
  total: number
  /** Rules whose tags were cut to 20. */
  rulesWithTagsCut: number
  /** Results whose locations were cut to 1,000. */
  resultsWithLocationsCut: number
  /** The size limit, not only the count, left results out. */
  bySize: boolean
}

type Bag = Record<string, unknown>

const textOf = (m: Sarif.MultiformatMessageString | Sarif.Message | undefined) =>
  typeof m?.text === 'string' && m.text !== '' ? m.text : undefined

/** A repository-relative path as a URI reference: each segment percent-encoded. */
function uriOf(path: string): string {
  return path
    .split('/')
    .map(segment => encodeURIComponent(segment))
    .join('/')
}

function isFailure(result: Sarif.Result): boolean {
  if (result.kind !== undefined) return result.kind === 'fail'
  // Before 13.33 cnspec writes no kind; passed and skipped checks have level "none".
  return result.level !== 'none'
}

function completeRule(rule: Sarif.ReportingDescriptor): Sarif.ReportingDescriptor {
  const title = rule.name ?? textOf(rule.shortDescription) ?? rule.id
  const short = textOf(rule.shortDescription) ?? title
  const full = textOf(rule.fullDescription) ?? short
  return {
    ...rule,
    shortDescription: rule.shortDescription?.text ? rule.shortDescription : { text: short },
    fullDescription: rule.fullDescription?.text ? rule.fullDescription : { text: full },
    help: rule.help?.text ? rule.help : { text: full === title ? title : `${title}\n\n${full}` }
  }
}

function assetOf(run: Sarif.Run): string {
  const name = (run.properties as Bag | undefined)?.asset
  return typeof name === 'string' && name !== '' ? name : 'asset'
}

function relocate(
  result: Sarif.Result,
  asset: string,
  run: Sarif.Run,
  paths: PathContext
): Sarif.Result {
  const locations: Sarif.Location[] = []
  let located = false
  for (const loc of result.locations ?? []) {
    const artifact = loc.physicalLocation?.artifactLocation
    let uri = artifact?.uri
    const base = artifact?.uriBaseId ? run.originalUriBaseIds?.[artifact.uriBaseId]?.uri : undefined
    if (uri && base && !/^[a-z][a-z0-9+.-]+:/i.test(uri)) uri = new URL(uri, base).href
    const resolved = uri ? repoPath(uri, paths) : undefined
    if (!loc.physicalLocation || !resolved?.inRepository) {
      // A file outside the checkout (or none) cannot be shown: keep what else it says.
      const rest = { ...loc }
      delete rest.physicalLocation
      if (Object.keys(rest).length) locations.push(rest)
      continue
    }
    const region = loc.physicalLocation.region
    const physical: Sarif.PhysicalLocation = {
      ...loc.physicalLocation,
      artifactLocation: { uri: uriOf(resolved.path) }
    }
    if (!region || !(typeof region.startLine === 'number' && region.startLine >= 1))
      delete physical.region
    locations.push({ ...loc, physicalLocation: physical })
    located = true
  }
  const out: Sarif.Result = { ...result, locations }
  delete out.ruleIndex
  if (!located) {
    locations.unshift({
      physicalLocation: { artifactLocation: { uri: encodeURIComponent(asset) } },
      logicalLocations: [{ name: asset, kind: 'asset' }]
    })
    out.properties = { ...result.properties, anchoredToAsset: asset }
  }
  return out
}

const LEVEL_RISK: Record<string, number> = { error: 70, warning: 40, note: 1 }

/** A result's risk (0–100) for choosing what to keep; an asset error outranks every finding. */
function riskOf(result: Sarif.Result): number {
  if (result.ruleId === 'asset-error') return 101
  const risk = (result.properties as Bag | undefined)?.risk
  if (typeof risk === 'number' && Number.isFinite(risk)) return risk
  if (typeof result.rank === 'number' && result.rank >= 0) return result.rank
  return LEVEL_RISK[result.level ?? 'warning'] ?? 0
}

/** The `count` highest-risk results, in the order cnspec wrote them. */
function highestRisk(results: Sarif.Result[], count: number): Sarif.Result[] {
  if (results.length <= count) return results
  const keep = new Set(
    results
      .map((result, index) => ({ index, risk: riskOf(result) }))
      .sort((a, b) => b.risk - a.risk || a.index - b.index)
      .slice(0, count)
      .map(r => r.index)
  )
  return results.filter((_, index) => keep.has(index))
}

function cutTags(rule: Sarif.ReportingDescriptor): Sarif.ReportingDescriptor | undefined {
  const tags = (rule.properties as Bag | undefined)?.tags
  if (!Array.isArray(tags) || tags.length <= LIMITS.tagsPerRule) return undefined
  // cnspec lists "security" first: it is what makes an alert a security alert.
  return { ...rule, properties: { ...rule.properties, tags: tags.slice(0, LIMITS.tagsPerRule) } }
}

/**
 * Keeps the log within GitHub's limits, in their order of priority: results per run,
 * tags per rule, locations per result, then the gzipped size (lowest-risk results go until
 * it fits). Returns the log as the file's text, and what was cut, if anything.
 */
function withinLimits(
  run: Sarif.Run,
  wrap: (run: Sarif.Run) => Sarif.Log
): { text: string; trimmed?: Trimmed } {
  const all = run.results ?? []
  let results = highestRisk(all, LIMITS.resultsPerRun)
  let rulesWithTagsCut = 0
  const rules = (run.tool.driver.rules ?? []).map(rule => {
    const cut = cutTags(rule)
    if (cut) rulesWithTagsCut++
    return cut ?? rule
  })
  let resultsWithLocationsCut = 0
  results = results.map(result => {
    if ((result.locations?.length ?? 0) <= LIMITS.locationsPerResult) return result
    resultsWithLocationsCut++
    return { ...result, locations: result.locations!.slice(0, LIMITS.locationsPerResult) }
  })
  const used = () => {
    const ids = new Set(results.map(r => r.ruleId))
    return rules.filter(rule => ids.has(rule.id))
  }
  run.results = results
  run.tool.driver.rules = used()
  let bySize = false
  let text = JSON.stringify(wrap(run))
  // Only a file near the limit before compression can be over it after: gzip the rest never.
  while (Buffer.byteLength(text) > LIMITS.gzippedBytes * 0.99 && results.length) {
    const size = gzipSync(text).length
    if (size < LIMITS.gzippedBytes) break
    bySize = true
    // Shrink in proportion, with a margin, so that a few passes are enough.
    results = highestRisk(results, Math.floor((results.length * LIMITS.gzippedBytes * 0.9) / size))
    run.results = results
    run.tool.driver.rules = used()
    text = JSON.stringify(wrap(run))
  }
  if (results.length === all.length && !rulesWithTagsCut && !resultsWithLocationsCut)
    return { text }
  const trimmed = {
    kept: results.length,
    total: all.length,
    rulesWithTagsCut,
    resultsWithLocationsCut,
    bySize
  }
  return { text, trimmed }
}

/** One sentence for the warning and the summary: what was left out, and where it all is. */
export function trimmedNote(trimmed: Trimmed, fullReport: string): string {
  const parts: string[] = []
  if (trimmed.kept < trimmed.total)
    parts.push(
      `${trimmed.total - trimmed.kept} of its ${trimmed.total} results, the lowest-risk ones (GitHub accepts ` +
        `${trimmed.bySize ? 'files of at most 10 MB gzipped' : 'at most 25,000 results'} per upload)`
    )
  if (trimmed.rulesWithTagsCut)
    parts.push(`tags beyond the first 20 of ${trimmed.rulesWithTagsCut} rule(s)`)
  if (trimmed.resultsWithLocationsCut)
    parts.push(`locations beyond the first 1,000 of ${trimmed.resultsWithLocationsCut} result(s)`)
  return (
    `The code-scanning report (report-file) leaves out ${parts.join(', ')}, so that GitHub accepts it. ` +
    `cnspec's full report is ${fullReport}, beside it: keep both with actions/upload-artifact.`
  )
}

/**
 * cnspec's SARIF log, ready for github/codeql-action/upload-sarif. `cnspecVersion` is the
 * installed cnspec's own version, for reports whose driver does not carry it.
 */
export function codeScanningSarif(
  log: Sarif.Log,
  paths: PathContext,
  cnspecVersion?: string
): { log: Sarif.Log; text: string; trimmed?: Trimmed } {
  const runs = log.runs ?? []
  const first = runs[0]?.tool?.driver
  const rules = new Map<string, Sarif.ReportingDescriptor>()
  const results: Sarif.Result[] = []
  const assets: Bag[] = []
  for (const run of runs) {
    for (const rule of run.tool?.driver?.rules ?? [])
      if (rule.id && !rules.has(rule.id)) rules.set(rule.id, completeRule(rule))
    const asset = assetOf(run)
    assets.push({ ...(run.properties as Bag | undefined), asset })
    for (const result of run.results ?? [])
      if (isFailure(result)) results.push(relocate(result, asset, run, paths))
  }
  const driver: Sarif.ToolComponent = {
    ...first,
    name: first?.name ?? 'cnspec',
    informationUri: first?.informationUri ?? 'https://cnspec.io',
    rules: [...rules.values()]
  }
  const version = first?.version ?? cnspecVersion
  if (version) driver.version = version
  const run: Sarif.Run = { tool: { driver }, results, properties: { assets } }
  if (runs[0]?.columnKind) run.columnKind = runs[0].columnKind
  const wrap = (one: Sarif.Run): Sarif.Log => ({
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [one]
  })
  // `text` is what the file holds: serialised once, by the size check.
  return { log: wrap(run), ...withinLimits(run, wrap) }
}
