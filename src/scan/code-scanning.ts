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
//   cnspec gave (title, description), never invented.
import type * as Sarif from 'sarif'
import { repoPath, type PathContext } from './repo-path.js'

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

/**
 * cnspec's SARIF log, ready for github/codeql-action/upload-sarif. `cnspecVersion` is the
 * installed cnspec's own version, for reports whose driver does not carry it.
 */
export function codeScanningSarif(
  log: Sarif.Log,
  paths: PathContext,
  cnspecVersion?: string
): Sarif.Log {
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
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [run]
  }
}
