import { describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ROOT } from '../../sandbox/runner.js'

/** Starts `npm run sandbox:serve` (its script, directly) and waits for the .env it prints. */
async function serve(args: string[]) {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'sandbox/serve.ts', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let out = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', chunk => (out += chunk))
  const envFile = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sandbox:serve printed no .env:\n${out}`)),
      60000
    )
    child.stdout.on('data', chunk => {
      out += chunk
      const match = /npx local-action \. src\/main\.ts (\S+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    })
  })
  const stop = async (): Promise<string> => {
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGINT')
    await exited
    return out
  }
  return { envFile, stop }
}

function localAction(envFile: string) {
  return spawnSync(join(ROOT, 'node_modules/.bin/local-action'), ['.', 'src/main.ts', envFile], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 150000
  })
}

/** Runs local-action against a fresh `npm run sandbox:serve`, and stops the stand-ins after. */
async function withServe(
  args: string[],
  check: (log: string, status: number | null, runnerRoot: string) => void
) {
  const sandbox = await serve(args)
  try {
    const run = localAction(sandbox.envFile)
    const log = `${run.stdout}\n${run.stderr}`
    expect(log).not.toMatch(/::set-env|BEGIN PRIVATE KEY|eyJtcm4i/)
    check(log, run.status, dirname(sandbox.envFile))
  } finally {
    const out = await sandbox.stop()
    expect(out).toContain('Stand-ins stopped')
    expect(existsSync(dirname(sandbox.envFile))).toBe(false)
  }
}

describe('npm run sandbox:serve with @github/local-action', () => {
  it('runs install and scan end to end with on-missing-id-token: incognito', async () => {
    await withServe(['--incognito'], (log, status, runnerRoot) => {
      expect(status).toBe(0)
      expect(log).toContain('downloaded and verified')
      // cnspec's providers go to the runner's home in the .env, never the developer's own.
      expect(log).toContain(`path=${join(runnerRoot, 'home', '.config', 'mondoo', 'providers')}`)
      expect(log).toMatch(/"--incognito"/)
      expect(log).toMatch(/incognito mode: results were not uploaded/)
      expect(log).toContain('No risk threshold set, so the step does not fail')
      expect(log).not.toMatch(/::error::/)
    })
  }, 240000)

  it('keyless: says that local-action cannot mint id-tokens, and what to set instead', async () => {
    await withServe([], log => {
      // local-action stubs core.getIDToken ("Not implemented"): nothing is exchanged.
      expect(log).toContain(
        'core.getIDToken is not implemented here (@github/local-action stubs it): set "on-missing-id-token: incognito"'
      )
      expect(log).not.toMatch(/Scan passed:|No risk threshold set/)
    })
  }, 240000)
})
