import { ActionError } from '../errors.js'
import { HttpStatusError, getText } from '../net/http.js'
import { requestTimeoutMs, withRetry, type RetryOptions } from '../net/retry.js'
import type { ReleasePlatform } from './platform.js'

export function archiveName(version: string, platform: ReleasePlatform): string {
  return `cnspec_${version}_${platform.key}.${platform.extension}`
}

/** Mondoo names the checksums file with a "v" before the version, unlike the archives. */
export function releaseUrls(releasesUrl: string, version: string, platform: ReleasePlatform) {
  const folder = `${releasesUrl}/cnspec/${version}`
  return {
    archive: `${folder}/${archiveName(version, platform)}`,
    checksums: `${folder}/cnspec_v${version}_SHA256SUMS`
  }
}

/** A release file's HTTP status, said: no such version or build, or a mirror without it. */
export function notThere(error: unknown, what: string, version: string, more = ''): unknown {
  if (!(error instanceof HttpStatusError)) return error
  return new ActionError(
    `The ${what} for cnspec ${version} is not on the release server (${error.url}: HTTP ${error.status}). ` +
      `Check "cnspec-version" against Mondoo's releases, or that your "releases-url" mirror has it.${more}`
  )
}

/** latest.json's version. It goes into URLs and paths: held to the X.Y.Z rule of typed versions. */
export function parseLatest(body: string): string | undefined {
  try {
    const { version } = (JSON.parse(body) ?? {}) as { version?: unknown }
    const text = typeof version === 'string' ? version.replace(/^v/, '') : ''
    return /^\d{1,4}\.\d{1,4}\.\d{1,4}$/.test(text) ? text : undefined
  } catch {
    return undefined
  }
}

/** The SHA-256 that SHA256SUMS lists for `name` (`<sha256>  <name>`; "*" marks binary mode). */
export function checksumOf(sums: string, name: string): string | undefined {
  const lines = sums.split(/\r?\n/).map(line => /^([a-f0-9]{64})\s+\*?(\S+)$/i.exec(line.trim()))
  return lines.find(match => match?.[2] === name)?.[1]?.toLowerCase()
}

/** The archive's SHA-256 from the SHA256SUMS published now: nothing unlisted is installed. */
export async function sha256Of(url: string, name: string, version: string, retry?: RetryOptions) {
  const unverifiable = 'the download cannot be verified, so it is not installed.'
  const get = () => getText(url, requestTimeoutMs())
  const sums = await withRetry('cnspec SHA256SUMS', get, retry).catch(error => {
    throw notThere(error, 'checksums file', version, ` Without it ${unverifiable}`)
  })
  const expected = checksumOf(sums, name)
  if (!expected) throw new ActionError(`${url} lists no checksum for ${name}; ${unverifiable}`)
  return expected
}
