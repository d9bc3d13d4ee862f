import { expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { runProcess } from '../../src/org/run-process.js'

const env = { PATH: process.env.PATH ?? '' }

/** Running, as opposed to gone or a zombie waiting to be reaped (in a container PID 1 may never). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  if (!existsSync(`/proc/${pid}/stat`)) return true
  return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
}

it('keeps the tail of stderr and the exit code, with no shell in between', async () => {
  const result = await runProcess(
    process.execPath,
    ['-e', 'process.stderr.write("x".repeat(100000) + "ERR last line\\n"); process.exit(3)'],
    { env, timeoutMs: 30000 }
  )
  expect(result.exitCode).toBe(3)
  expect(result.stderr.length).toBe(64 * 1024)
  expect(result.stderr.endsWith('ERR last line\n')).toBe(true)
  expect(result.timedOut).toBe(false)
})

it('says when the program cannot be started', async () => {
  const result = await runProcess('/nonexistent/cnspec', ['scan'], { env, timeoutMs: 30000 })
  expect(result.startError).toMatch(/ENOENT/)
})

const unix = process.platform === 'win32' ? it.skip : it

unix(
  'stops a program that runs too long, and what it started',
  async () => {
    // The child starts a grandchild that would outlive it, and reports its pid.
    const script = `
    const { spawn } = require('node:child_process')
    const grandchild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    process.stderr.write('grandchild ' + grandchild.pid + '\\n')
    setTimeout(() => {}, 60000)`
    const result = await runProcess(process.execPath, ['-e', script], { env, timeoutMs: 1500 })
    expect(result.timedOut).toBe(true)
    const pid = Number(/grandchild (\d+)/.exec(result.stderr)?.[1])
    expect(pid).toBeGreaterThan(0)
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(alive(pid)).toBe(false)
  },
  30000
)
