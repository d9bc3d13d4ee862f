import type { ReleasePlatform } from './platform.js'

const VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/
const SHA256 = /^[a-f0-9]{64}$/

export function archiveName(version: string, platform: ReleasePlatform): string {
  return `cnspec_${version}_${platform.key}.${platform.extension}`
}

export function archiveUrl(
  releasesUrl: string,
  version: string,
  platform: ReleasePlatform
): string {
  return `${releasesUrl}/cnspec/${version}/${archiveName(version, platform)}`
}

/** Mondoo names the checksums file with a "v" before the version, unlike the archives. */
export function checksumsUrl(releasesUrl: string, version: string): string {
  return `${releasesUrl}/cnspec/${version}/cnspec_v${version}_SHA256SUMS`
}

export function latestUrl(releasesUrl: string): string {
  return `${releasesUrl}/cnspec/latest.json`
}

export interface LatestRelease {
  version: string
  /** The archive's SHA-256 for this platform, when latest.json lists it. */
  sha256: string | undefined
  /** The archive's size in bytes, when latest.json lists it: the download's size cap. */
  size: number | undefined
}

/**
 * Reads latest.json. The version it names goes into URLs and paths, so it is held to the
 * same X.Y.Z rule as a version the user types.
 */
export function parseLatest(
  body: string,
  platform: ReleasePlatform
): LatestRelease | { error: string } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { error: 'latest.json is not JSON' }
  }
  const data = json as { version?: unknown; files?: unknown }
  const version = typeof data?.version === 'string' ? data.version.replace(/^v/, '') : ''
  if (!VERSION.test(version)) return { error: 'latest.json has no version of the form X.Y.Z' }
  const files = Array.isArray(data.files) ? (data.files as Array<Record<string, unknown>>) : []
  const entry = files.find(
    f =>
      f &&
      f.platform === platform.key &&
      String(f.filename ?? '').endsWith(archiveName(version, platform))
  )
  const hash = typeof entry?.hash === 'string' ? entry.hash.toLowerCase() : undefined
  if (hash !== undefined && !SHA256.test(hash))
    return { error: `latest.json's hash for ${platform.key} is not a SHA-256` }
  const size =
    typeof entry?.size === 'number' && Number.isSafeInteger(entry.size) && entry.size > 0
      ? entry.size
      : undefined
  return { version, sha256: hash, size }
}

/** Parses `<sha256>  <file>` lines (a "*" before the name marks binary mode). */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Fa-f0-9]{64})\s+\*?(\S+)\s*$/.exec(line.trim())
    if (match) sums.set(match[2] as string, (match[1] as string).toLowerCase())
  }
  return sums
}
