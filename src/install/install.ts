import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionError, messageOf } from '../errors.js'
import { HttpStatusError, getText } from '../net/http.js'
import { withRetry, type RetryOptions, requestTimeoutMs } from '../net/retry.js'
import { cnspecEnv } from '../scan/run-cnspec.js'
import { cacheEntry, exists, markComplete, privateDir, publish, sweep } from './cache.js'
import { asDiskError, downloadInto, unzipVerified } from './download.js'
import { currentPlatform, type ReleasePlatform } from './platform.js'
import {
  archiveName,
  archiveUrl,
  checksumsUrl,
  latestUrl,
  parseChecksums,
  parseLatest
} from './release.js'
import { proveEntry, type EntryLayout } from './verify.js'

export interface InstallOptions {
  /** "latest" or X.Y.Z, already validated. */
  version: string
  releasesUrl: string
  log: (line: string) => void
  warn: (line: string) => void
  retry?: RetryOptions
}

export interface Installed {
  version: string
  binary: string
  /** How it got here: found in the tool cache, or downloaded now. */
  source: 'cache' | 'download'
}

// `cnspec version` is local work, unrelated to network timeouts; a busy runner may be slow.
const PROBE_TIMEOUT_MS = 60000
/** The whole download, every attempt included, as a multiple of the inactivity timeout (10 min). */
const DEADLINE_PER_IDLE = 20

function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value)
    throw new ActionError(
      `${name} is not set. The action must run on a GitHub Actions runner (or set it for a local run).`
    )
  return value
}

/** Runs `cnspec version` with a deadline and cnspec's minimal environment. */
export function probeBinary(binary: string): Promise<{ version: string } | { error: string }> {
  return new Promise(resolve => {
    execFile(
      binary,
      ['version'],
      { timeout: PROBE_TIMEOUT_MS, env: cnspecEnv(undefined) },
      (error, stdout) => {
        const version = /cnspec v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1]
        if (error)
          resolve({
            error: `"cnspec version" failed: ${error.killed ? 'timed out' : messageOf(error).split('\n')[0]}`
          })
        else if (!version) resolve({ error: '"cnspec version" printed no version' })
        else resolve({ version })
      }
    )
  })
}

/** A small release file, or the HTTP status that says it is not there. */
function getReleaseFile(
  url: string,
  what: string,
  retry: RetryOptions | undefined
): Promise<string | { missing: number }> {
  return withRetry(
    what,
    () =>
      getText(url, requestTimeoutMs()).catch(error => {
        if (error instanceof HttpStatusError) return { missing: error.status }
        throw error
      }),
    retry
  )
}

async function resolveVersion(
  options: InstallOptions,
  platform: ReleasePlatform
): Promise<{ version: string; sha256?: string; size?: number }> {
  if (options.version !== 'latest') return { version: options.version }
  const url = latestUrl(options.releasesUrl)
  const body = await getReleaseFile(url, 'cnspec latest.json', options.retry)
  if (typeof body !== 'string') {
    throw new ActionError(
      `${url} answered HTTP ${body.missing}. Check "releases-url", or set "cnspec-version" to an exact version.`
    )
  }
  const latest = parseLatest(body, platform)
  if ('error' in latest)
    throw new ActionError(
      `${url}: ${latest.error}. Check "releases-url", or set "cnspec-version" to an exact version.`
    )
  options.log(`latest cnspec is ${latest.version}`)
  return latest
}

function notFound(options: InstallOptions, version: string, platform: ReleasePlatform) {
  return (what: string, status: number): ActionError =>
    new ActionError(
      `The ${what} for cnspec ${version} (${platform.key}) is not on ${options.releasesUrl} (HTTP ${status}). ` +
        `Check "cnspec-version" against Mondoo's releases, or that your "releases-url" mirror has it.`
    )
}

/** The archive's SHA-256 as published now: SHA256SUMS, agreeing with latest.json when it was read. */
async function publishedHash(
  options: InstallOptions,
  platform: ReleasePlatform,
  version: string,
  latestSha: string | undefined
): Promise<string> {
  const url = checksumsUrl(options.releasesUrl, version)
  const name = archiveName(version, platform)
  const sums = await getReleaseFile(url, 'cnspec checksums download', options.retry)
  if (typeof sums !== 'string') {
    throw new ActionError(
      `${notFound(options, version, platform)('checksums file', sums.missing).message} Without checksums the download cannot be verified, so it is not installed.`
    )
  }
  const expected = parseChecksums(sums).get(name)
  if (!expected) {
    throw new ActionError(
      `${url} lists no checksum for ${name}; the download cannot be verified, so it is not installed.`
    )
  }
  if (latestSha && latestSha !== expected) {
    throw new ActionError(
      `Checksum mismatch for ${name}: SHA256SUMS says ${expected}, latest.json says ${latestSha}. Nothing was installed. ` +
        `Retry; if it persists, your network or mirror ("releases-url") serves inconsistent files.`
    )
  }
  return expected
}

/**
 * Installs cnspec into the tool cache, or reuses it from there. Nothing runs, and nothing
 * enters the cache, unless it is proven against the SHA256SUMS published now: a cached
 * entry by its kept archive (see verify.ts), a download by its hash before it is published.
 */
export async function installCnspec(options: InstallOptions): Promise<Installed> {
  const platform = currentPlatform()
  if ('error' in platform) throw new ActionError(platform.error)
  const toolCache = requireEnv('RUNNER_TOOL_CACHE')
  const { version, sha256, size } = await resolveVersion(options, platform)
  const entry = cacheEntry(toolCache, version, process.arch)
  const layout: EntryLayout = { archive: archiveName(version, platform), binary: platform.binary }
  const expectedHash = publishedHash(options, platform, version, sha256)
  expectedHash.catch(() => undefined) // awaited below; a rejection is reported there
  const prove = async (dir: string): Promise<string | null> =>
    proveEntry(dir, layout, await expectedHash)

  if (await exists(entry.dir)) {
    const problem = await prove(entry.dir)
    if (problem === null) {
      if (!(await exists(entry.marker))) await markComplete(entry)
      options.log(`cnspec ${version} found in the tool cache, verified against SHA256SUMS`)
      return { version, binary: join(entry.dir, platform.binary), source: 'cache' }
    }
    if (await exists(entry.marker))
      options.warn(
        `The cached cnspec ${version} at ${entry.dir} failed verification (${problem}); it was not run, and is being replaced.`
      )
    else options.log(`an unfinished cnspec ${version} entry in the tool cache is being replaced`)
  }

  await sweep(entry)
  const idleMs = requestTimeoutMs()
  const deadlineMs = idleMs * DEADLINE_PER_IDLE
  const deadlineAt = Date.now() + deadlineMs
  const url = archiveUrl(options.releasesUrl, version, platform)
  const names = { archive: layout.archive, binary: platform.binary }
  const download = withRetry(
    'cnspec download',
    async () => {
      const dir = await privateDir(entry).catch(error => {
        throw asDiskError(error, entry.parent)
      })
      try {
        return {
          dir,
          ...(await downloadInto(url, dir, names, {
            idleMs,
            deadlineAt,
            deadlineMs,
            expectedSize: size
          }))
        }
      } catch (error) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined)
        if (error instanceof HttpStatusError)
          throw notFound(options, version, platform)('archive', error.status)
        throw error
      }
    },
    options.retry
  )
  const [expected, fetched] = await Promise.allSettled([expectedHash, download])
  const ready = fetched.status === 'fulfilled' ? fetched.value.dir : undefined
  // Whatever goes wrong, the private folder does not stay behind.
  try {
    if (expected.status === 'rejected') throw expected.reason
    if (fetched.status === 'rejected') throw fetched.reason
    const got = fetched.value
    if (got.sha256 !== expected.value) {
      throw new ActionError(
        `Checksum mismatch for ${layout.archive}: downloaded ${got.sha256}, expected ${expected.value}. ` +
          `The file was discarded and nothing was installed. ` +
          `Retry; if it persists, your network or mirror ("releases-url") serves a different file.`
      )
    }
    if (got.extractError) throw got.extractError
    options.log(`downloaded ${layout.archive} (${got.bytes} bytes), SHA-256 verified`)
    if (platform.extension === 'zip') await unzipVerified(got.dir, names)
    const probe = await probeBinary(join(got.dir, platform.binary))
    if ('error' in probe) {
      throw new ActionError(
        `The verified cnspec ${version} archive does not hold a working binary: ${probe.error}. Nothing was installed.`
      )
    }
    if (probe.version !== version) {
      throw new ActionError(
        `The cnspec ${version} archive holds cnspec ${probe.version}. Nothing was installed; check your "releases-url" mirror.`
      )
    }
    const winner = await publish(entry, got.dir, prove).catch(error => {
      throw asDiskError(error, entry.dir)
    })
    if (winner === 'theirs')
      options.log('another job cached the same cnspec first; using its verified entry')
    return { version, binary: join(entry.dir, platform.binary), source: 'download' }
  } finally {
    if (ready) await rm(ready, { recursive: true, force: true }).catch(() => undefined)
  }
}
