import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as tc from '@actions/tool-cache'
import { ActionError, messageOf } from '../errors.js'
import {
  HttpStatusError,
  download,
  isTransientStatus,
  request,
  transientFromStatus
} from '../net/http.js'
import { acquireLock } from './lock.js'
import { currentPlatform, type ReleasePlatform } from './platform.js'
import {
  archiveName,
  archiveUrl,
  checksumsUrl,
  latestUrl,
  parseChecksums,
  parseLatest
} from './release.js'
import { withRetry, type RetryOptions, requestTimeoutMs } from '../net/retry.js'

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

const TOOL = 'cnspec'
const LOCK_WAIT_MS = 5 * 60 * 1000
// `cnspec version` is local work, unrelated to network timeouts; a busy runner may be slow.
const PROBE_TIMEOUT_MS = 60000

function requireEnv(name: string): string {
  const value = process.env[name]
  if (!value)
    throw new ActionError(
      `${name} is not set. The action must run on a GitHub Actions runner (or set it for a local run).`
    )
  return value
}

/** Runs `cnspec version` with a deadline; returns the version it reports, or why it failed. */
export function probeBinary(binary: string): Promise<{ version: string } | { error: string }> {
  if (!existsSync(binary)) return Promise.resolve({ error: `${binary} is missing` })
  return new Promise(resolve => {
    execFile(
      binary,
      ['version'],
      { timeout: PROBE_TIMEOUT_MS, env: { ...process.env, MONDOO_CONFIG_BASE64: '' } },
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

async function get(
  url: string,
  what: string,
  retry: RetryOptions | undefined
): Promise<string | { missing: number }> {
  return withRetry(
    what,
    async () => {
      const answer = await request(url, {
        method: 'GET',
        timeoutMs: requestTimeoutMs(),
        followRedirects: true
      })
      if (isTransientStatus(answer.status)) throw transientFromStatus(answer, new URL(url).host)
      if (answer.status !== 200) return { missing: answer.status }
      return answer.body
    },
    retry
  )
}

async function resolveVersion(
  options: InstallOptions,
  platform: ReleasePlatform
): Promise<{ version: string; sha256?: string }> {
  if (options.version !== 'latest') return { version: options.version }
  const url = latestUrl(options.releasesUrl)
  const body = await get(url, 'cnspec latest.json', options.retry)
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

async function fetchVerified(
  options: InstallOptions,
  platform: ReleasePlatform,
  version: string,
  latestSha?: string
): Promise<string> {
  const dir = await mkdtemp(join(requireEnv('RUNNER_TEMP'), 'cnspec-download-'))
  const file = join(dir, archiveName(version, platform))
  const url = archiveUrl(options.releasesUrl, version, platform)
  const sumsUrl = checksumsUrl(options.releasesUrl, version)
  const notFound = (what: string, status: number): ActionError =>
    new ActionError(
      `The ${what} for cnspec ${version} (${platform.key}) is not on ${options.releasesUrl} (HTTP ${status}). ` +
        `Check "cnspec-version" against Mondoo's releases, or that your "releases-url" mirror has it.`
    )
  // Whatever goes wrong, the unverified download does not stay behind.
  try {
    const [sums, archive] = await Promise.all([
      get(sumsUrl, 'cnspec checksums download', options.retry),
      withRetry(
        'cnspec download',
        () => download(url, file, requestTimeoutMs()),
        options.retry
      ).catch(error => {
        if (error instanceof HttpStatusError) throw notFound('archive', error.status)
        throw error
      })
    ])
    if (typeof sums !== 'string') {
      throw new ActionError(
        `${notFound('checksums file', sums.missing).message} Without checksums the download cannot be verified, so it is not installed.`
      )
    }
    const expected = parseChecksums(sums).get(archiveName(version, platform))
    if (!expected) {
      throw new ActionError(
        `${sumsUrl} lists no checksum for ${archiveName(version, platform)}; the download cannot be verified, so it is not installed.`
      )
    }
    if (archive.sha256 !== expected || (latestSha && archive.sha256 !== latestSha)) {
      throw new ActionError(
        `Checksum mismatch for ${archiveName(version, platform)}: downloaded ${archive.sha256}, expected ${expected}` +
          `${latestSha && latestSha !== expected ? ` (latest.json says ${latestSha})` : ''}. The file was discarded and nothing was installed. ` +
          `Retry; if it persists, your network or mirror ("releases-url") serves a different file.`
      )
    }
    options.log(
      `downloaded ${archiveName(version, platform)} (${archive.bytes} bytes), SHA-256 verified`
    )
    return file
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    throw error
  }
}

/**
 * Installs cnspec into the tool cache, or reuses it from there. Nothing unverified ever
 * enters the cache: the archive is checked against Mondoo's checksums and the extracted
 * binary must answer `cnspec version` before it is cached.
 */
export async function installCnspec(options: InstallOptions): Promise<Installed> {
  const platform = currentPlatform()
  if ('error' in platform) throw new ActionError(platform.error)
  requireEnv('RUNNER_TOOL_CACHE')
  const { version, sha256 } = await resolveVersion(options, platform)

  const reuse = async (): Promise<Installed | undefined> => {
    const dir = tc.find(TOOL, version)
    if (!dir) return undefined
    const binary = join(dir, platform.binary)
    const probe = await probeBinary(binary)
    if ('version' in probe) return { version, binary, source: 'cache' }
    options.warn(`The cached cnspec ${version} is damaged (${probe.error}); installing it again.`)
    await rm(dir, { recursive: true, force: true })
    await rm(`${dir}.complete`, { force: true })
    return undefined
  }

  const cached = await reuse()
  if (cached) {
    options.log(`cnspec ${version} found in the tool cache`)
    return cached
  }
  const archive = await fetchVerified(options, platform, version, sha256)
  const extracted =
    platform.extension === 'zip'
      ? await tc.extractZip(archive)
      : await tc.extractTar(archive, undefined, 'xz')
  const probe = await probeBinary(join(extracted, platform.binary))
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

  const lockDir = join(requireEnv('RUNNER_TOOL_CACHE'), TOOL)
  await mkdir(lockDir, { recursive: true })
  const release = await acquireLock(
    join(lockDir, `.${version}-${process.arch}.lock`),
    LOCK_WAIT_MS,
    () => options.log('another job on this runner is caching cnspec; waiting for it')
  )
  try {
    // Another job may have cached the same version while this one downloaded.
    const theirs = await reuse()
    if (theirs) return { ...theirs, source: 'download' }
    const dir = await tc.cacheDir(extracted, TOOL, version)
    return { version, binary: join(dir, platform.binary), source: 'download' }
  } finally {
    await release()
    await rm(dirname(archive), { recursive: true, force: true }).catch(() => undefined)
    await rm(extracted, { recursive: true, force: true }).catch(() => undefined)
  }
}
