import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tarGz, zip } from '../../sandbox/archives.js'
import { cacheEntry, privateDir, publish } from '../../src/install/cache.js'
import { proveEntry, zipMember } from '../../src/install/verify.js'
import { redirectProblem } from '../../src/net/http.js'
import { tempDir } from '../../sandbox/runner.js'

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const BINARY = Buffer.from('#!/bin/sh\necho cnspec 1.2.3\n')

function entryWith(files: Record<string, Buffer>): string {
  const dir = tempDir('cnspec-entry')
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

describe('proveEntry', () => {
  const archive = tarGz([
    { name: 'README', content: Buffer.alloc(700, 'x') },
    { name: 'cnspec', content: BINARY }
  ])
  const layout = { archive: 'cnspec_1.2.3_linux_amd64.tar.gz', binary: 'cnspec' }

  it('accepts the binary extracted from the archive SHA256SUMS lists', async () => {
    const dir = entryWith({ [layout.archive]: archive, cnspec: BINARY })
    expect(await proveEntry(dir, layout, sha(archive))).toBeNull()
  })

  it.each([
    ['a swapped binary', { cnspec: Buffer.from('#!/bin/sh\necho evil\n') }, /differs from the one/],
    [
      'a binary with bytes appended',
      { cnspec: Buffer.concat([BINARY, Buffer.from('x')]) },
      /differs from the one/
    ],
    ['a truncated binary', { cnspec: BINARY.subarray(0, 5) }, /differs from the one/],
    ['a missing archive', { [layout.archive]: undefined }, /no verified archive/],
    [
      'an archive swapped with its binary',
      {
        [layout.archive]: tarGz([{ name: 'cnspec', content: Buffer.from('evil') }]),
        cnspec: Buffer.from('evil')
      },
      /does not match the published SHA-256/
    ],
    ['a missing binary', { cnspec: undefined }, /cnspec is missing/]
  ])('refuses %s', async (_name, change, problem) => {
    const files: Record<string, Buffer | undefined> = Object.assign(
      { [layout.archive]: archive, cnspec: BINARY },
      change
    )
    const present = Object.fromEntries(
      Object.entries(files).filter((e): e is [string, Buffer] => e[1] !== undefined)
    )
    expect(await proveEntry(entryWith(present), layout, sha(archive))).toMatch(problem)
  })

  it('reads the binary out of a zip (Windows) the same way', async () => {
    const windows = { archive: 'cnspec_1.2.3_windows_amd64.zip', binary: 'cnspec.exe' }
    const data = zip([{ name: 'cnspec.exe', content: BINARY }])
    expect(zipMember(data, 'cnspec.exe')).toEqual(BINARY)
    const dir = entryWith({ [windows.archive]: data, 'cnspec.exe': BINARY })
    expect(await proveEntry(dir, windows, sha(data))).toBeNull()
    writeFileSync(join(dir, 'cnspec.exe'), 'evil')
    expect(await proveEntry(dir, windows, sha(data))).toMatch(/differs/)
  })
})

describe('publish', () => {
  const good = async (dir: string) => (existsSync(join(dir, 'good')) ? null : 'not good')
  const ready = async (entry: ReturnType<typeof cacheEntry>, mark: string) => {
    const dir = await privateDir(entry)
    writeFileSync(join(dir, 'good'), mark)
    return dir
  }

  it('renames the private folder into place and writes the marker last', async () => {
    const entry = cacheEntry(tempDir('tc'), '1.2.3', 'x64')
    expect(await publish(entry, await ready(entry, 'a'), good)).toBe('ours')
    expect(readdirSync(entry.dir)).toEqual(['good'])
    expect(readdirSync(entry.parent).sort()).toEqual(['x64', 'x64.complete'])
  })

  it('uses a good entry that won the race, and drops its own', async () => {
    const entry = cacheEntry(tempDir('tc'), '1.2.3', 'x64')
    await publish(entry, await ready(entry, 'first'), good)
    expect(await publish(entry, await ready(entry, 'second'), good)).toBe('theirs')
    expect(readdirSync(entry.parent).sort()).toEqual(['x64', 'x64.complete'])
  })

  it('moves a file standing where the entry belongs aside', async () => {
    const entry = cacheEntry(tempDir('tc'), '1.2.3', 'x64')
    mkdirSync(entry.parent, { recursive: true })
    writeFileSync(entry.dir, 'not a folder')
    expect(await publish(entry, await ready(entry, 'new'), good)).toBe('ours')
    expect(readdirSync(entry.dir)).toEqual(['good'])
  })

  it('moves a bad entry aside and takes its place', async () => {
    const entry = cacheEntry(tempDir('tc'), '1.2.3', 'x64')
    mkdirSync(entry.dir, { recursive: true })
    writeFileSync(join(entry.dir, 'cnspec'), 'half')
    expect(await publish(entry, await ready(entry, 'new'), good)).toBe('ours')
    expect(readdirSync(entry.dir)).toEqual(['good'])
    expect(readdirSync(entry.parent).sort()).toEqual(['x64', 'x64.complete'])
  })
})

describe('redirectProblem', () => {
  const u = (s: string) => new URL(s)
  it.each([
    ['https://releases.mondoo.com/a', 'https://cdn.example/a?sig=1', null],
    ['http://127.0.0.1:1/a', 'http://localhost:2/b', null],
    ['http://127.0.0.1:1/a', 'https://cdn.example/a', null],
    ['https://releases.mondoo.com/a', 'http://127.0.0.1/a', 'downgrades https:// to http://'],
    [
      'http://127.0.0.1:1/a',
      'http://203.0.113.7/a',
      'uses http:// to a host that is not a loopback address'
    ],
    ['https://a.example/', 'ftp://a.example/', 'uses "ftp:"; only https:// is followed'],
    ['https://a.example/', 'https://user:pw@a.example/', 'carries a user name or password']
  ])('%s -> %s: %p', (from, to, problem) => {
    expect(redirectProblem(u(from), u(to))).toBe(problem)
  })
})
