import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, open, readFile, readdir, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, inflateRawSync } from 'node:zlib'

// The proof that a tool cache entry holds Mondoo's binary. A cache entry keeps the archive
// it was extracted from. At every use the archive must hash to what SHA256SUMS (fetched
// now) lists, and the binary on disk must be byte for byte the one inside that archive.
// A record of hashes kept next to the binary could be rewritten by whoever swapped the
// binary; the archive cannot be, without breaking the published checksum.

const CHUNK = 1024 * 1024

function memberName(header: Buffer): string {
  const text = (start: number, length: number): string =>
    header.toString('utf8', start, start + length).replace(/\0.*$/s, '')
  const prefix = text(345, 155)
  return (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100)).replace(/^(\.\/)+/, '')
}

/**
 * Compares one regular file inside a tar stream, as the stream passes, with a file on disk,
 * byte for byte (cheaper than hashing both). Like `tar x`, a later member of the same name
 * wins. Only the ustar fields tar itself reads for a plain file are interpreted; other members
 * are skipped by their size.
 */
class TarMemberMatcher extends Writable {
  private pending = Buffer.alloc(0)
  private remaining = 0
  private padding = 0
  /** Within the named member: how far it has matched the file, or -1 once it differs. */
  private offset: number | undefined
  private verdict: boolean | undefined
  private ended = false

  constructor(
    private readonly name: string,
    private readonly file: FileHandle,
    private readonly fileSize: number
  ) {
    super()
  }

  /** undefined when the archive holds no such member. */
  matches(): boolean | undefined {
    return this.verdict
  }

  private finishMember(): void {
    if (this.offset !== undefined) this.verdict = this.offset === this.fileSize
    this.offset = undefined
  }

  private async compare(data: Buffer): Promise<void> {
    if (this.offset === undefined || this.offset < 0) return
    if (this.offset + data.length > this.fileSize) {
      this.offset = -1
      return
    }
    const disk = Buffer.allocUnsafe(data.length)
    const { bytesRead } = await this.file.read(disk, 0, data.length, this.offset)
    this.offset = bytesRead === data.length && disk.equals(data) ? this.offset + data.length : -1
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.consume(chunk).then(() => done(), done)
  }

  private async consume(chunk: Buffer): Promise<void> {
    let data = chunk
    while (data.length && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.length)
        await this.compare(data.subarray(0, take))
        this.remaining -= take
        data = data.subarray(take)
        if (this.remaining === 0) this.finishMember()
        continue
      }
      if (this.padding > 0) {
        const skip = Math.min(this.padding, data.length)
        this.padding -= skip
        data = data.subarray(skip)
        continue
      }
      const need = 512 - this.pending.length
      this.pending = Buffer.concat([this.pending, data.subarray(0, need)])
      data = data.subarray(need)
      if (this.pending.length < 512) break
      const header = this.pending
      this.pending = Buffer.alloc(0)
      if (header.every(byte => byte === 0)) {
        this.ended = true
        break
      }
      const size = parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim(), 8)
      if (!Number.isFinite(size) || size < 0) throw new Error('not a tar archive')
      const type = String.fromCharCode(header[156] ?? 0)
      const regular = type === '0' || type === '\0'
      this.remaining = size
      this.padding = (512 - (size % 512)) % 512
      this.offset = regular && memberName(header) === this.name ? 0 : undefined
      if (size === 0) this.finishMember()
    }
  }
}

/** The archive's SHA-256, and whether the named file in it is `binary`, in one read of each. */
async function readTarGz(
  path: string,
  member: string,
  binary: string
): Promise<{ archive: string; matches?: boolean }> {
  const file = await open(binary, 'r')
  try {
    const archive = createHash('sha256')
    const tar = new TarMemberMatcher(member, file, (await file.stat()).size)
    const gunzip = createGunzip({ chunkSize: CHUNK })
    const reading = pipeline(gunzip, tar)
    const source = createReadStream(path, { highWaterMark: CHUNK })
    source.on('data', chunk => archive.update(chunk))
    await Promise.all([pipeline(source, gunzip), reading])
    return { archive: archive.digest('hex'), matches: tar.matches() }
  } finally {
    await file.close()
  }
}

/** The named file's bytes in a zip archive, found through the central directory. */
export function zipMember(zip: Buffer, name: string): Buffer | undefined {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) return undefined
  const count = zip.readUInt16LE(end + 10)
  let offset = zip.readUInt32LE(end + 16)
  let found: Buffer | undefined
  for (let i = 0; i < count && offset + 46 <= zip.length; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) return undefined
    const method = zip.readUInt16LE(offset + 10)
    const compressed = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extra = zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32)
    const local = zip.readUInt32LE(offset + 42)
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength)
    if (entryName.replace(/^(\.\/)+/, '') === name && local + 30 <= zip.length) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
      const data = zip.subarray(start, start + compressed)
      if (method === 0) found = data
      else if (method === 8) found = inflateRawSync(data)
      else return undefined
    }
    offset += 46 + nameLength + extra
  }
  return found
}

async function readZip(
  path: string,
  member: string,
  binary: string
): Promise<{ archive: string; matches?: boolean }> {
  const zip = await readFile(path)
  const content = zipMember(zip, member)
  return {
    archive: createHash('sha256').update(zip).digest('hex'),
    matches: content && content.equals(await readFile(binary))
  }
}

export interface EntryLayout {
  /** The archive's file name, kept in the entry next to the binary. */
  archive: string
  binary: string
}

/**
 * Proves a cache entry: returns null when it holds the archive whose SHA-256 is `expected`
 * and the binary extracted from it, unchanged; otherwise what is wrong, in words.
 */
export async function proveEntry(
  dir: string,
  layout: EntryLayout,
  expected: string
): Promise<string | null> {
  const binaryPath = join(dir, layout.binary)
  const archivePath = join(dir, layout.archive)
  try {
    // The entry's folder goes on PATH for the rest of the job: anything planted beside a
    // genuine cnspec (a `git`, a `bash`) would run in later steps, so the folder must hold
    // exactly the binary and its archive, and be a real folder, not a link elsewhere.
    const folder = await lstat(dir).catch(() => undefined)
    if (!folder?.isDirectory()) return 'its folder is not a real directory'
    const extra = (await readdir(dir)).filter(
      name => name !== layout.binary && name !== layout.archive
    )
    if (extra.length)
      return `its folder holds more than cnspec and its archive (${extra.sort().join(', ')})`
    const info = await lstat(binaryPath).catch(() => undefined)
    if (!info) return `${layout.binary} is missing`
    if (!info.isFile()) return `${layout.binary} is not a regular file`
    if (!(await lstat(archivePath).catch(() => undefined)))
      return `no verified archive (${layout.archive}) is kept with it`
    const read = layout.archive.endsWith('.zip') ? readZip : readTarGz
    const found = await read(archivePath, layout.binary, binaryPath)
    if (found.archive !== expected)
      return `its archive does not match the published SHA-256 (${found.archive})`
    if (found.matches === undefined) return `its archive holds no ${layout.binary}`
    if (!found.matches) return `${layout.binary} differs from the one in the verified archive`
    return null
  } catch (error) {
    return `it could not be read (${(error as Error).message})`
  }
}
