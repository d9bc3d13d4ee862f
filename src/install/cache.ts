import { constants } from 'node:fs'
import { access, chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'

// The layout of @actions/tool-cache, so that tc.find('cnspec', v) finds entries made either
// way: $RUNNER_TOOL_CACHE/cnspec/<version>/<arch>/ and, written last, <arch>.complete.

export function cacheEntry(toolCache: string, version: string, binary: string) {
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
 * rename: concurrent jobs never see half an entry, and need no lock.
 */
export async function publish(entry: ReturnType<typeof cacheEntry>, ready: string) {
  await chmod(ready, 0o755)
  await mkdir(dirname(entry.dir), { recursive: true })
  for (let attempt = 1; ; attempt++) {
    const failed = await rename(ready, entry.dir).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error
    )
    // Taken by another job's entry that can run: that one is used.
    if (!failed || !(await problemOf(entry.binary))) break
    // On Windows a virus scanner may hold the fresh folder for a moment (graceful-fs retries too).
    if (attempt >= 5 || !['EPERM', 'EBUSY', 'EACCES'].includes(failed.code ?? '')) throw failed
    await new Promise(resolve => setTimeout(resolve, 250 * attempt))
  }
  await writeFile(entry.marker, '')
}
