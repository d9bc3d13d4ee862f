import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ActionError } from '../errors.js'
import { networkError, openGet } from '../net/http.js'
import { TransientError } from '../net/retry.js'
import { zipMember } from './verify.js'

/** The largest archive accepted when neither latest.json nor Content-Length gives a size. */
export const SIZE_CEILING = 1024 ** 3

/** Disk errors are not the network's fault and do not heal on a retry. */
const DISK_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied'
}
const TAR_DISK_ERRORS: Array<[RegExp, string]> = [
  [/No space left on device/i, 'ENOSPC'],
  [/Disk quota exceeded/i, 'EDQUOT'],
  [/Read-only file system/i, 'EROFS'],
  [/Permission denied/i, 'EACCES']
]

/** The tool cache's disk refused a write: not retried, and never blamed on the network. */
export class DiskError extends ActionError {}

export function diskError(code: string, path: string): DiskError | undefined {
  const what = DISK_ERRORS[code]
  if (!what) return undefined
  return new DiskError(
    `Cannot write cnspec into the tool cache: ${what} in RUNNER_TOOL_CACHE (${path}, ${code}). ` +
      `Nothing was installed. Free space or fix the permissions there, or point RUNNER_TOOL_CACHE at a writable disk.`
  )
}

/** The disk error `error` stands for, as a DiskError naming `path`; else `error` itself. */
export function asDiskError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code
  return (code && diskError(code, path)) || error
}

export interface DownloadLimits {
  /** Inactivity allowed on the connection. */
  idleMs: number
  /** When the whole download (every attempt) must be over, as a Date.now() value. */
  deadlineAt: number
  /** The whole download's time allowed, for the message. */
  deadlineMs: number
  /** The size latest.json announced, if any. */
  expectedSize?: number
}

export interface Downloaded {
  sha256: string
  bytes: number
  /** Why the binary could not be extracted; judged only after the hash matched. */
  extractError?: ActionError
}

/**
 * Writes each chunk to the file and, while it lives, to tar, waiting for the slower one. If
 * tar gives up early (a damaged archive), the download still completes, so that the hash,
 * not tar's complaint, says what is wrong.
 */
function fanOut(file: Writable, tar: Writable | undefined): Writable {
  let tarAlive = Boolean(tar)
  const drained = (t: Writable): Promise<void> =>
    new Promise(resolve => {
      t.once('drain', resolve)
      t.once('close', resolve)
    })
  const fan = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const waits = [file.write(chunk) ? undefined : drained(file)]
      if (tar && tarAlive && !tar.write(chunk)) waits.push(drained(tar))
      Promise.all(waits).then(() => done(), done)
    },
    final(done) {
      if (tar && tarAlive) tar.end()
      file.once('error', done)
      file.end(() => done())
    }
  })
  file.on('error', error => fan.destroy(error))
  tar?.on('error', () => (tarAlive = false))
  tar?.on('close', () => (tarAlive = false))
  return fan
}

/**
 * How far the binary may unpack: generous for real builds (a Go binary compresses about 3:1),
 * but a small archive that would fill the disk (a gzip bomb, before its hash is known) is stopped.
 */
export function unpackedLimit(compressedCap: number): number {
  return Math.min(Math.max(8 * compressedCap, 64 * 1024 ** 2), 4 * 1024 ** 3)
}

/**
 * `tar -xzf - <binary>` into `dir`: extraction as the bytes arrive, no second copy. The
 * kernel's file size limit (`ulimit -f`, in 512-byte blocks) bounds what it may write, since
 * the bytes are not verified yet while tar unpacks them.
 */
function untar(
  dir: string,
  binary: string,
  maxBytes: number
): { stdin: Writable; done: Promise<void> } {
  const blocks = String(Math.ceil(maxBytes / 512))
  const script = 'ulimit -f "$0" && exec tar -xzf - --no-same-owner -C "$1" "$2"'
  const child = spawn('/bin/sh', ['-c', script, blocks, dir, binary], {
    stdio: ['pipe', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', chunk => (stderr += chunk))
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', error => reject(new ActionError(`Could not run tar: ${error.message}`)))
    child.on('close', (code, signal) => {
      if (code === 0) return resolve()
      if (signal === 'SIGXFSZ' || /File too large/i.test(stderr))
        return reject(
          new ActionError(
            `The cnspec archive unpacks to more than ${maxBytes} bytes; extraction was stopped and nothing was installed. ` +
              `Check your "releases-url" mirror.`
          )
        )
      const disk = TAR_DISK_ERRORS.find(([pattern]) => pattern.test(stderr))
      reject(
        (disk && diskError(disk[1], dir)) ??
          new ActionError(
            `tar could not extract the archive (${signal ? `signal ${signal}` : `exit code ${code}`}): ${stderr.trim().split('\n')[0] ?? ''}`
          )
      )
    })
  })
  return { stdin: child.stdin, done }
}

/**
 * Downloads the archive into `dir` and extracts its binary there, in one pass: bytes go to
 * the SHA-256, to the kept copy of the archive (the cache entry's proof) and to tar at once.
 * The caller compares the hash before anything in `dir` is used. Bounded: the download ends
 * at `limits.deadlineAt`, and at the size cap (latest.json's size, else Content-Length, else
 * 1 GiB) the connection is cut. Windows archives (zip) are extracted after the download.
 */
export async function downloadInto(
  url: string,
  dir: string,
  names: { archive: string; binary: string },
  limits: DownloadLimits
): Promise<Downloaded> {
  const remaining = limits.deadlineAt - Date.now()
  const late = (): ActionError =>
    new ActionError(
      `The cnspec download from ${new URL(url).host} did not finish within ${Math.round(limits.deadlineMs / 1000)} s; ` +
        `the server is too slow or trickling. Nothing was installed. Retry, or use a faster "releases-url" mirror.`
    )
  if (remaining <= 0) throw late()
  const opened = await openGet(url, Math.min(limits.idleMs, remaining))
  const { message } = opened
  try {
    const declared = Number(message.headers['content-length'] ?? NaN)
    const limit = limits.expectedSize ?? SIZE_CEILING
    const source = limits.expectedSize ? "latest.json's size for it" : 'the 1 GiB ceiling'
    const tooBig = (): ActionError =>
      new ActionError(
        `The cnspec archive from ${new URL(opened.url).host} is larger than ${limit} bytes (${source}); ` +
          `it was cut off there and nothing was installed. Check your "releases-url" mirror.`
      )
    if (Number.isFinite(declared) && declared > limit) throw tooBig()
    // A shorter Content-Length bounds it further; more bytes than that are a broken answer.
    const cap = Number.isFinite(declared) ? declared : limit

    const archivePath = join(dir, names.archive)
    const hash = createHash('sha256')
    let bytes = 0
    const file = createWriteStream(archivePath)
    const tar = names.archive.endsWith('.tar.gz')
      ? untar(dir, names.binary, unpackedLimit(cap))
      : undefined
    const sink = fanOut(file, tar?.stdin)
    const timer = setTimeout(() => message.destroy(late()), remaining)
    message.setTimeout(limits.idleMs, () =>
      message.destroy(
        new TransientError(
          `${new URL(opened.url).host}: download stalled for ${limits.idleMs / 1000} s`
        )
      )
    )
    message.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > cap) message.destroy(tooBig())
      else hash.update(chunk)
    })
    // A full disk under tar ends the download at once; other tar failures wait for the hash.
    const extracted = tar?.done.then(
      () => undefined,
      (error: ActionError) => {
        if (error instanceof DiskError) message.destroy(error)
        return error
      }
    )
    try {
      await pipeline(message, sink)
    } catch (error) {
      file.destroy()
      tar?.stdin.destroy()
      await extracted
      if (error instanceof ActionError || error instanceof TransientError) throw error
      const disk = asDiskError(error, archivePath)
      if (disk !== error) throw disk
      throw networkError(error, opened.url)
    } finally {
      clearTimeout(timer)
    }
    if (!message.complete || (Number.isFinite(declared) && bytes !== declared)) {
      throw new TransientError(
        `${new URL(opened.url).host}: download cut off after ${bytes} of ${Number.isFinite(declared) ? declared : '?'} bytes`
      )
    }
    return { sha256: hash.digest('hex'), bytes, extractError: await extracted }
  } finally {
    opened.dispose()
  }
}

/** Extracts the binary of a verified zip (Windows) next to it. */
export async function unzipVerified(dir: string, names: { archive: string; binary: string }) {
  const content = zipMember(await readFile(join(dir, names.archive)), names.binary)
  if (!content) throw new ActionError(`The verified ${names.archive} holds no ${names.binary}.`)
  await writeFile(join(dir, names.binary), content, { mode: 0o755 }).catch(error => {
    throw asDiskError(error, dir)
  })
}
