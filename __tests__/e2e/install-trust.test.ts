import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as tc from '@actions/tool-cache'
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import { findLeaks } from '../../sandbox/leaks.js'
import { STANDIN_PATH, paddedArchive } from '../../sandbox/releases.js'
import { makeRunnerDirs, type RunnerDirs } from '../../sandbox/runner.js'
import {
  FAST_RETRIES,
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

const VERSION = '13.34.0'
const PLATFORM = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`
const installOnly = { 'cnspec-version': VERSION, status: 'false', scan: 'false' }
/** A release server that is down: nothing listens on port 1 of loopback. */
const DOWN = 'http://127.0.0.1:1'
const entryOf = (toolCache: string, version = VERSION) =>
  join(toolCache, 'cnspec', version, process.arch)
const freshCache = () => tempDir('cnspec-trust')
const archiveRequests = () => h.sandbox.releases.requests.filter(p => p.endsWith('.tar.gz'))

/** Caches a cnspec the usual way, as a runner image does: tc.cacheDir. */
async function cacheTheUsualWay(toolCache: string, version: string): Promise<string> {
  const source = tempDir('cnspec-image')
  const script = readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', version)
  writeFileSync(join(source, 'cnspec'), script, { mode: 0o755 })
  const saved = { ...process.env }
  Object.assign(process.env, { RUNNER_TOOL_CACHE: toolCache, RUNNER_TEMP: tempDir('temp') })
  try {
    return await tc.cacheDir(source, 'cnspec', version)
  } finally {
    process.env = saved
  }
}

/**
 * A runner that has scanned before (a persistent self-hosted one): cnspec's os provider is
 * installed, so a scan needs no release server at all.
 */
function runnerWithProviders(toolCache: string): RunnerDirs {
  const dirs = makeRunnerDirs(toolCache)
  const os = join(dirs.home, '.config', 'mondoo', 'providers', 'os')
  mkdirSync(os, { recursive: true })
  writeFileSync(join(os, 'os.json'), '{"name":"os","version":"13.0.0"}')
  return dirs
}

/** What a user sees in the cache after all runs: one entry of just cnspec, its marker, nothing else. */
function expectOneValidEntry(toolCache: string): void {
  const entry = entryOf(toolCache)
  expect(readdirSync(entry)).toEqual(['cnspec'])
  expect(readdirSync(join(toolCache, 'cnspec', VERSION)).sort()).toEqual(
    [process.arch, `${process.arch}.complete`].sort()
  )
  expect(readdirSync(toolCache).filter(name => name.startsWith('.cnspec-'))).toEqual([])
  expect(execFileSync(join(entry, 'cnspec'), ['version'], { encoding: 'utf8' })).toContain(
    `cnspec ${VERSION}`
  )
}

describe('a cached cnspec is used as it is, without the release server', () => {
  it('a pinned version in the cache runs with the release server down, and nothing is requested', async () => {
    const toolCache = freshCache()
    expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
    h.sandbox.releases.requests.length = 0
    const calls = callLog()
    const result = await h.run({
      inputs: { 'cnspec-version': VERSION, 'releases-url': DOWN },
      dirs: runnerWithProviders(toolCache),
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(errorOf(result)).toBe('')
    expect(warningsOf(result)).toEqual([])
    expect(result.stdout).toContain(`[install] cnspec ${VERSION} found in the tool cache`)
    expect(result.stdout).not.toMatch(/retrying/)
    expect(cnspecCalls(calls).map(c => c.argv[0])).toEqual(['status', 'scan'])
    expect(h.sandbox.releases.requests).toEqual([])
  })

  it('an entry made the usual way (tc.cacheDir, as a runner image does) is used without a warning', async () => {
    const toolCache = freshCache()
    // A version the release server does not even have.
    const dir = await cacheTheUsualWay(toolCache, '13.90.0')
    const result = await h.run({
      inputs: { ...installOnly, 'cnspec-version': '13.90.0', 'releases-url': DOWN },
      toolCache
    })
    expect(errorOf(result)).toBe('')
    expect(warningsOf(result)).toEqual([])
    expect(result.outputs['cnspec-path']).toBe(join(dir, 'cnspec'))
    expect(result.outputs['cnspec-version']).toBe('13.90.0')
  })

  it('an entry of an older version of this action, whose kept archive is now a FIFO, runs at once', async () => {
    const toolCache = freshCache()
    expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
    const kept = join(entryOf(toolCache), `cnspec_${VERSION}_${PLATFORM}.tar.gz`)
    rmSync(kept, { force: true })
    execFileSync('mkfifo', [kept])
    const result = await h.run({ inputs: installOnly, toolCache, timeoutMs: 30000 })
    expect(result.signal).toBeNull()
    expect(errorOf(result)).toBe('')
    expect(warningsOf(result)).toEqual([])
  })

  it.each([
    ['lost its execute bit', (binary: string) => chmodSync(binary, 0o644), 'not executable'],
    [
      'is a FIFO',
      (binary: string) => {
        rmSync(binary)
        execFileSync('mkfifo', [binary])
      },
      'not a regular file'
    ]
  ])(
    'a cached cnspec that %s is replaced, with one warning, and the run finishes',
    async (_name, damage, problem) => {
      const toolCache = freshCache()
      expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
      damage(join(entryOf(toolCache), 'cnspec'))
      h.sandbox.releases.requests.length = 0
      const calls = callLog()
      const result = await h.run({
        inputs: { 'cnspec-version': VERSION },
        toolCache,
        env: { CNSPEC_STANDIN_LOG: calls },
        timeoutMs: 30000
      })
      expect(result.signal).toBeNull()
      expect(errorOf(result)).toBe('')
      expect(warningsOf(result)).toEqual([
        `Cached cnspec at ${entryOf(toolCache)} cannot run (cnspec is ${problem}); replacing it.`
      ])
      expect(archiveRequests()).toEqual([`/cnspec/${VERSION}/cnspec_${VERSION}_${PLATFORM}.tar.gz`])
      expect(cnspecCalls(calls).map(c => c.argv[0])).toEqual(['version', 'status', 'scan'])
      expectOneValidEntry(toolCache)
    }
  )

  it('latest, with the release server down, uses the newest cached version and says which', async () => {
    const toolCache = freshCache()
    for (const version of ['13.2.0', '13.34.0', '11.62.0'])
      await cacheTheUsualWay(toolCache, version)
    const result = await h.run({
      inputs: { 'releases-url': DOWN },
      dirs: runnerWithProviders(toolCache)
    })
    expect(errorOf(result)).toBe('')
    expect(result.outputs['cnspec-version']).toBe('13.34.0')
    const warnings = warningsOf(result)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^http:\/\/127\.0\.0\.1:1\/cnspec\/latest\.json: 127\.0\.0\.1:1: ECONNREFUSED\. Using cnspec 13\.34\.0, the newest in the tool cache\.$/
    )
  })

  it('latest, with the release server down and nothing cached, fails and says so', async () => {
    const result = await h.run({
      inputs: { ...installOnly, 'cnspec-version': 'latest', 'releases-url': DOWN }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('ECONNREFUSED, and no cnspec is cached. Check "releases-url"')
  })
})

describe('the tool cache after an install', () => {
  it('holds entries every user of the runner can read and run (0755)', async () => {
    const toolCache = freshCache()
    expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
    const mode = (path: string) => statSync(path).mode & 0o777
    expect(mode(entryOf(toolCache))).toBe(0o755)
    expect(mode(join(entryOf(toolCache), 'cnspec'))).toBe(0o755)
    expect(mode(join(toolCache, 'cnspec', VERSION))).toBe(0o755)
    expectOneValidEntry(toolCache)
  })

  it.each([
    ['an empty tool cache', () => undefined],
    [
      'a half-extracted entry (no marker) left by a killed job',
      (toolCache: string) => {
        mkdirSync(entryOf(toolCache), { recursive: true })
        writeFileSync(join(entryOf(toolCache), 'cnspec'), '#!/bin/sh\n', { mode: 0o755 })
      }
    ]
  ])(
    '8 concurrent cold runs over %s all succeed and leave one valid entry',
    async (_name, setup) => {
      const toolCache = freshCache()
      setup(toolCache)
      const results = await Promise.all(
        // The leak check walks the shared cache, so it runs once all runs are over.
        Array.from({ length: 8 }, () =>
          h.sandbox.run({ inputs: installOnly, toolCache, timeoutMs: 90000, env: FAST_RETRIES })
        )
      )
      for (const result of results) expect(findLeaks(result, h.sandbox.secrets())).toEqual([])
      expect(results.map(errorOf)).toEqual(Array(8).fill(''))
      expect(new Set(results.map(r => r.outputs['cnspec-path']))).toEqual(
        new Set([join(entryOf(toolCache), 'cnspec')])
      )
      expectOneValidEntry(toolCache)
    },
    120000
  )
})

describe('downloads are bounded', () => {
  it('a server trickling one byte at a time fails within 90 s, naming the host', async () => {
    h.sandbox.releases.trickle = 100
    const toolCache = freshCache()
    const started = Date.now()
    // The real timing of the action: the progress rule's 30 s window.
    const result = await h.run({
      inputs: installOnly,
      toolCache,
      production: true,
      timeoutMs: 100000
    })
    expect(result.signal).toBeNull()
    expect((Date.now() - started) / 1000).toBeLessThan(90)
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /^\[cnspec-keyless\] The cnspec download from 127\.0\.0\.1:\d+ got less than 64 KiB in 30 s\. Nothing was installed\.$/
    )
    expect(archiveRequests()).toHaveLength(1)
    expect(existsSync(entryOf(toolCache))).toBe(false)
  }, 120000)

  describe('the progress rule, in 1 s windows (at least 64 KiB per 30 s: 2.2 KiB per window)', () => {
    /** A 400 KB download served `bytes` every 50 ms. */
    function throttled(bytes: number) {
      h.sandbox.releases.addRelease('13.91.0', PLATFORM, paddedArchive('13.91.0', PLATFORM, 400000))
      h.sandbox.releases.throttle = bytes
      return h.run({
        inputs: { ...installOnly, 'cnspec-version': '13.91.0' },
        env: { CNSPEC_KEYLESS_TEST_TIMEOUT_MS: '1000' },
        timeoutMs: 60000
      })
    }

    it('a slow but working proxy at 100 KiB/s finishes a 400 KB download', async () => {
      const result = await throttled(5120)
      expect(errorOf(result)).toBe('')
      expect(result.outputs['cnspec-version']).toBe('13.91.0')
    })

    it('a server sending 1 KiB/s fails at the end of a window', async () => {
      const result = await throttled(51)
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toMatch(/download from 127\.0\.0\.1:\d+ got less than 2 KiB in 1 s/)
    })
  })

  it('a Content-Length over the 1 GiB ceiling is refused before the body is read', async () => {
    h.sandbox.releases.oversize = { bytes: 8 * 1024 * 1024, declare: 3 * 1024 ** 3, sent: 0 }
    const result = await h.run({ inputs: installOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('is larger than the 1073741824 bytes allowed')
    expect(archiveRequests()).toHaveLength(1)
  })

  /**
   * Runs `test` with a small tmpfs mounted as the tool cache: a real disk that fills up or
   * refuses writes. Mounting needs root; elsewhere the test says it was skipped.
   */
  async function onTmpfs(options: string, test: (toolCache: string) => Promise<void>) {
    const toolCache = freshCache()
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', toolCache], { stdio: 'ignore' })
    } catch {
      console.warn('skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)')
      return
    }
    try {
      await test(toolCache)
    } finally {
      execFileSync('umount', [toolCache])
      rmSync(toolCache, { recursive: true, force: true })
    }
  }

  it('a full tool cache fails once, saying so and naming the path', () =>
    onTmpfs('size=256k', async toolCache => {
      // Fill the small disk; dd stops with ENOSPC.
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${join(toolCache, 'filler')}`, 'bs=4k'], {
          stdio: 'ignore'
        })
      } catch {
        // the disk is full, as intended
      }
      const result = await h.run({ inputs: installOnly, toolCache })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toMatch(
        new RegExp(
          `^\\[cnspec-keyless\\] Cannot write cnspec to disk \\(disk full, ENOSPC\\) at ${toolCache}/\\.cnspec-\\w+\\. Nothing was installed\\.`
        )
      )
      expect(result.stdout).not.toMatch(/retrying/)
      expect(archiveRequests()).toHaveLength(1)
      expect(readdirSync(toolCache)).toEqual(['filler'])
    }))

  it('a read-only tool cache fails once, saying so', () =>
    onTmpfs('ro,size=64k', async toolCache => {
      const result = await h.run({ inputs: installOnly, toolCache })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toMatch(
        new RegExp(
          `^\\[cnspec-keyless\\] Cannot write cnspec to disk \\(read-only, EROFS\\) at ${toolCache}/\\.cnspec-`
        )
      )
      expect(result.stdout).not.toMatch(/retrying/)
    }))
})

describe('redirects keep the scheme rule', () => {
  it.each([
    ['the archive', '.tar.gz'],
    ['SHA256SUMS', '_SHA256SUMS']
  ])(
    'a redirect of %s to http on a non-loopback host is refused before connecting',
    async (_name, path) => {
      // 203.0.113.0/24 is reserved for documentation: nothing answers there.
      const location = `http://203.0.113.7:8080/cnspec/${VERSION}/x`
      h.sandbox.releases.faults.push({ path, fault: { kind: 'redirect', status: 302, location } })
      const result = await h.run({ inputs: installOnly })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toMatch(
        /127\.0\.0\.1:\d+ redirected to http:\/\/203\.0\.113\.7:8080\/\S+, which uses http:\/\/ to a host that is not a loopback address\. The redirect was not followed/
      )
      expect(result.stdout).not.toMatch(/retrying/)
    }
  )

  it('a redirect that keeps to loopback http is followed', async () => {
    const archive = `cnspec_${VERSION}_${PLATFORM}.tar.gz`
    const location = `${h.sandbox.releases.url}/cnspec/${VERSION}/${archive}`
    h.sandbox.releases.faults.push({ path: '.tar.gz', fault: { kind: 'redirect', location } })
    const result = await h.run({ inputs: installOnly })
    expect(errorOf(result)).toBe('')
    expect(archiveRequests()).toHaveLength(2)
  })
})

describe('cnspec gets only the environment it needs', () => {
  const GRANTS = {
    ACTIONS_RUNTIME_TOKEN: 'runtime-token-value',
    ACTIONS_RUNTIME_URL: 'http://127.0.0.1:1/runtime/',
    ACTIONS_CACHE_URL: 'http://127.0.0.1:1/cache/',
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/results/',
    GITHUB_TOKEN: 'ghs_not-a-real-token'
  }
  const envLog = () => join(tempDir('cnspec-env'), 'env.jsonl')
  const seen = (file: string) =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { command: string; env: string[] })

  it('version, status and scan run without the id-token request, runtime, cache, results or GitHub token', async () => {
    const file = envLog()
    const result = await h.run({ env: { ...GRANTS, CNSPEC_STANDIN_ENV_LOG: file } })
    expect(errorOf(result)).toBe('')
    const runs = seen(file)
    expect(runs.map(r => r.command)).toEqual(['version', 'status', 'scan'])
    for (const run of runs) {
      expect(run.env).toContain('PATH')
      expect(
        run.env.filter(name => name.startsWith('ACTIONS_') || name === 'GITHUB_TOKEN')
      ).toEqual([])
      // The action's inputs are the action's: cnspec reads none of them.
      expect(run.env.filter(name => name.startsWith('INPUT_'))).toEqual([])
    }
    expect(runs.find(r => r.command === 'status')!.env).toContain('MONDOO_CONFIG_BASE64')
    expect(runs.find(r => r.command === 'version')!.env).not.toContain('MONDOO_CONFIG_BASE64')
  })

  it('a github target gets GITHUB_TOKEN, for the scan only cnspec needs it for', async () => {
    const file = envLog()
    await h.run({
      inputs: { target: 'github repo mondoo-sandbox/demo' },
      env: { ...GRANTS, CNSPEC_STANDIN_ENV_LOG: file }
    })
    const scan = seen(file).find(r => r.command === 'scan')!
    expect(scan.env).toContain('GITHUB_TOKEN')
    expect(scan.env).not.toContain('ACTIONS_ID_TOKEN_REQUEST_TOKEN')
    expect(seen(file).find(r => r.command === 'version')!.env).not.toContain('GITHUB_TOKEN')
  })
})
