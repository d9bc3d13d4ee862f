import { randomBytes } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ActionError } from '../errors.js'

// The tool cache layout of @actions/tool-cache, so `tc.find('cnspec', v)` keeps working:
//   $RUNNER_TOOL_CACHE/cnspec/<version>/<arch>/            the entry
//   $RUNNER_TOOL_CACHE/cnspec/<version>/<arch>.complete    written after the entry is in place
// Entries are built in a private folder next to the final path and published with one
// rename, so no other process ever sees a half-written entry and no lock is needed.

export interface CacheEntry {
  /** $RUNNER_TOOL_CACHE/cnspec/<version> */
  parent: string
  dir: string
  marker: string
  arch: string
}

export function cacheEntry(toolCache: string, version: string, arch: string): CacheEntry {
  const parent = join(toolCache, 'cnspec', version)
  const dir = join(parent, arch)
  return { parent, dir, marker: `${dir}.complete`, arch }
}

/** Private folders of installs in progress, and entries moved aside to be deleted. */
const PARTIAL = (arch: string) => `.${arch}.partial-`
const TRASH = (arch: string) => `.${arch}.trash-`
/** Far longer than any download may take: such a folder belongs to a killed install. */
const ABANDONED_MS = 60 * 60 * 1000
/**
 * rename() onto a taken path: ENOTEMPTY/EEXIST on POSIX (ENOTDIR when a file is there),
 * EPERM/EACCES/EBUSY on Windows, which never renames over an existing folder.
 */
const OCCUPIED = new Set(['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EPERM', 'EACCES', 'EBUSY'])
const PUBLISH_ATTEMPTS = 8

/** A fresh private folder on the same file system as the entry, so publishing is a rename. */
export async function privateDir(entry: CacheEntry): Promise<string> {
  await mkdir(entry.parent, { recursive: true }).catch(async (error: NodeJS.ErrnoException) => {
    // A recursive mkdir that a read-only or full disk refuses reports ENOENT; plain ones
    // report the real reason.
    if (error.code !== 'ENOENT') throw error
    for (const dir of [dirname(entry.parent), entry.parent])
      await mkdir(dir).catch((inner: NodeJS.ErrnoException) => {
        if (inner.code !== 'EEXIST') throw inner
      })
  })
  return mkdtemp(join(entry.parent, PARTIAL(entry.arch)))
}

export async function markComplete(entry: CacheEntry): Promise<void> {
  await writeFile(entry.marker, '')
}

export async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false
  )
}

/** Removes what killed installs and replaced entries left behind (never a live install's folder). */
export async function sweep(entry: CacheEntry): Promise<void> {
  const names = await readdir(entry.parent).catch(() => [] as string[])
  await Promise.all(
    names.map(async name => {
      const path = join(entry.parent, name)
      const trash = name.startsWith(TRASH(entry.arch))
      if (!trash && !name.startsWith(PARTIAL(entry.arch))) return
      const info = await lstat(path).catch(() => undefined)
      if (info && (trash || Date.now() - info.mtimeMs > ABANDONED_MS))
        await rm(path, { recursive: true, force: true }).catch(() => undefined)
    })
  )
}

/**
 * Moves whatever is at the entry's path aside, atomically. If another process replaced it
 * between our look and the move (its inode changed), it is put back: we only ever remove
 * what we judged.
 */
async function moveAside(entry: CacheEntry, judged: number | undefined): Promise<void> {
  const trash = join(entry.parent, `${TRASH(entry.arch)}${randomBytes(6).toString('hex')}`)
  try {
    await rename(entry.dir, trash)
  } catch {
    return // gone already, or in use (Windows): the next attempt looks again
  }
  const moved = await lstat(trash).catch(() => undefined)
  if (moved && judged !== undefined && moved.ino !== judged) {
    await rename(trash, entry.dir).catch(() => undefined)
    return
  }
  await rm(trash, { recursive: true, force: true }).catch(() => undefined)
}

/**
 * Publishes a finished private folder as the entry. When the path is taken, the entry there
 * is proved: a good one (another job won the race) is used and ours dropped; anything else
 * (a half-copied folder from an older version of this action, a swapped binary) is moved
 * aside and the rename tried again. Returns 'ours' or 'theirs'.
 */
export async function publish(
  entry: CacheEntry,
  ready: string,
  prove: (dir: string) => Promise<string | null>
): Promise<'ours' | 'theirs'> {
  for (let attempt = 1; attempt <= PUBLISH_ATTEMPTS; attempt++) {
    try {
      await rename(ready, entry.dir)
      await markComplete(entry)
      return 'ours'
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? ''
      if (!OCCUPIED.has(code)) throw error
    }
    const judged = (await lstat(entry.dir).catch(() => undefined))?.ino
    if (judged !== undefined && (await prove(entry.dir)) === null) {
      await rm(ready, { recursive: true, force: true }).catch(() => undefined)
      if (!(await exists(entry.marker))) await markComplete(entry)
      return 'theirs'
    }
    await moveAside(entry, judged)
    await new Promise(resolve => setTimeout(resolve, 20 * attempt))
  }
  throw new ActionError(
    `Could not put cnspec into the tool cache at ${entry.dir}: the path stayed occupied by an entry that fails ` +
      `verification (on Windows, a running cnspec.exe holds its folder). Stop the jobs using it, or delete the folder.`
  )
}
