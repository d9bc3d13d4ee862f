import { open, readFile, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'

/** A lock older than this is taken over even if its holder looks alive. */
const STALE_MS = 10 * 60 * 1000
const POLL_MS = 150

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function stale(path: string): Promise<boolean> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)])
    if (Date.now() - info.mtimeMs > STALE_MS) return true
    const holder = JSON.parse(content || '{}') as { pid?: number; host?: string }
    // A holder on this host that no longer runs was killed mid-install.
    return holder.host === hostname() && typeof holder.pid === 'number' && !alive(holder.pid)
  } catch {
    // Unreadable or half-written: the holder died between create and write, or just released.
    return false
  }
}

/**
 * An exclusive lock between processes on one machine (jobs of one self-hosted runner share
 * its tool cache). Returns the release function. A lock left by a killed process is taken over.
 */
export async function acquireLock(
  path: string,
  maxWaitMs: number,
  onWait?: () => void
): Promise<() => Promise<void>> {
  const start = Date.now()
  let told = false
  for (;;) {
    try {
      const handle = await open(path, 'wx')
      await handle.writeFile(
        JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })
      )
      await handle.close()
      return async () => {
        await unlink(path).catch(() => undefined)
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (await stale(path)) {
      await unlink(path).catch(() => undefined)
      continue
    }
    if (Date.now() - start > maxWaitMs) {
      throw new Error(`another process has held ${path} for over ${Math.round(maxWaitMs / 1000)} s`)
    }
    if (!told) {
      onWait?.()
      told = true
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}
