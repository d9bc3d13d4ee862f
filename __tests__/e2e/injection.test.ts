import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tarGz } from '../../sandbox/archives.js'
import { STANDIN_PATH } from '../../sandbox/releases.js'
import { callLog, cnspecCalls, errorOf, harness, type Harness } from '../helpers.js'
import type { RunResult } from '../../sandbox/runner.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

/**
 * The lines the runner would obey as a "::warning::" that an attacker wrote: it splits
 * lines on CR as well as LF, and a command is a line that starts with "::". (The action's
 * own ::error:: line carries the text too, escaped by @actions/core: that is not a command.)
 */
function injected(result: RunResult, marker: string): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split(/\r\n|\r|\n/)
    .filter(line => line.trimStart().startsWith(`::warning::${marker}`))
}

describe('untrusted text cannot issue workflow commands', () => {
  it('the legacy ##[command] form in scanned content is never obeyed, anywhere in a line', async () => {
    // A file name is enough: cnspec names the manifest in the asset and in its error.
    const result = await h.run({
      inputs: { target: 'k8s k8s', status: 'false' },
      workspaceFiles: {
        'k8s/##[stop-commands]pwned.yaml': 'not: a manifest\n',
        'k8s/x ##[set-output name=injected;]true.yaml': 'not: a manifest\n'
      }
    })
    // The names reach the log (findings and the error), but never in the runner's syntax.
    expect(result.stdout).toContain('stop-commands]pwned.yaml')
    const lines = `${result.stdout}\n${result.stderr}`.split(/\r\n|\r|\n/)
    expect(lines.filter(line => line.includes('##['))).toEqual([])
    expect(result.outputs).not.toHaveProperty('injected')
  })

  it('archive member names never become workflow commands, even with RUNNER_DEBUG=1', async () => {
    // A release (or a mirror) whose archive carries a second member named like a command.
    // SHA256SUMS vouches for it, so only the way the archive is unpacked stands in the way.
    const platform = `linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}`
    const script = readFileSync(STANDIN_PATH, 'utf8').replace('__VERSION__', '13.97.0')
    const data = tarGz([
      { name: 'cnspec', content: Buffer.from(script) },
      { name: 'x\n::warning::from-archive', content: Buffer.from('') }
    ])
    h.sandbox.releases.addRelease('13.97.0', platform, {
      name: `cnspec_13.97.0_${platform}.tar.gz`,
      data,
      sha256: createHash('sha256').update(data).digest('hex')
    })
    const result = await h.run({
      inputs: { 'cnspec-version': '13.97.0', status: 'false', scan: 'false' },
      env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
    })
    expect(errorOf(result)).toBe('')
    expect(result.outputs['cnspec-version']).toBe('13.97.0')
    // tc.extractTar lists the members in debug mode; tar prints a line break in a name as "\n".
    expect(injected(result, 'from-archive')).toEqual([])
  })

  it('target and args words with a line break or a lone CR are printed as one quoted line', async () => {
    const calls = callLog()
    const result = await h.run({
      inputs: {
        status: 'false',
        target: `local "x\n::warning::from-target"`,
        args: `--annotation 'title=y\r::add-mask::cnspec'`
      },
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(errorOf(result)).toBe('')
    expect(injected(result, 'from-target')).toEqual([])
    expect(result.stdout).not.toMatch(/^::add-mask::cnspec/m)
    expect(result.stdout.split(/\r\n|\r|\n/)).not.toContain('::add-mask::cnspec')
    // The words still reach cnspec exactly as written ...
    const scan = cnspecCalls(calls).find(call => call.argv[0] === 'scan')
    expect(scan?.argv).toContain('x\n::warning::from-target')
    expect(scan?.argv).toContain('title=y\r::add-mask::cnspec')
    // ... and the log shows the command line JSON-quoted, on one line.
    expect(result.stdout).toContain('"scan" "local" "x\\n::warning::from-target" "-o" "sarif"')
    expect(result.stdout).toContain('"--annotation" "title=y\\r::add-mask::cnspec"')
    // The job summary's table stays one table.
    expect(result.summary).toContain('x\\n::warning::from-target')
    expect(result.summary.split('\n').filter(line => line.startsWith('::warning'))).toEqual([])
  })
})

const authOnly = { status: 'false', scan: 'false' }
const rewrite =
  (changes: Record<string, string>) =>
  (credential: { json: string }): string =>
    Buffer.from(JSON.stringify({ ...JSON.parse(credential.json), ...changes })).toString('base64')
const SPACE = '//captain.api.mondoo.app/spaces/sandbox-space-123456'

describe('an STS answer whose identifiers are not what Mondoo documents is refused', () => {
  it.each([
    [
      'mrn',
      `//agents.api.mondoo.app/spaces/sandbox-space-123456/serviceaccounts/x\n::warning::sts-mrn`
    ],
    ['mrn', `//agents.api.mondoo.app/x\r::warning::sts-mrn-cr`],
    ['space_mrn', `${SPACE}\n\n| free | markdown |\n::warning::sts-space`],
    ['space_mrn', `${SPACE}\u001b[31m`],
    ['api_endpoint', `https://us.api.mondoo.com\n::warning::sts-endpoint`],
    ['api_endpoint', 'http://us.api.mondoo.com'],
    ['api_endpoint', 'javascript:alert(1)']
  ])('"%s" = %j', async (field, value) => {
    h.sandbox.sts.tamper = rewrite({ [field]: value })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toMatch(new RegExp(`"${field}" (is not|uses)`))
    expect(errorOf(result)).toMatch(/credential is not usable/)
    expect(injected(result, 'sts-')).toEqual([])
    expect(result.stdout).not.toContain('\u001b[31m')
    expect(result.stdout).not.toContain('Mondoo credential for')
    expect(result.summary.split('\n')).not.toContain('| free | markdown |')
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
  })

  it('a credential for another space than the audience fails, naming both spaces', async () => {
    const other = '//captain.api.mondoo.app/spaces/someone-elses-space'
    h.sandbox.sts.tamper = rewrite({ space_mrn: other })
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(`credential for the space "${other}"`)
    expect(errorOf(result)).toContain(`the audience asked for the space "${SPACE}"`)
    expect(result.exported).toEqual({})
    expect(result.outputs).toEqual({})
  })
})

describe('id-token claims printed on an auth failure are inert', () => {
  it('a sub claim with a line break, a CR and ANSI shows them as escapes', async () => {
    h.sandbox.oidc.options.claims = {
      sub: 'repo:mondoo-sandbox/demo:ref:refs/heads/x\n::warning::claim-lf',
      ref: 'refs/heads/x\r::warning::claim-cr\u001b[2J'
    }
    const result = await h.run({ inputs: authOnly })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toMatch(/HTTP 403/)
    expect(error).toContain('refs/heads/x\\n::warning::claim-lf')
    expect(error).toContain('refs/heads/x\\r::warning::claim-cr')
    expect(error).not.toContain('\u001b')
    expect(error.split(/\r\n|\r|\n/).filter(line => /^\s*::/.test(line))).toEqual([])
    expect(injected(result, 'claim-')).toEqual([])
  })
})

describe('a 404 from the STS gets advice that fits a 404', () => {
  it('names audience and api-endpoint, not issuer and subject', async () => {
    const result = await h.run({
      inputs: { ...authOnly, audience: '//captain.api.mondoo.app/spaces/other-space-1' }
    })
    expect(result.exitCode).toBe(1)
    const error = errorOf(result)
    expect(error).toMatch(/HTTP 404/)
    expect(error).toContain('"api-endpoint" is the region of that space')
    expect(error).toContain(`at ${h.sandbox.sts.url}`)
    expect(error).not.toContain('Issuer URL equals')
    expect(error).not.toContain('Subject equals')
  })
})
