// cnspec as it really behaves around a scan (shared facts, "Engine self-update, provider
// mirror and environment overrides", "GitHub code scanning upload limits"): it updates
// itself, downloads providers, reads every MONDOO_* variable, and can write reports that
// code scanning would reject. The stand-in does all of that; the action must still pin,
// mirror, judge and upload what the user expects.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import type * as Sarif from 'sarif'
import { PROVIDERS, STANDIN_PATH } from '../../sandbox/releases.js'
import { makeRunnerDirs, ROOT } from '../../sandbox/runner.js'
import { listen, sendJson, type Listening } from '../../sandbox/server.js'
import {
  callLog,
  cnspecCalls,
  errorOf,
  harness,
  tempDir,
  warningsOf,
  type Harness
} from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }
const PLATFORM = `linux_${GO_ARCH[process.arch] ?? process.arch}`

describe('pinned means pinned', () => {
  it('a newer cnspec planted in ~/.config/mondoo/bin never runs', async () => {
    const dirs = makeRunnerDirs()
    const planted = join(dirs.home, '.config', 'mondoo', 'bin', 'cnspec')
    mkdirSync(dirname(planted), { recursive: true })
    writeFileSync(planted, readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', '99.0.0'))
    chmodSync(planted, 0o755)
    const log = callLog()
    const result = await h.run({
      dirs,
      inputs: { 'cnspec-version': '13.34.0' },
      env: { CNSPEC_STANDIN_LOG: log }
    })
    expect(errorOf(result)).toBe('')
    const calls = cnspecCalls(log)
    expect(calls.map(c => [c.argv[0], c.version])).toEqual([
      ['version', '13.34.0'],
      ['status', '13.34.0'],
      ['scan', '13.34.0']
    ])
    // Nor does cnspec look for a newer build of itself (latest.json) or download one.
    expect(h.sandbox.releases.requests).not.toContain('/cnspec/latest.json')
    expect(h.sandbox.releases.requests.filter(p => p.includes('13.35.2'))).toEqual([])
  })
})

describe('the mirror covers providers', () => {
  it('a missing provider is installed, from releases-url', async () => {
    const result = await h.run({ inputs: { target: 'fs .' } })
    expect(errorOf(result)).toBe('')
    const version = PROVIDERS.os as string
    expect(h.sandbox.releases.requests).toEqual(
      expect.arrayContaining([
        '/providers/latest.json',
        `/providers/os/${version}/os_${version}_${PLATFORM}.tar.xz`
      ])
    )
    expect(
      existsSync(join(result.dirs.home, '.config', 'mondoo', 'providers', 'os', 'os.json'))
    ).toBe(true)
    expect(result.stdout).toContain(`installing provider 'os' version=${version}`)
  })

  it('an installed provider is used as it is: nothing is downloaded', async () => {
    const dirs = makeRunnerDirs()
    const providers = join(dirs.home, '.config', 'mondoo', 'providers', 'os')
    mkdirSync(providers, { recursive: true })
    writeFileSync(join(providers, 'os.json'), '{"name":"os","version":"13.0.0"}')
    const result = await h.run({ dirs })
    expect(errorOf(result)).toBe('')
    expect(h.sandbox.releases.requests.filter(p => p.startsWith('/providers/'))).toEqual([])
  })
})

describe("the job's MONDOO_* variables", () => {
  let endpoint: Listening & { hits: string[] }
  beforeAll(async () => {
    const hits: string[] = []
    const server = await listen((req, res) => {
      hits.push(req.url ?? '')
      sendJson(res, 200, {})
    })
    endpoint = Object.assign(server, { hits })
  })
  afterAll(async () => endpoint.close())

  it('those that would choose the credential or its endpoint never reach cnspec: one warning names them', async () => {
    const envLog = join(tempDir('cnspec-env'), 'env.jsonl')
    const result = await h.run({
      env: {
        MONDOO_API_ENDPOINT: endpoint.url,
        MONDOO_MRN: '//agents.api.mondoo.app/spaces/other/serviceaccounts/x',
        MONDOO_SPACE_MRN: '//captain.api.mondoo.app/spaces/other',
        MONDOO_LOG_LEVEL: 'info',
        CNSPEC_STANDIN_ENV_LOG: envLog
      }
    })
    expect(errorOf(result)).toBe('')
    expect(endpoint.hits).toEqual([])
    const warnings = warningsOf(result).filter(w => w.includes('MONDOO_'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^MONDOO_API_ENDPOINT, MONDOO_MRN, MONDOO_SPACE_MRN are set in the job's environment and were not passed to cnspec/
    )
    const seen = readFileSync(envLog, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { command: string; env: string[] })
      .filter(entry => entry.command !== 'version')
    expect(seen.map(entry => entry.command)).toEqual(['status', 'scan'])
    for (const { env } of seen) {
      expect(env).not.toContain('MONDOO_API_ENDPOINT')
      expect(env).not.toContain('MONDOO_MRN')
      expect(env).toEqual(expect.arrayContaining(['MONDOO_LOG_LEVEL', 'MONDOO_AUTO_UPDATE_ENGINE']))
      expect(env).not.toContain('MONDOO_AUTO_UPDATE')
    }
  })

  it('MONDOO_RISK_THRESHOLD=30: cnspec applies it, and the verdict names it', async () => {
    const result = await h.run({ env: { MONDOO_RISK_THRESHOLD: '30' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      "The scan found risk at or above the risk threshold of 30 (set by MONDOO_RISK_THRESHOLD in the job's environment): " +
        'local: worst risk 65 (MEDIUM).'
    )
    expect(errorOf(result)).toContain('change the variable if this risk is accepted')
    expect(errorOf(result)).not.toContain('The scan itself failed')
  })

  it('the risk-threshold input wins over MONDOO_RISK_THRESHOLD, as the flag does in cnspec', async () => {
    const result = await h.run({
      inputs: { 'risk-threshold': '70' },
      env: { MONDOO_RISK_THRESHOLD: '30' }
    })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toContain(', under the risk-threshold of 70.')
  })

  it('MONDOO_SCORE_THRESHOLD (deprecated) lowers the threshold to 101 − score, named too', async () => {
    const result = await h.run({ env: { MONDOO_SCORE_THRESHOLD: '50' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      'at or above the risk threshold of 51 (set by MONDOO_SCORE_THRESHOLD=50'
    )
  })

  it('a threshold cnspec would misread is refused before any request', async () => {
    const result = await h.run({ env: { MONDOO_RISK_THRESHOLD: 'high' } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      `MONDOO_RISK_THRESHOLD in the job's environment is "high", which cnspec would read as 0 (every scan would fail).`
    )
    expect(h.sandbox.releases.requests).toEqual([])
    expect(h.sandbox.sts.exchanges).toBe(0)
  })
})

describe('counts and labels from what cnspec writes', () => {
  it('one package with two advisories is one vulnerable package, listed once with both', async () => {
    const result = await h.run()
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toContain('2 vulnerable packages')
    expect(result.stdout).toMatch(
      /✕ CRITICAL +openssl 3\.0\.2 → fixed in 3\.0\.13 {2}USN-7000-1, USN-7011-1/
    )
    expect(result.summary).toContain('Vulnerable packages (2)')
  })

  it('a grade or score that is not what the output promises never reaches an output', async () => {
    const result = await h.run({
      env: { CNSPEC_STANDIN_GRADE: 'F\n::add-mask::everything', CNSPEC_STANDIN_SCORE: '1e308' }
    })
    expect(result.outputs).toMatchObject({ grade: '', score: '', 'worst-risk': '' })
    const outputFile = readFileSync(result.dirs.files.output, 'utf8')
    expect(outputFile).not.toContain('add-mask')
    expect(outputFile).not.toContain('e+308')
    const warnings = warningsOf(result)
    for (const output of ['grade', 'score', 'worst-risk'])
      expect(warnings.some(w => w.includes(`the ${output} output is left empty`))).toBe(true)
    expect(result.stdout.split('\n').filter(l => l.startsWith('::add-mask::everything'))).toEqual(
      []
    )
  })
})

describe("the code-scanning report stays within GitHub's limits", () => {
  it('30,000 failing results and a rule with 30 tags: within every limit, the highest-risk results kept', async () => {
    const result = await h.run({
      env: { CNSPEC_STANDIN_EXTRA_FAILURES: '30000' },
      timeoutMs: 240000
    })
    const file = result.outputs['report-file']!
    const report = JSON.parse(readFileSync(file, 'utf8')) as Sarif.Log
    const full = join(dirname(file), 'cnspec.sarif')
    const original = JSON.parse(readFileSync(full, 'utf8')) as Sarif.Log
    expect(report.runs.length).toBeLessThanOrEqual(20)
    const [run] = report.runs
    const kept = run!.results!
    expect(kept).toHaveLength(25000)
    expect(gzipSync(readFileSync(file)).length).toBeLessThan(10 * 1000 * 1000)
    for (const rule of run!.tool.driver.rules!)
      expect((rule.properties?.tags as string[] | undefined)?.length ?? 0).toBeLessThanOrEqual(20)
    for (const r of kept) expect(r.locations!.length).toBeLessThanOrEqual(1000)
    expect(run!.tool.driver.rules!.find(r => r.id === 'generated-0')!.properties!.tags).toEqual([
      'security',
      'cnspec',
      'policy/Generated policy',
      ...Array.from({ length: 17 }, (_, k) => `compliance/framework-${k + 1}`)
    ])
    // Highest risk kept: nothing left out is riskier than anything kept.
    const risk = (r: Sarif.Result) => Number(r.properties?.risk ?? r.rank ?? 0)
    const keptPrints = new Set(kept.map(r => JSON.stringify(r.partialFingerprints)))
    const failing = original.runs.flatMap(r => r.results!).filter(r => r.kind === 'fail')
    const left = failing.filter(r => !keptPrints.has(JSON.stringify(r.partialFingerprints)))
    expect(left.length).toBe(failing.length - 25000)
    expect(Math.min(...kept.map(risk))).toBeGreaterThanOrEqual(Math.max(...left.map(risk)))
    // Said once, in the log and the summary, pointing at the full report.
    const note = warningsOf(result).filter(w => w.includes('leaves out'))
    expect(note).toHaveLength(1)
    expect(note[0]).toContain(`leaves out ${left.length} of its ${failing.length} results`)
    expect(note[0]).toContain('tags beyond the first 20 of 1 rule(s)')
    expect(note[0]).toContain("cnspec's full report is cnspec.sarif, beside it")
    expect(note[0]).not.toContain(dirname(full))
    expect(result.summary).toContain('Left out of report-file')
    expect(statSync(full).size).toBeGreaterThan(statSync(file).size)
    // The SARIF validator takes many minutes over 40 MB: the unit tests validate trimmed
    // reports (__tests__/unit/code-scanning.test.ts).
  }, 300000)
})

describe('platforms', () => {
  it('an s390x runner gets the linux_s390x build', async () => {
    const preload = pathToFileURL(join(ROOT, 'sandbox', 'emulate-s390x.mjs')).href
    const result = await h.run({
      inputs: { 'cnspec-version': '13.35.2' },
      env: { NODE_OPTIONS: `--import=${preload}` }
    })
    expect(errorOf(result)).toBe('')
    expect(h.sandbox.releases.requests).toContain(
      '/cnspec/13.35.2/cnspec_13.35.2_linux_s390x.tar.gz'
    )
    expect(result.outputs['cnspec-path']).toBe(
      join(result.dirs.toolCache, 'cnspec', '13.35.2', 's390x', 'cnspec')
    )
    expect(result.outputs['scan-exit-code']).toBe('0')
  })
})
