import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals'
import { ID_TOKEN_BUDGET, fetchIdToken } from '../../src/sign-in/id-token.js'
import type { Clock } from '../../src/net/retry.js'
import { startGitHubOidc, type GitHubOidc } from '../../sandbox/github-oidc.js'

// core.getIDToken for real, against the sandbox's token endpoint; only the action's own pause
// between calls is simulated.
let oidc: GitHubOidc
const saved = { ...process.env }
beforeAll(async () => {
  oidc = await startGitHubOidc()
  Object.assign(process.env, oidc.env)
})
afterAll(async () => {
  process.env = saved
  await oidc.close()
})
// What the toolkit writes as workflow commands (::add-mask::, ::debug::), kept out of the
// test log and checked: the token must be masked the moment it exists.
let commands: string[] = []
beforeEach(() => {
  oidc.faults.length = 0
  oidc.requests = 0
  commands = []
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    commands.push(String(chunk))
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
})

const clock: Clock = { now: () => 0, sleep: async () => undefined, random: () => 0.5 }

describe('fetchIdToken: core.getIDToken within a budget', () => {
  it('returns the token after getIDToken retried a 502 itself: one call', async () => {
    oidc.faults.push({ kind: 'status', status: 502 })
    const log: string[] = []
    const token = await fetchIdToken('my-audience', { clock, log: line => log.push(line) })
    expect(token).toBe(oidc.issued.at(-1))
    expect(commands).toContain(`::add-mask::${token}\n`)
    expect(oidc.requests).toBe(2)
    expect(log).toEqual([])
  })

  it('gives what getIDToken never retries (a 403 of a job still pending) one more call', async () => {
    oidc.faults.push({ kind: 'status', status: 403, body: '{"message":"job is pending"}' })
    const log: string[] = []
    const token = await fetchIdToken('my-audience', { clock, log: line => log.push(line) })
    expect(token).toBe(oidc.issued.at(-1))
    expect(oidc.requests).toBe(2)
    expect(log).toEqual([
      'GitHub id-token request: attempt 1 of 2 failed (HTTP 403: job is pending); retrying in 0.5 s'
    ])
  })

  it(`stops after ${ID_TOKEN_BUDGET.calls} calls when the connection keeps failing`, async () => {
    for (let i = 0; i < 5; i++) oidc.faults.push({ kind: 'reset' })
    await expect(fetchIdToken('aud', { clock })).rejects.toThrow(
      /^Could not get an id-token from GitHub \(.+\)\. Re-run the job/
    )
    expect(oidc.requests).toBe(ID_TOKEN_BUDGET.calls)
  })

  it('a 401 is one request, and GitHub’s message is quoted without the request token', async () => {
    const bearer = oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
    oidc.faults.push({ kind: 'status', status: 401, body: `{"message":"bad token ${bearer}"}` })
    const failure = fetchIdToken('aud', { clock })
    await expect(failure).rejects.toThrow(
      'GitHub refused the id-token request (HTTP 401: bad token [request token]).'
    )
    expect(oidc.requests).toBe(1)
  })
})
