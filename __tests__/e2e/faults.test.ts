import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findLeaks } from '../../sandbox/leaks.js'
import { listen } from '../../sandbox/server.js'
import { errorOf, harness, warningsOf, tempDir, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

const authOnly = { status: 'false', scan: 'false', 'cnspec-version': '13.34.0' }
const SHORT_TIMEOUT = { CNSPEC_KEYLESS_TEST_TIMEOUT_MS: '1500' }
const PLATFORM = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`

describe('faults that heal are retried', () => {
  it.each([
    ['a 502', { kind: 'status', status: 502 } as const],
    ['a 503', { kind: 'status', status: 503 } as const],
    ['a 504', { kind: 'status', status: 504 } as const],
    ['a 408', { kind: 'status', status: 408 } as const],
    ['a connection reset', { kind: 'reset' } as const],
    ['an answer cut off mid-body', { kind: 'cut' } as const],
    ['a server that accepts and never answers', { kind: 'hang' } as const]
  ])('STS: %s', async (_name, fault) => {
    h.sandbox.sts.faults.push(fault)
    const result = await h.run({ inputs: authOnly, env: SHORT_TIMEOUT })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(
      /\[sign-in\] Mondoo token exchange: attempt 1 of 6 failed \(.+\); retrying in \d+\.\d s/
    )
    expect(h.sandbox.sts.exchanges).toBe(2)
  })

  it('STS: a 429 waits at least as long as Retry-After says', async () => {
    h.sandbox.sts.faults.push({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } })
    const started = Date.now()
    const result = await h.run({ inputs: authOnly })
    expect(errorOf(result)).toBe('')
    const wait = Number(/answered HTTP 429\); retrying in (\d+\.\d) s/.exec(result.stdout)?.[1])
    expect(wait).toBeGreaterThanOrEqual(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
  })

  it('GitHub: a transient 403 from the id-token endpoint is retried', async () => {
    h.sandbox.oidc.faults.push({
      kind: 'status',
      status: 403,
      body: '{"message":"job is pending"}'
    })
    const result = await h.run({ inputs: authOnly })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(
      /GitHub id-token request: attempt 1 of 2 failed \(HTTP 403: job is pending\); retrying/
    )
    expect(h.sandbox.oidc.requests).toBe(2)
  })

  it('GitHub: an id-token endpoint that never answers times out and is retried', async () => {
    h.sandbox.oidc.faults.push({ kind: 'hang' })
    const result = await h.run({ inputs: authOnly, env: SHORT_TIMEOUT })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(
      /GitHub id-token request: attempt 1 of 2 failed \(GitHub: no answer within 1\.5 s\); retrying/
    )
    expect(h.sandbox.oidc.requests).toBe(2)
  })

  it('releases: latest.json answering 503 is retried', async () => {
    h.sandbox.releases.faults.push({ path: 'latest.json', fault: { kind: 'status', status: 503 } })
    const result = await h.run({ inputs: { ...authOnly, 'cnspec-version': 'latest' } })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(/cnspec latest\.json: attempt 1 of 6 failed/)
  })

  it('releases: a reset in the middle of the archive is retried', async () => {
    h.sandbox.releases.faults.push({ path: '.tar.gz', fault: { kind: 'cut' } })
    h.sandbox.releases.faults.push({ path: '.tar.gz', fault: { kind: 'reset' } })
    const result = await h.run({ inputs: authOnly })
    expect(errorOf(result)).toBe('')
    expect(result.stdout.match(/cnspec download: attempt \d of 6 failed/g)).toHaveLength(2)
  })

  it('releases: a download that stalls is a timeout, not a hang', async () => {
    h.sandbox.releases.faults.push({ path: '.tar.gz', fault: { kind: 'hang' } })
    const result = await h.run({ inputs: authOnly, env: SHORT_TIMEOUT })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(
      /cnspec download: attempt 1 of 6 failed \(.*(timed out|stalled|no answer).*\)/
    )
  })
})

describe('faults that cannot heal fail at once, with the fix', () => {
  it.each([400, 401, 403, 404])('STS %i is not retried', async status => {
    h.sandbox.sts.faults.push({
      kind: 'status',
      status,
      body: JSON.stringify({ code: 7, message: 'nope' })
    })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(h.sandbox.sts.exchanges).toBe(1)
    expect(errorOf(result)).toContain(`HTTP ${status}: nope`)
    expect(result.stdout).not.toMatch(/retrying/)
  })

  it('gives up after the documented number of attempts', async () => {
    for (let i = 0; i < 10; i++) h.sandbox.sts.faults.push({ kind: 'status', status: 503 })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(h.sandbox.sts.exchanges).toBe(6)
    expect(result.stdout.match(/retrying in/g)).toHaveLength(5)
  })

  it('never follows an STS redirect, so the id-token stays home', async () => {
    let captured = 0
    const elsewhere = await listen((_req, res) => {
      captured++
      res.end('{}')
    })
    try {
      h.sandbox.sts.faults.push({
        kind: 'redirect',
        status: 307,
        location: `${elsewhere.url}/SecureTokenService/ExchangeExternalToken`
      })
      const result = await h.run({ inputs: authOnly })
      expect(result.exitCode).toBe(1)
      expect(captured).toBe(0)
      expect(errorOf(result)).toMatch(
        /answered with a redirect \(HTTP 307\); the id-token is never sent on to another address/
      )
      expect(errorOf(result)).toContain(`it pointed to ${elsewhere.url}`)
    } finally {
      await elsewhere.close()
    }
  })

  it('a failed run exports nothing and sets no outputs, even when the install succeeded', async () => {
    h.sandbox.sts.faults.push({ kind: 'status', status: 403 })
    const result = await h.run({ inputs: { 'cnspec-version': '13.34.0' } })
    expect(result.exitCode).toBe(1)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
    expect(result.addedPath).toEqual([])
  })

  it('reports both failures when sign-in and install fail together', async () => {
    h.sandbox.sts.faults.push({ kind: 'status', status: 403 })
    const result = await h.run({ inputs: { 'cnspec-version': '9.9.9' } })
    expect(errorOf(result)).toMatch(/HTTP 403/)
    expect(errorOf(result)).toMatch(/The archive for cnspec 9\.9\.9 is not on the release server/)
  })
})

describe('the tool cache survives crashes', () => {
  const cacheDir = (toolCache: string) => join(toolCache, 'cnspec', '13.34.0', process.arch)

  it('a job killed mid-download leaves a cache the next job uses', async () => {
    const toolCache = tempDir('cnspec-kill')
    h.sandbox.releases.throttle = 200
    const killed = await h.sandbox.run({
      inputs: authOnly,
      toolCache,
      onSpawn: child => {
        const timer = setInterval(() => {
          if (h.sandbox.releases.requests.some(p => p.endsWith('.tar.gz'))) {
            clearInterval(timer)
            child.kill('SIGKILL')
          }
        }, 10)
      }
    })
    expect(killed.signal).toBe('SIGKILL')
    expect(findLeaks(killed, h.sandbox.secrets())).toEqual([])
    expect(existsSync(`${cacheDir(toolCache)}.complete`)).toBe(false)
    h.sandbox.releases.throttle = undefined
    const next = await h.run({ inputs: authOnly, toolCache })
    expect(errorOf(next)).toBe('')
    expect(readdirSync(cacheDir(toolCache))).toEqual(['cnspec'])
  })

  it('a job killed while caching (half-copied folder, lock of a dead older version) is repaired', async () => {
    const toolCache = tempDir('cnspec-kill')
    mkdirSync(cacheDir(toolCache), { recursive: true })
    writeFileSync(join(cacheDir(toolCache), 'cnspec'), '#!/bin/sh\n') // truncated copy
    writeFileSync(
      join(toolCache, 'cnspec', `.13.34.0-${process.arch}.lock`),
      JSON.stringify({ pid: 2 ** 22 + 7, host: (await import('node:os')).hostname() })
    )
    const result = await h.run({ inputs: authOnly, toolCache })
    expect(errorOf(result)).toBe('')
    expect(existsSync(`${cacheDir(toolCache)}.complete`)).toBe(true)
    // No lock is used any more: the old one is ignored, not waited for.
    expect(result.stdout).not.toMatch(/waiting/)
  })

  it('a cache entry that lost its binary is replaced, with one warning, and found afterwards', async () => {
    const toolCache = tempDir('cnspec-damaged')
    expect((await h.run({ inputs: authOnly, toolCache })).exitCode).toBe(0)
    rmSync(join(cacheDir(toolCache), 'cnspec'))
    h.sandbox.releases.requests.length = 0
    const result = await h.run({ inputs: authOnly, toolCache })
    expect(errorOf(result)).toBe('')
    expect(warningsOf(result)).toEqual([
      `Cached cnspec at ${cacheDir(toolCache)} cannot run (cnspec is missing); replacing it.`
    ])
    expect(h.sandbox.releases.requests).toContain(
      `/cnspec/13.34.0/cnspec_13.34.0_${PLATFORM}.tar.gz`
    )
    const again = await h.run({ inputs: authOnly, toolCache })
    expect(again.stdout).toContain('found in the tool cache')
  })
})

describe('secrets stay secret in debug mode', () => {
  const debug = { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }

  it('on success, with debug logging on', async () => {
    const result = await h.run({ env: debug })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/::debug::/)
  })

  it('on a status failure, with debug logging on', async () => {
    h.sandbox.sts.revokeAll = true
    const result = await h.run({ env: debug })
    expect(result.exitCode).toBe(1)
  })

  it('when the STS echoes the request (and the token) back in its error', async () => {
    h.sandbox.sts.faults.push({ kind: 'echo', status: 401 })
    const result = await h.run({ env: debug })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('[id-token]')
  })

  it('when the STS echoes the request back with a 500 on every attempt', async () => {
    for (let i = 0; i < 6; i++) h.sandbox.sts.faults.push({ kind: 'echo', status: 500 })
    const result = await h.run({ env: debug, inputs: authOnly })
    expect(result.exitCode).toBe(1)
  })
})
