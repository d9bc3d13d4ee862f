import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import type { RepositoryRecord, VerdictKind } from '../scan/report-types.js'
import type { Batch } from './batches.js'

const VERDICTS: VerdictKind[] = [
  'passed',
  'threshold',
  'asset-error',
  'scan-failed',
  'pass-through'
]
const MAX_TEXT = 2000

type Bag = Record<string, unknown>

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0
const percent = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100
    ? value
    : undefined
const short = (value: unknown, max = MAX_TEXT): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined

/**
 * A record as written by another job and carried through an artifact: every field is
 * checked and bounded, nothing is trusted. Returns undefined for what is not a record.
 */
export function parseRecord(value: unknown): RepositoryRecord | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const bag = value as Bag
  const repository = short(bag.repository, 200)
  if (!repository) return undefined
  const verdict = VERDICTS.includes(bag.verdict as VerdictKind)
    ? (bag.verdict as VerdictKind)
    : 'scan-failed'
  const record: RepositoryRecord = {
    repository,
    verdict,
    ok: bag.ok === true && (verdict === 'passed' || verdict === 'pass-through'),
    assetsScanned: count(bag.assetsScanned),
    assetErrors: count(bag.assetErrors),
    checksFailed: count(bag.checksFailed),
    checksPassed: count(bag.checksPassed)
  }
  const worstRisk = percent(bag.worstRisk)
  if (worstRisk !== undefined) record.worstRisk = worstRisk
  const score = percent(bag.score)
  if (score !== undefined) record.score = score
  const grade = short(bag.grade, 2)
  if (grade) record.grade = grade
  const error = short(bag.error)
  if (error) record.error = error
  if (typeof bag.durationMs === 'number' && bag.durationMs >= 0) record.durationMs = bag.durationMs
  return record
}

export interface LoadedRecords {
  records: RepositoryRecord[]
  /** Files under a records/ folder that were not records (corrupt or foreign). */
  unreadable: string[]
}

/** Reads the records texts; a repository recorded twice (a re-run job) keeps its last record. */
export function parseRecords(files: Array<{ name: string; text: string }>): LoadedRecords {
  const byName = new Map<string, RepositoryRecord>()
  const unreadable: string[] = []
  for (const file of files) {
    let record: RepositoryRecord | undefined
    try {
      record = parseRecord(JSON.parse(file.text))
    } catch {
      record = undefined
    }
    if (record) byName.set(record.repository.toLowerCase(), record)
    else unreadable.push(file.name)
  }
  return { records: [...byName.values()], unreadable }
}

/** Every records/<name>.json below the directory, as the batch jobs' artifacts hold them. */
export function findRecordFiles(directory: string): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path, depth + 1)
      else if (entry.isFile() && entry.name.endsWith('.json') && basename(dir) === 'records')
        found.push(path)
    }
  }
  walk(directory, 0)
  return found.sort()
}

export function loadRecords(directory: string): LoadedRecords {
  return parseRecords(
    findRecordFiles(directory).map(path => ({ name: path, text: readFileSync(path, 'utf8') }))
  )
}

/** Where a batch's artifact lands in the summary job (the workflow names it so). */
function batchArtifact(directory: string, batchId: string): string {
  return join(directory, `cnspec-org-batch-${batchId}`)
}

/**
 * The records of a planned run: a repository's record counts only from the artifact of the
 * batch the plan assigned it to, and only when it names that repository. Every other record
 * file under the directory (a stray `cnspec-org-*` artifact, a repository not in the plan)
 * is `ignored`: it cannot change the verdict.
 */
export function loadPlannedRecords(
  directory: string,
  batches: Batch[]
): LoadedRecords & { ignored: string[] } {
  const accepted: Array<{ name: string; text: string }> = []
  const expected = new Set<string>()
  const wrong: string[] = []
  for (const batch of batches)
    for (const repository of batch.repositories) {
      const path = join(
        batchArtifact(directory, batch.id),
        'records',
        `${repository.slice(repository.indexOf('/') + 1)}.json`
      )
      if (!existsSync(path)) continue
      expected.add(resolve(path))
      const text = readFileSync(path, 'utf8')
      let named: unknown
      try {
        named = (JSON.parse(text) as { repository?: unknown }).repository
      } catch {
        named = undefined
      }
      if (typeof named === 'string' && named.toLowerCase() !== repository.toLowerCase())
        wrong.push(path)
      else accepted.push({ name: path, text })
    }
  const loaded = parseRecords(accepted)
  const ignored = [
    ...wrong,
    ...findRecordFiles(directory).filter(path => !expected.has(resolve(path)))
  ]
  return { ...loaded, ignored }
}
