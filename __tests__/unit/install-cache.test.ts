import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheEntry, problemOf, publish } from '../../src/install/cache.js'
import { redirectProblem } from '../../src/net/http.js'
import { tempDir } from '../../sandbox/runner.js'

const toolCache = () => tempDir('tc')

/** A finished private folder holding a cnspec, as an install leaves it before publishing. */
function ready(cache: string, mode = 0o755): string {
  const dir = mkdtempSync(join(cache, '.cnspec-'))
  writeFileSync(join(dir, 'cnspec'), '#!/bin/sh\n', { mode })
  return dir
}

describe('problemOf: a cached cnspec runs as it is only when it is a regular, executable file', () => {
  it.each([
    ['a regular executable file', (path: string) => writeFileSync(path, '', { mode: 0o755 }), null],
    [
      'a file without the execute bit',
      (path: string) => writeFileSync(path, '', { mode: 0o644 }),
      'cnspec is not executable'
    ],
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path]), 'cnspec is not a regular file'],
    ['a folder', (path: string) => mkdirSync(path), 'cnspec is not a regular file'],
    ['nothing', () => undefined, 'cnspec is missing']
  ])('%s', async (_name, make, problem) => {
    const path = join(toolCache(), 'cnspec')
    make(path)
    expect(await problemOf(path)).toBe(problem)
  })
})

describe('publish', () => {
  it('renames the private folder into place, readable by all, and writes the marker last', async () => {
    const cache = toolCache()
    const entry = cacheEntry(cache, '1.2.3', 'cnspec')
    await publish(entry, ready(cache))
    expect(readdirSync(entry.dir)).toEqual(['cnspec'])
    expect(statSync(entry.dir).mode & 0o777).toBe(0o755)
    expect(readdirSync(join(cache, 'cnspec', '1.2.3')).sort()).toEqual(
      [process.arch, `${process.arch}.complete`].sort()
    )
  })

  it('uses an entry that can run when another job published first, and leaves its own', async () => {
    const cache = toolCache()
    const entry = cacheEntry(cache, '1.2.3', 'cnspec')
    await publish(entry, ready(cache))
    const second = ready(cache)
    await publish(entry, second)
    expect(readdirSync(second)).toEqual(['cnspec']) // the caller removes it
    expect(readdirSync(join(cache, 'cnspec', '1.2.3')).sort()).toEqual(
      [process.arch, `${process.arch}.complete`].sort()
    )
  })

  it('tries the rename again while the folder is busy (a virus scanner on Windows)', async () => {
    const cache = toolCache()
    const entry = cacheEntry(cache, '1.2.3', 'cnspec')
    const folder = ready(cache)
    // A mount point cannot be renamed (EBUSY): a real busy folder, until it is unmounted.
    try {
      execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', folder], { stdio: 'ignore' })
    } catch {
      console.warn('skipped: mounting a tmpfs needs root (CAP_SYS_ADMIN)')
      return
    }
    setTimeout(() => execFileSync('umount', [folder]), 100)
    await publish(entry, folder)
    expect(readdirSync(entry.dir)).toEqual(['cnspec'])
  })

  it('refuses to take over an entry that cannot run', async () => {
    const cache = toolCache()
    const entry = cacheEntry(cache, '1.2.3', 'cnspec')
    mkdirSync(entry.dir, { recursive: true })
    writeFileSync(entry.binary, 'not runnable', { mode: 0o644 })
    await expect(publish(entry, ready(cache))).rejects.toMatchObject({ code: 'ENOTEMPTY' })
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
