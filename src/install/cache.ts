import { constants } from 'node:fs'
import { access, chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

// The layout of @actions/tool-cache, so that tc.find('cnspec', v) finds entries made either
// way: $RUNNER_TOOL_CACHE/cnspec/<version>/<arch>/ and, written last, <arch>.complete.

export interface CacheEntry {
  dir: string
  marker: string
  binary: string
}

export function cacheEntry(toolCache: string, version: string, binary: string): CacheEntry {
  const dir = join(toolCache, 'cnspec', version, process.arch)
  return { dir, marker: `${dir}.complete`, binary: join(dir, binary) }
}

/** Why a cached cnspec cannot run as it is; null for a regular, executable file. */
export async function problemOf(binary: string): Promise<string | null> {
  const info = await stat(binary).catch(() => undefined)
  if (!info?.isFile()) return info ? 'cnspec is not a regular file' : 'cnspec is missing'
  return access(binary, constants.X_OK)
    .then(() => null)
    .catch(() => 'cnspec is not executable')
}

/**
 * Publishes a finished private folder as the entry, for every user of the runner, with one
 * rename: concurrent jobs never see half an entry, and need no lock. When another job's entry
 * got there first, it is used if it can run.
 */
export async function publish(entry: CacheEntry, ready: string): Promise<void> {
  await chmod(ready, 0o755)
  await mkdir(dirname(entry.dir), { recursive: true })
  await rename(ready, entry.dir).catch(async error => {
    if (await problemOf(entry.binary)) throw error
  })
  await writeFile(entry.marker, '')
}
