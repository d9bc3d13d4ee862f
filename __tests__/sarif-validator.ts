import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type * as Sarif from 'sarif'
import { ROOT, tempDir } from '../sandbox/runner.js'

const VALIDATOR = join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool')

/**
 * Microsoft's SARIF validator with the SARIF and GitHub ingestion rules: the errors it
 * reports, one line each. It exits 0 even when it finds errors (they are results of its own
 * SARIF log), so the log is read, not the exit code.
 */
export async function validateSarif(file: string): Promise<string[]> {
  const out = join(tempDir('sarif-validate'), 'validation.sarif')
  // execFile, no shell: "Sarif;Gh" must arrive as one argument.
  await promisify(execFile)(VALIDATOR, ['validate', '--rule-kind', 'Sarif;Gh', '-o', out, file])
  const log = JSON.parse(readFileSync(out, 'utf8')) as Sarif.Log
  return (log.runs[0]?.results ?? [])
    .filter(r => r.level === 'error')
    .map(r => `${r.ruleId}: ${r.message.id} ${JSON.stringify(r.message.arguments)}`)
}
