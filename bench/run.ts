// `npm run bench`: how long the bundled action takes, as ratios against baselines measured
// in this same run, so the numbers mean the same on a laptop and on a loaded CI machine.
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSandbox, type Sandbox } from '../sandbox/start.js'
import type { RunOptions } from '../sandbox/runner.js'
import { benchSarif } from './sarif.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const DELAY_MS = 400
const FORK = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
const QUIET = { status: 'false', scan: 'false', 'cnspec-version': '13.34.0' }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function time(sandbox: Sandbox, options: () => RunOptions): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const opts = options()
    const start = performance.now()
    const result = await sandbox.run(opts)
    samples.push(performance.now() - start)
    if (result.exitCode !== 0) throw new Error(`benchmark run failed:\n${result.stdout}`)
  }
  return median(samples)
}

const sandbox = await startSandbox()
try {
  const archive = sandbox.releases.archive(
    '13.34.0',
    `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`
  ).data
  // Make the exchange and the download each take about DELAY_MS, as on a real network.
  sandbox.sts.delayMs = DELAY_MS
  sandbox.releases.throttle = Math.ceil(archive.length / (DELAY_MS / 50))
  const warmCache = mkdtempSync(join(tmpdir(), 'cnspec-bench-'))
  await sandbox.run({ inputs: QUIET, toolCache: warmCache })

  const nodeStart = median(
    Array.from({ length: ROUNDS }, () => {
      const start = performance.now()
      spawnSync(process.execPath, ['-e', '0'])
      return performance.now() - start
    })
  )
  const signInOnly = await time(sandbox, () => ({ inputs: QUIET, toolCache: warmCache }))
  const installOnly = await time(sandbox, () => ({
    inputs: { ...QUIET, 'on-missing-id-token': 'incognito' },
    env: FORK
  }))
  const cold = await time(sandbox, () => ({ inputs: QUIET }))
  const warm = await time(sandbox, () => ({ inputs: QUIET, toolCache: warmCache }))
  sandbox.sts.delayMs = 0
  sandbox.releases.throttle = undefined
  const fullJob = await time(sandbox, () => ({
    inputs: { 'cnspec-version': '13.34.0' },
    toolCache: warmCache
  }))

  const rows: Array<[string, string]> = [
    ['sign-in alone (warm cache), ms', signInOnly.toFixed(0)],
    ['install alone (cold cache, no sign-in), ms', installOnly.toFixed(0)],
    ['cold start: sign-in + install, ms', cold.toFixed(0)],
    [
      'cold / (sign-in + install)   (1.0 = done one after the other)',
      (cold / (signInOnly + installOnly)).toFixed(2)
    ],
    [
      'cold / max(sign-in, install) (1.0 = fully concurrent)',
      (cold / Math.max(signInOnly, installOnly)).toFixed(2)
    ],
    ['warm / cold', (warm / cold).toFixed(2)],
    [
      'whole job, no network delay (status + scan) / bare node start',
      (fullJob / nodeStart).toFixed(1)
    ]
  ]
  console.log(`Medians of ${ROUNDS} runs; exchange and download each delayed ~${DELAY_MS} ms.\n`)
  for (const [name, value] of rows) console.log(`${name.padEnd(66)} ${value}`)
} finally {
  await sandbox.close()
}

// Reading and rendering a large report: a separate measurement, no sandbox involved.
console.log(`\nReading a large SARIF report (medians of ${ROUNDS} rounds):\n`)
for (const [name, value] of benchSarif(ROUNDS)) console.log(`${name.padEnd(66)} ${value}`)

// Organisation summary: reading, checking and rendering 5,000 repository records, as a ratio
// to JSON.parse of the same record texts (the least any reader must do).
{
  const { generateRecords } = await import('../sandbox/org-records.js')
  const { parseRecords } = await import('../src/org/records.js')
  const { STEP_LIMITS, renderOrgSummary, totalsOf } = await import('../src/org/render-summary.js')
  const COUNT = 5000
  const files = generateRecords('acme', COUNT).map(r => ({
    name: `${r.repository}.json`,
    text: JSON.stringify(r)
  }))
  const SUMMARY_ROUNDS = Math.max(ROUNDS, 15)
  const measure = (work: () => unknown): number =>
    median(
      Array.from({ length: SUMMARY_ROUNDS }, () => {
        const start = performance.now()
        work()
        return performance.now() - start
      })
    )
  let stepBytes = 0
  let fullBytes = 0
  const summarise = () => {
    const { records } = parseRecords(files)
    const totals = totalsOf(records, [])
    const input = { organisation: 'acme', records, missing: [], threshold: 80 }
    stepBytes = Buffer.byteLength(renderOrgSummary({ ...input, limits: STEP_LIMITS }, totals))
    fullBytes = Buffer.byteLength(renderOrgSummary(input, totals))
  }
  summarise() // warm up both paths before timing
  files.forEach(f => JSON.parse(f.text))
  const parseOnly = measure(() => files.forEach(f => JSON.parse(f.text)))
  const whole = measure(summarise)
  console.log(`\nOrganisation summary of ${COUNT} records, medians of ${SUMMARY_ROUNDS} runs:\n`)
  const rows: Array<[string, string]> = [
    ['JSON.parse of the records, ms', parseOnly.toFixed(1)],
    ['read + check + step summary + full report, ms', whole.toFixed(1)],
    ['summary / JSON.parse', (whole / parseOnly).toFixed(1)],
    ['step summary, bytes (GitHub limit 1048576)', String(stepBytes)],
    ['full report file, bytes', String(fullBytes)]
  ]
  for (const [name, value] of rows) console.log(`${name.padEnd(66)} ${value}`)
}
