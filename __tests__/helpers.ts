import { expect } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { findLeaks, maskedValues } from '../sandbox/leaks.js'
import type { RunResult } from '../sandbox/runner.js'
import { startSandbox, type Sandbox } from '../sandbox/start.js'
import { tempDir, type RunOptions } from '../sandbox/runner.js'

/** Retries in end-to-end runs wait milliseconds, not seconds; the policy is the same. */
export const FAST_RETRIES = { CNSPEC_KEYLESS_TEST_BACKOFF_BASE_MS: '10' }

export interface Harness {
  sandbox: Sandbox
  /** Runs dist/index.js and fails the test if any secret is visible anywhere it wrote. */
  run(options?: RunOptions): Promise<RunResult>
}

export async function harness(): Promise<Harness> {
  const sandbox = await startSandbox()
  return {
    sandbox,
    async run(options: RunOptions = {}) {
      const result = await sandbox.run({ ...options, env: { ...FAST_RETRIES, ...options.env } })
      expect(findLeaks(result, sandbox.secrets())).toEqual([])
      return result
    }
  }
}

/** The error line(s) the runner shows for a failed step. */
export function errorOf(result: RunResult): string {
  return result.stdout
    .split('\n')
    .filter(line => line.startsWith('::error::'))
    .map(line => line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%25/g, '%'))
    .join('\n')
}

export function warningsOf(result: RunResult): string[] {
  return result.stdout
    .split('\n')
    .filter(line => line.startsWith('::warning::'))
    .map(line => line.slice('::warning::'.length).replace(/%0A/g, '\n'))
}

export { maskedValues, tempDir }

/** A fresh file for the cnspec stand-in to log its calls to (env CNSPEC_STANDIN_LOG). */
export function callLog(): string {
  return join(tempDir('cnspec-calls'), 'calls.jsonl')
}

/** What the cnspec stand-in was called with, one entry per call. */
export function cnspecCalls(
  logFile: string
): Array<{ argv: string[]; credential: boolean; version: string }> {
  if (!existsSync(logFile)) return []
  return readFileSync(logFile, 'utf8')
    .trim()
    .split('\n')
    .map(line => JSON.parse(line))
}
