import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { tarGz } from '../../sandbox/archives.js'
import { findLeaks } from '../../sandbox/leaks.js'
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
const ARCHIVE = `cnspec_${VERSION}_${PLATFORM}.tar.gz`
const installOnly = { 'cnspec-version': VERSION, status: 'false', scan: 'false' }
const entryOf = (toolCache: string) => join(toolCache, 'cnspec', VERSION, process.arch)
const freshCache = () => tempDir('cnspec-trust')
const archiveRequests = () => h.sandbox.releases.requests.filter(p => p.endsWith('.tar.gz'))

/** A cnspec impostor whose only effect is to leave a file behind when it runs. */
function impostor(marker: string): string {
  return `#!/bin/sh\necho ran >> '${marker}'\necho 'cnspec ${VERSION} (impostor)'\nexit 0\n`
}

/** What a user sees in the cache after all runs: one entry, its marker, nothing else. */
function expectOneValidEntry(toolCache: string): void {
  const entry = entryOf(toolCache)
  expect(readdirSync(entry).sort()).toEqual(['cnspec', ARCHIVE])
  expect(existsSync(`${entry}.complete`)).toBe(true)
  expect(readdirSync(join(toolCache, 'cnspec', VERSION)).sort()).toEqual(
    [process.arch, `${process.arch}.complete`].sort()
  )
  expect(execFileSync(join(entry, 'cnspec'), ['version'], { encoding: 'utf8' })).toContain(
    `cnspec ${VERSION}`
  )
}

describe('a cached cnspec runs only when SHA256SUMS vouches for it', () => {
  it.each([
    ['the binary swapped', false],
    ['the binary and the kept archive swapped together', true]
  ])(
    '%s: the impostor never runs, and is replaced with one warning',
    async (_name, withArchive) => {
      const toolCache = freshCache()
      expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
      const marker = join(tempDir('cnspec-impostor'), 'ran')
      const script = impostor(marker)
      writeFileSync(join(entryOf(toolCache), 'cnspec'), script, { mode: 0o755 })
      if (withArchive)
        writeFileSync(
          join(entryOf(toolCache), ARCHIVE),
          tarGz([{ name: 'cnspec', content: Buffer.from(script) }])
        )

      const calls = callLog()
      h.sandbox.releases.requests.length = 0
      const result = await h.run({
        inputs: { 'cnspec-version': VERSION },
        toolCache,
        env: { CNSPEC_STANDIN_LOG: calls }
      })
      expect(errorOf(result)).toBe('')
      expect(existsSync(marker)).toBe(false)
      const warnings = warningsOf(result)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(
        new RegExp(
          `^The cached cnspec ${VERSION.replace(/\./g, '\\.')} at .+ failed verification \\(.+\\); it was not run, and is being replaced\\.$`
        )
      )
      expect(archiveRequests()).toEqual([`/cnspec/${VERSION}/${ARCHIVE}`])
      // The genuine cnspec did the work, and is what the cache holds now.
      expect(cnspecCalls(calls).map(c => c.argv[0])).toEqual(['version', 'status', 'scan'])
      expectOneValidEntry(toolCache)
      expect(readFileSync(join(entryOf(toolCache), 'cnspec'), 'utf8')).not.toContain('impostor')
    }
  )

  it('programs planted beside a genuine cnspec never reach PATH: the entry is replaced', async () => {
    const toolCache = freshCache()
    expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
    // cnspec and its archive stay genuine; a `git` and a `bash` are added next to them, where
    // the entry's folder would put them first on PATH for every later step.
    const marker = join(tempDir('cnspec-planted'), 'ran')
    for (const name of ['git', 'bash'])
      writeFileSync(join(entryOf(toolCache), name), impostor(marker), { mode: 0o755 })
    const result = await h.run({ inputs: installOnly, toolCache })
    expect(errorOf(result)).toBe('')
    const warnings = warningsOf(result)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('holds more than cnspec and its archive (bash, git)')
    expect(result.addedPath).toEqual([entryOf(toolCache)])
    expect(readdirSync(entryOf(toolCache)).sort()).toEqual(['cnspec', ARCHIVE].sort())
    expect(existsSync(marker)).toBe(false)
    expectOneValidEntry(toolCache)
  })

  it('fails closed: without SHA256SUMS now, the cached cnspec is not run', async () => {
    const toolCache = freshCache()
    expect((await h.run({ inputs: installOnly, toolCache })).exitCode).toBe(0)
    h.sandbox.releases.withoutChecksums.add(VERSION)
    const calls = callLog()
    const result = await h.run({
      inputs: { 'cnspec-version': VERSION },
      toolCache,
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(/The checksums file for cnspec 13\.34\.0 .* \(HTTP 404\)/)
    expect(cnspecCalls(calls)).toEqual([])
    expect(result.exported).toEqual({})
  })
})

describe('installs are atomic without a lock', () => {
  const lockFile = (toolCache: string) =>
    join(toolCache, 'cnspec', `.${VERSION}-${process.arch}.lock`)

  it.each([
    [
      'a stale lock file left by an older version of the action (another host)',
      (toolCache: string) => {
        mkdirSync(join(toolCache, 'cnspec'), { recursive: true })
        writeFileSync(
          lockFile(toolCache),
          JSON.stringify({ pid: 1, host: `${hostname()}-old-pod`, since: new Date().toISOString() })
        )
      }
    ],
    [
      'an empty lock file',
      (toolCache: string) => {
        mkdirSync(join(toolCache, 'cnspec'), { recursive: true })
        writeFileSync(lockFile(toolCache), '')
      }
    ],
    [
      'a half-extracted entry (no marker)',
      (toolCache: string) => {
        mkdirSync(entryOf(toolCache), { recursive: true })
        writeFileSync(join(entryOf(toolCache), 'cnspec'), '#!/bin/sh\n', { mode: 0o755 })
      }
    ],
    [
      'all three at once, and a private folder of a killed install',
      (toolCache: string) => {
        mkdirSync(entryOf(toolCache), { recursive: true })
        writeFileSync(join(entryOf(toolCache), 'cnspec'), '#!/bin/sh\n', { mode: 0o755 })
        writeFileSync(lockFile(toolCache), '')
        const killed = join(toolCache, 'cnspec', VERSION, `.${process.arch}.partial-killed`)
        mkdirSync(killed)
        writeFileSync(join(killed, 'cnspec'), 'half')
        const old = new Date(Date.now() - 2 * 3600 * 1000)
        execFileSync('touch', ['-d', old.toISOString(), killed])
      }
    ]
  ])(
    '8 concurrent cold runs over %s all succeed, with one valid entry',
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
      expect(results.some(r => /waiting/.test(r.stdout))).toBe(false)
      // The lock files of the old version are left alone; nothing else is left over.
      const leftovers = readdirSync(join(toolCache, 'cnspec', VERSION))
      expect(leftovers.filter(n => n.includes('.partial-') || n.includes('.trash-'))).toEqual([])
      expectOneValidEntry(toolCache)
    },
    120000
  )
})

describe('downloads are bounded', () => {
  const SHORT = { CNSPEC_KEYLESS_TEST_TIMEOUT_MS: '500' }

  it('a server trickling one byte at a time fails at the overall deadline, not the idle timeout', async () => {
    h.sandbox.releases.trickle = 100
    const toolCache = freshCache()
    const result = await h.run({ inputs: installOnly, toolCache, env: SHORT, timeoutMs: 60000 })
    expect(result.signal).toBeNull()
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(
      /The cnspec download from 127\.0\.0\.1:\d+ did not finish within 10 s; the server is too slow or trickling\. Nothing was installed\./
    )
    expect(archiveRequests()).toHaveLength(1)
    expect(readdirSync(join(toolCache, 'cnspec', VERSION))).toEqual([])
  })

  it("a body larger than latest.json's size is cut off at that size", async () => {
    const size = h.sandbox.releases.archive('13.35.2', PLATFORM).data.length
    h.sandbox.releases.oversize = { bytes: 256 * 1024 * 1024, sent: 0 }
    const toolCache = freshCache()
    const result = await h.run({ inputs: { status: 'false', scan: 'false' }, toolCache })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      `is larger than ${size} bytes (latest.json's size for it); it was cut off there and nothing was installed`
    )
    // The client hung up long before the 256 MiB were sent (what is sent is socket buffers).
    expect(h.sandbox.releases.oversize.sent).toBeLessThan(32 * 1024 * 1024)
    expect(archiveRequests()).toHaveLength(1)
    expect(readdirSync(join(toolCache, 'cnspec', '13.35.2'))).toEqual([])
  })

  it('a Content-Length over the 1 GiB ceiling is refused before the body is read', async () => {
    h.sandbox.releases.oversize = { bytes: 8 * 1024 * 1024, declare: 3 * 1024 ** 3, sent: 0 }
    const result = await h.run({ inputs: installOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('is larger than 1073741824 bytes (the 1 GiB ceiling)')
    expect(archiveRequests()).toHaveLength(1)
  })

  it('an archive that would unpack far beyond its size is stopped while it unpacks', async () => {
    // 100 MB of zeros gzip to about 100 kB; SHA256SUMS even lists it, so only the bound stops it.
    const data = tarGz([{ name: 'cnspec', content: Buffer.alloc(100 * 1024 * 1024) }])
    const name = `cnspec_13.98.0_${PLATFORM}.tar.gz`
    h.sandbox.releases.addRelease('13.98.0', PLATFORM, {
      name,
      data,
      sha256: createHash('sha256').update(data).digest('hex')
    })
    const toolCache = freshCache()
    const result = await h.run({
      inputs: { ...installOnly, 'cnspec-version': '13.98.0' },
      toolCache
    })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(
      `The cnspec archive unpacks to more than ${64 * 1024 * 1024} bytes; extraction was stopped and nothing was installed.`
    )
    expect(readdirSync(join(toolCache, 'cnspec', '13.98.0'))).toEqual([])
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

  it('a full disk fails once, saying so and naming the path', () =>
    onTmpfs('size=256k', async toolCache => {
      // Fill the small disk, leaving no room for the archive; dd stops with ENOSPC.
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
          `^\\[cnspec-keyless\\] Cannot write cnspec into the tool cache: no space left on the device in RUNNER_TOOL_CACHE \\(${toolCache}/cnspec/${VERSION.replace(/\./g, '\\.')}/[^,]+, ENOSPC\\)\\.`
        )
      )
      expect(result.stdout).not.toMatch(/retrying/)
      expect(archiveRequests()).toHaveLength(1)
      expect(readdirSync(join(toolCache, 'cnspec', VERSION))).toEqual([])
    }))

  it('a read-only tool cache fails once, saying so', () =>
    onTmpfs('ro,size=64k', async toolCache => {
      const result = await h.run({ inputs: installOnly, toolCache })
      expect(result.exitCode).toBe(1)
      expect(errorOf(result)).toContain(
        `Cannot write cnspec into the tool cache: the file system is read-only in RUNNER_TOOL_CACHE (${toolCache}/cnspec/${VERSION}, EROFS).`
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
      const location = `http://203.0.113.7:8080/cnspec/${VERSION}/${ARCHIVE}`
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
    const location = `${h.sandbox.releases.url}/cnspec/${VERSION}/${ARCHIVE}`
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
