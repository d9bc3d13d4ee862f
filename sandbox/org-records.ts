import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RepositoryRecord } from '../src/scan/report-types.js'

/** Text an attacker could put in a repository's report or cnspec's error output. */
export const HOSTILE =
  '<img src=x onerror=alert(1)> **bold** [link](https://evil.example) | `code`\n::error::injected'

/**
 * Records as the batch jobs write them, for an organisation of `count` repositories: about
 * 1 in 9 over the threshold, 1 in 25 not scanned (with a hostile reason), the rest passed,
 * with risks spread over 0–100.
 */
export function generateRecords(
  organisation: string,
  count: number,
  threshold = 80
): RepositoryRecord[] {
  const width = String(count).length
  return Array.from({ length: count }, (_, i) => {
    const repository = `${organisation}/repo-${String(i + 1).padStart(width, '0')}`
    if (i % 25 === 24)
      return {
        repository,
        verdict: 'scan-failed',
        ok: false,
        assetsScanned: 0,
        assetErrors: 0,
        checksFailed: 0,
        checksPassed: 0,
        error: `settings: cnspec could not scan ${repository}: ${HOSTILE}`,
        durationMs: 1500
      }
    const worstRisk = (i * 37) % 101
    const over = worstRisk >= threshold
    return {
      repository,
      verdict: over ? 'threshold' : 'passed',
      ok: !over,
      worstRisk,
      score: 100 - worstRisk,
      grade: worstRisk >= 90 ? 'F' : worstRisk >= 70 ? 'D' : worstRisk >= 40 ? 'C' : 'A',
      assetsScanned: 1,
      assetErrors: 0,
      checksFailed: (i * 7) % 40,
      checksPassed: 60 + (i % 30),
      durationMs: 20000 + (i % 13) * 1000
    }
  })
}

/** Writes them as downloaded artifacts look: cnspec-org-batch-<n>/records/<name>.json. */
export function writeRecords(directory: string, records: RepositoryRecord[], perBatch = 20): void {
  records.forEach((record, i) => {
    const dir = join(directory, `cnspec-org-batch-${Math.floor(i / perBatch) + 1}`, 'records')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, `${record.repository.split('/')[1]}.json`), JSON.stringify(record))
  })
}
