// `npm run bench`: how long the bundled action takes, as ratios against baselines measured
// in this same run (interleaved, medians), so the numbers mean the same on a laptop and on a
// loaded CI machine.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stsLoad } from '../sandbox/load.js'
import { paddedArchive } from '../sandbox/releases.js'
import { DIST, ROOT, makeRunnerDirs, tempDir, type RunOptions } from '../sandbox/runner.js'
import { startSandbox, type Sandbox } from '../sandbox/start.js'
import { benchSarif } from './sarif.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const BIG_MB = Number(process.env.BENCH_ARCHIVE_MB ?? 60)
const DELAY_MS = 400
const LOAD_JOBS = Number(process.env.BENCH_LOAD_JOBS ?? 200)
const LOAD_PER_SECOND = 20
const FORK = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }
const QUIET = { status: 'false', scan: 'false', 'cnspec-version': '13.34.0' }
const SMALL = '13.34.0'
const BIG = '13.99.0'
const PLATFORM = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** Times a child process; asynchronous, since the stand-in servers live in this process. */
function timeProc(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  mayFail = false
): Promise<number> {
  const start = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', code => {
      if (code !== 0 && !mayFail) reject(new Error(`${command} ${args.join(' ')} exited ${code}`))
      else resolve(performance.now() - start)
    })
  })
}

/** One run of dist/index.js, timed from spawn to exit (the runner's own setup left out). */
async function timeAction(sandbox: Sandbox, options: RunOptions): Promise<number> {
  let start = 0
  const result = await sandbox.run({ ...options, onSpawn: () => (start = performance.now()) })
  const ms = performance.now() - start
  if (result.exitCode !== 0) throw new Error(`benchmark run failed:\n${result.stdout}`)
  return ms
}

async function time(sandbox: Sandbox, options: () => RunOptions): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) samples.push(await timeAction(sandbox, options()))
  return median(samples)
}

/** What loading one dependency costs, bundled the way dist/ is, over a bare node start. */
async function dependencyCosts(bare: () => Promise<number>): Promise<Array<[string, number]>> {
  const costs: Array<[string, number]> = []
  for (const dep of ['@actions/core', '@actions/http-client', '@actions/exec']) {
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true })
    const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'bench-dep-'))
    try {
      writeFileSync(join(dir, 'entry.mjs'), `import * as m from '${dep}'\nvoid m\n`)
      execFileSync(
        join(ROOT, 'node_modules', '.bin', 'ncc'),
        ['build', join(dir, 'entry.mjs'), '-o', join(dir, 'out'), '--target', 'es2022'],
        { stdio: 'ignore' }
      )
      const bundle = join(dir, 'out', 'index.mjs')
      const samples: number[] = []
      for (let i = 0; i < ROUNDS; i++)
        samples.push((await timeProc(process.execPath, [bundle])) - (await bare()))
      costs.push([dep, median(samples)])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return costs
}

const sandbox = await startSandbox()
const rows: Array<[string, string]> = []
const row = (name: string, value: string) => {
  rows.push([name, value])
  console.error(`${name}: ${value}`)
}
try {
  sandbox.releases.addRelease(BIG, PLATFORM, paddedArchive(BIG, PLATFORM, BIG_MB * 1000 * 1000))
  const bigUrl = `${sandbox.releases.url}/cnspec/${BIG}/cnspec_${BIG}_${PLATFORM}.tar.gz`
  const bare = () => timeProc(process.execPath, ['-e', ''])
  // Removed with the sandbox's other folders when it closes.
  const noCache = () => tempDir('cnspec-bench')

  // 1. Cold install of the large archive against `node -e '' && curl | tee >(sha256sum) | tar xz`.
  const coldBaseline: number[] = []
  const coldAction: number[] = []
  // The install runs the verified binary once (`cnspec version`) before publishing it: with
  // this stand-in that is a second node start, which the curl|tar baseline never pays.
  const probes: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const out = noCache()
    coldBaseline.push(
      await timeProc('bash', [
        '-c',
        `"${process.execPath}" -e '' && curl -sf "${bigUrl}" | tee >(sha256sum >/dev/null) | tar xz -C "${out}"`
      ])
    )
    rmSync(out, { recursive: true, force: true })
    const toolCache = noCache()
    coldAction.push(
      await timeAction(sandbox, {
        inputs: { ...QUIET, 'cnspec-version': BIG, 'on-missing-id-token': 'incognito' },
        env: FORK,
        toolCache
      })
    )
    probes.push(await timeProc(join(toolCache, 'cnspec', BIG, process.arch, 'cnspec'), ['version']))
    rmSync(toolCache, { recursive: true, force: true })
  }
  const coldBase = median(coldBaseline)
  const cold = median(coldAction)
  const probe = median(probes)

  // 2. A warm run (sign-in, cnspec from the tool cache, status, scan) against its floor:
  //    `node -e ''` plus the cached cnspec run directly for status and scan. Both on one warm
  //    runner: its tool cache holds cnspec and its home cnspec's providers.
  const warm = async (version: string) => {
    const dirs = makeRunnerDirs(noCache())
    const first = await sandbox.run({ inputs: { 'cnspec-version': version }, dirs })
    if (first.exitCode !== 0) throw new Error(`warm-up failed:\n${first.stdout}`)
    const binary = first.outputs['cnspec-path'] as string
    const env = {
      PATH: process.env.PATH,
      HOME: dirs.home,
      MONDOO_AUTO_UPDATE_ENGINE: 'false',
      MONDOO_UPDATES_URL: sandbox.inputs['releases-url'],
      MONDOO_CONFIG_BASE64: first.exported.MONDOO_CONFIG_BASE64
    }
    const floors: number[] = []
    const runs: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      floors.push(
        (await bare()) +
          (await timeProc(binary, ['status', '--log-level', 'info'], env)) +
          (await timeProc(binary, ['scan', 'local', '-o', 'compact', '--log-level', 'info'], env))
      )
      runs.push(await timeAction(sandbox, { inputs: { 'cnspec-version': version }, dirs }))
    }
    return { floor: median(floors), run: median(runs) }
  }
  const warmSmall = await warm(SMALL)

  // 3. Start-up: the bundle failing at once on missing inputs, against a bare node start.
  const starts: number[] = []
  const bares: number[] = []
  for (let i = 0; i < ROUNDS * 3; i++) {
    bares.push(await bare())
    starts.push(await timeProc(process.execPath, [DIST], { PATH: process.env.PATH }, true))
  }
  const bareStart = median(bares)
  const start = median(starts)

  row(
    `cold install, ${BIG_MB} MB archive: baseline node + curl|sha256sum|tar, ms`,
    coldBase.toFixed(0)
  )
  row(`cold install, ${BIG_MB} MB archive: the action, ms`, cold.toFixed(0))
  row('  ratio (goal <= 1.2)', (cold / coldBase).toFixed(2))
  row('  of which `cnspec version` on the installed binary (timed alone), ms', probe.toFixed(0))
  row('  ratio without that check', ((cold - probe) / coldBase).toFixed(2))
  row('warm run, small stand-in: floor node + status + scan, ms', warmSmall.floor.toFixed(0))
  row(
    'warm run, small stand-in: the action (sign-in, tool cache, status, scan), ms',
    warmSmall.run.toFixed(0)
  )
  row('  ratio (goal <= 2.0)', (warmSmall.run / warmSmall.floor).toFixed(2))
  row("start-up: bare `node -e ''`, ms", bareStart.toFixed(0))
  row('start-up: dist/index.js (exits at the input check), ms', start.toFixed(0))
  row('  ratio', (start / bareStart).toFixed(2))
  for (const [dep, ms] of await dependencyCosts(bare))
    row(`  load cost of ${dep}, bundled alone, ms`, ms.toFixed(0))

  // 4. Concurrency of sign-in and install, with ~DELAY_MS of network delay on each.
  const archive = sandbox.releases.archive(SMALL, PLATFORM).data
  sandbox.sts.delayMs = DELAY_MS
  sandbox.releases.throttle = Math.ceil(archive.length / (DELAY_MS / 50))
  const warmCache = noCache()
  await sandbox.run({ inputs: QUIET, toolCache: warmCache })
  const signInOnly = await time(sandbox, () => ({ inputs: QUIET, toolCache: warmCache }))
  const installOnly = await time(sandbox, () => ({
    inputs: { ...QUIET, 'on-missing-id-token': 'incognito' },
    env: FORK
  }))
  const both = await time(sandbox, () => ({ inputs: QUIET }))
  row(
    `sign-in + install, ~${DELAY_MS} ms delay each: cold / max(sign-in, install)`,
    (both / Math.max(signInOnly, installOnly)).toFixed(2)
  )
  row(
    '  (1.0 = fully concurrent; cold / (sign-in + install) =',
    `${(both / (signInOnly + installOnly)).toFixed(2)})`
  )

  // 5. Politeness under load: jobs starting together against a rate-limited STS.
  sandbox.sts.delayMs = 0
  sandbox.releases.throttle = undefined
  const load = await stsLoad(sandbox, LOAD_JOBS, LOAD_PER_SECOND)
  const failed = load.results.filter(r => r.exitCode !== 0).length
  row(
    `${LOAD_JOBS} jobs starting together, STS allowing ${LOAD_PER_SECOND}/s: STS requests per job (goal <= 2.0)`,
    load.perRun.toFixed(2)
  )
  row('  jobs failed; seconds until the last one ended', `${failed}; ${load.seconds.toFixed(0)}`)

  console.log(`Medians of ${ROUNDS} interleaved runs.\n`)
  for (const [name, value] of rows) console.log(`${name.padEnd(90)} ${value}`)
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
