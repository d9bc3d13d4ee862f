import * as tc from '@actions/tool-cache'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ActionError, messageOf } from '../errors.js'
import { getText } from '../net/http.js'
import { TransientError, requestTimeoutMs, withRetry, type RetryOptions } from '../net/retry.js'
import { cnspecEnv } from '../scan/run-cnspec.js'
import { cacheEntry, problemOf, publish } from './cache.js'
import { diskError, download } from './download.js'
import { currentPlatform } from './platform.js'
import { archiveName, notThere, parseLatest, sha256Of, releaseUrls } from './release.js'

const run = promisify(execFile)

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
  source: 'cache' | 'download'
}

/** latest.json's version; if the server cannot be reached, the newest cnspec in the tool cache. */
async function resolve({ version, releasesUrl, log, warn, retry }: InstallOptions) {
  if (version !== 'latest') return version
  const url = `${releasesUrl}/cnspec/latest.json`
  const fix = `Check "releases-url", or set "cnspec-version" to an exact version.`
  const get = () => getText(url, requestTimeoutMs()).then(parseLatest)
  const latest = await withRetry('cnspec latest.json', get, retry).catch(error => {
    const newest = tc.evaluateVersions(tc.findAllVersions('cnspec'), '*')
    if (!(error instanceof TransientError))
      throw new ActionError(`${url}: ${messageOf(error)}. ${fix}`)
    if (!newest) throw new ActionError(`${url}: ${error.message}, and no cnspec is cached. ${fix}`)
    warn(`${url}: ${error.message}. Using cnspec ${newest}, the newest in the tool cache.`)
    return newest
  })
  if (!latest) throw new ActionError(`${url} names no version of the form X.Y.Z. ${fix}`)
  log(`latest cnspec is ${latest}`)
  return latest
}

/**
 * cnspec from the tool cache when it is there and can run: it is not verified again, since the
 * runner and its tool cache are trusted (as by every setup action). Else it is downloaded,
 * checked against Mondoo's SHA256SUMS before it is extracted, and published to the tool cache.
 */
export async function installCnspec(options: InstallOptions): Promise<Installed> {
  const platform = currentPlatform()
  if ('error' in platform) throw new ActionError(platform.error)
  const { RUNNER_TOOL_CACHE: toolCache, RUNNER_TEMP: temp } = process.env
  if (!toolCache || !temp) throw new ActionError('RUNNER_TOOL_CACHE and RUNNER_TEMP must be set.')
  const version = await resolve(options)
  const entry = cacheEntry(toolCache, version, platform.binary)
  const problem = tc.find('cnspec', version) && (await problemOf(entry.binary))
  if (problem === null) {
    options.log(`cnspec ${version} found in the tool cache`)
    return { version, binary: entry.binary, source: 'cache' }
  }
  if (problem) options.warn(`Cached cnspec at ${entry.dir} cannot run (${problem}); replacing it.`)
  // Also what a killed install left (no marker), marker first: tc.find never sees half an entry.
  await rm(entry.marker, { force: true })
  await rm(entry.dir, { recursive: true, force: true })
  const name = archiveName(version, platform)
  const urls = releaseUrls(options.releasesUrl, version, platform)
  const expected = sha256Of(urls.checksums, name, version, options.retry)
  expected.catch(() => undefined) // awaited once the download is done
  let [work, ready] = ['', '']
  try {
    work = await mkdtemp(join(temp, 'cnspec-download-'))
    const archive = join(work, name)
    const get = () => download(urls.archive, archive, requestTimeoutMs())
    const got = await withRetry('cnspec download', get, options.retry).catch(error => {
      throw notThere(error, 'archive', version)
    })
    if (got.sha256 !== (await expected))
      throw new ActionError(
        `Checksum mismatch for ${name}: downloaded ${got.sha256}, expected ${await expected}. Nothing was ` +
          `installed. Retry; if it persists, your network or mirror ("releases-url") serves another file.`
      )
    options.log(`downloaded ${name} (${got.bytes} bytes), SHA-256 verified`)
    // Extracted beside the entry, on the tool cache's disk, so that publishing is one rename.
    const into = (ready = await mkdtemp(join(toolCache, '.cnspec-')))
    try {
      if (platform.extension === 'zip') await tc.extractZip(archive, into)
      else await tc.extractTar(archive, into, ['xz', '--no-same-owner'])
    } catch (error) {
      // tar and unzip name a full disk only in words (on stderr, shown above): ask the disk.
      const { bavail, bsize } = await statfs(into)
      if (bavail * bsize < got.bytes) throw { code: 'ENOSPC', path: into }
      throw new ActionError(`Could not extract ${name}: ${messageOf(error)}`)
    }
    // The one run before publishing, with cnspec's minimal environment; a busy runner may be slow.
    const env = cnspecEnv(undefined)
    const probe = run(join(into, platform.binary), ['version'], { timeout: 60000, env })
    const { stdout } = await probe.catch((error: Error) => ({ stdout: error.message }))
    const probed = /cnspec v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0]
    if (probed !== version)
      throw new ActionError(`The verified archive holds no working cnspec ${version}: ${probed}`)
    await publish(entry, into)
    return { version, binary: entry.binary, source: 'download' }
  } catch (error) {
    throw diskError(error, toolCache) ?? error
  } finally {
    for (const dir of [work, ready]) if (dir) await rm(dir, { recursive: true, force: true })
  }
}
