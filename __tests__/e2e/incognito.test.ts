import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals'
import { callLog, cnspecCalls, errorOf, harness, warningsOf, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

// What a pull request from a fork (or a Dependabot run) gets: no id-token variables.
const FORK = { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined }

it('on-missing-id-token: incognito scans a fork pull request without any credential', async () => {
  const log = callLog()
  // A credential left in the environment by an earlier step must not reach this scan.
  const result = await h.run({
    inputs: { 'on-missing-id-token': 'incognito' },
    env: { ...FORK, CNSPEC_STANDIN_LOG: log, MONDOO_CONFIG_BASE64: 'c3RhbGU=' }
  })
  expect(errorOf(result)).toBe('')
  expect(result.exitCode).toBe(0)
  const warnings = warningsOf(result)
  expect(warnings).toHaveLength(1)
  expect(warnings[0]).toMatch(
    /No GitHub OIDC token .* scanning in incognito mode\. Nothing is sent to Mondoo and cnspec status is skipped/
  )
  expect(h.sandbox.sts.exchanges).toBe(0)
  expect(h.sandbox.oidc.requests).toBe(0)
  const made = cnspecCalls(log)
  expect(made.map(c => c.argv[0])).toEqual(['version', 'scan'])
  const scan = made[1]!
  expect(scan.argv).toContain('--incognito')
  expect(scan.credential).toBe(false)
  expect(result.stderr + result.stdout).toContain('incognito mode: results were not uploaded')
  expect(result.exported).toEqual({})
  expect(result.outputs['space-mrn']).toBeUndefined()
  expect(result.outputs['scan-exit-code']).toBe('0')
  expect(result.outputs['cnspec-version']).toBe('13.35.2')
  expect(result.summary).toContain('incognito')
})

it('incognito still fails the step on a failed risk threshold', async () => {
  const result = await h.run({
    inputs: { 'on-missing-id-token': 'incognito', 'risk-threshold': '40' },
    env: FORK
  })
  expect(result.exitCode).toBe(1)
  expect(result.outputs['scan-exit-code']).toBe('1')
  expect(errorOf(result)).toMatch(/risk-threshold of 40/)
})

it('with an id-token available, incognito is not used: the scan signs in as usual', async () => {
  const log = callLog()
  const result = await h.run({
    inputs: { 'on-missing-id-token': 'incognito' },
    env: { CNSPEC_STANDIN_LOG: log }
  })
  expect(result.exitCode).toBe(0)
  expect(warningsOf(result)).toEqual([])
  expect(h.sandbox.sts.exchanges).toBe(1)
  expect(cnspecCalls(log).find(c => c.argv[0] === 'scan')!.argv).not.toContain('--incognito')
})

it('the default (fail) stops a fork pull request with the fix in one sentence', async () => {
  const result = await h.run({ env: FORK })
  expect(result.exitCode).toBe(1)
  expect(errorOf(result)).toMatch(/on-missing-id-token: incognito/)
  expect(h.sandbox.releases.requests).toEqual([])
})
