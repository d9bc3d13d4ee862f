import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { ActionError } from '../errors.js'
import { networkError, openGet } from '../net/http.js'
import { TransientError } from '../net/retry.js'

/** The largest archive accepted (the size cap when there is no Content-Length). */
const SIZE_CEILING = 1024 ** 3

const DISK: Record<string, string> = { ENOSPC: 'disk full', EROFS: 'read-only', EACCES: 'denied' }

/** A disk refused a write (at the error's own path, else `path`): not retried, not the network's fault. */
export function diskError(error: unknown, path: string): ActionError | undefined {
  const { code = '', path: where = path } = (error ?? {}) as NodeJS.ErrnoException
  if (!DISK[code]) return undefined
  return new ActionError(
    `Cannot write cnspec to disk (${DISK[code]}, ${code}) at ${where}. Nothing was installed. Free space ` +
      `or fix the permissions there, or point RUNNER_TOOL_CACHE and RUNNER_TEMP at a writable disk.`
  )
}

/**
 * Downloads `url` into `file`, hashing it on the way. The size cap cuts it off, and so does the
 * progress rule: at least 64 KiB in every 30 s (a trickle fails, a 100 KiB/s proxy does not).
 */
export async function download(url: string, file: string, windowMs: number) {
  const { message, url: final, dispose } = await openGet(url, windowMs)
  const host = new URL(final).host
  const declared = Number(message.headers['content-length'] ?? NaN)
  const floor = (64 * 1024 * windowMs) / 30000
  const fail = (why: string) =>
    new ActionError(`The cnspec download from ${host} ${why}. Nothing was installed.`)
  const tooBig = fail(`is larger than the ${SIZE_CEILING} bytes allowed; it was cut off there`)
  const tooSlow = fail(`got less than ${Math.round(floor / 1024)} KiB in ${windowMs / 1000} s`)
  const hash = createHash('sha256')
  let [bytes, recent] = [0, 0]
  const progress = setInterval(() => {
    if (recent < floor) message.destroy(tooSlow)
    recent = 0
  }, windowMs)
  message.on('data', (chunk: Buffer) => {
    ;[bytes, recent] = [bytes + chunk.length, recent + chunk.length]
    hash.update(chunk)
    if (bytes > SIZE_CEILING) message.destroy(tooBig)
  })
  try {
    if (declared > SIZE_CEILING) throw tooBig
    await pipeline(message, createWriteStream(file)).catch(error => {
      throw error instanceof ActionError
        ? error
        : (diskError(error, file) ?? networkError(error, final))
    })
    // Node stops at Content-Length; a connection closed before it leaves the message incomplete.
    if (!message.complete) throw new TransientError(`${host}: cut off after ${bytes} bytes`)
    return { sha256: hash.digest('hex'), bytes }
  } finally {
    clearInterval(progress)
    dispose()
  }
}
