import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { generateRepositories, startGitHubApi, type GitHubApi } from '../../sandbox/github-api.js'
import { runAction, type RunResult } from '../../sandbox/runner.js'
import { FAST_RETRIES, errorOf } from '../helpers.js'
import { MATRIX_LIMIT } from '../../src/org/batches.js'
import type { MatrixEntry, Plan } from '../../src/org/plan.js'

const ORG = 'acme'
const COUNT = 5000
let api: GitHubApi

beforeAll(async () => {
  api = await startGitHubApi(ORG, generateRepositories(ORG, COUNT))
})
afterAll(async () => api.close())
beforeEach(() => {
  api.requests.length = 0
  api.rateLimitPage = undefined
  api.rateLimitKind = 'primary'
  api.rateLimitStatus = 403
  api.failPage = undefined
})

function plan(inputs: Record<string, string> = {}): Promise<RunResult> {
  return runAction({
    action: 'org/plan',
    inputs: { organisation: ORG, 'github-token': api.token, ...inputs },
    env: { GITHUB_API_URL: api.apiUrl, GITHUB_SERVER_URL: api.url, ...FAST_RETRIES },
    timeoutMs: 120000
  })
}

function planOf(result: RunResult): Plan {
  return JSON.parse(readFileSync(result.outputs['plan-file'] as string, 'utf8')) as Plan
}

it(`plans ${COUNT} repositories over 50 pages and a rate-limit answer into at most ${MATRIX_LIMIT} jobs, each selected repository exactly once`, async () => {
  api.rateLimitPage = 23
  const result = await plan()
  expect(errorOf(result)).toBe('')
  expect(result.exitCode).toBe(0)

  // 50 pages of 100, page 23 asked twice: once refused with the rate limit, once served.
  const listings = api.requests.filter(r => r.url.startsWith(`/api/v3/orgs/${ORG}/repos`))
  expect(listings.filter(r => r.status === 200)).toHaveLength(50)
  expect(listings.filter(r => r.status === 403)).toHaveLength(1)
  expect(listings.every(r => /per_page=100/.test(r.url))).toBe(true)
  expect(result.stdout).toMatch(
    /GitHub answered with a rate limit for GET .*: waiting \d+ s \(retry 1 of 3\)/
  )

  // What should be selected, from the stand-in's own data: no archived, fork or empty repository.
  const expected = generateRepositories(ORG, COUNT)
    .filter(r => !r.archived && !r.fork && r.size > 0)
    .map(r => r.full_name)
  const matrix = JSON.parse(result.outputs.matrix as string) as { include: MatrixEntry[] }
  expect(matrix.include.length).toBeLessThanOrEqual(MATRIX_LIMIT)
  expect(matrix.include).toHaveLength(MATRIX_LIMIT)
  const inMatrix = matrix.include.flatMap(e => e.repositories.split(',').map(n => `${ORG}/${n}`))
  expect(inMatrix).toHaveLength(expected.length)
  expect(new Set(inMatrix).size).toBe(inMatrix.length)
  expect([...inMatrix].sort()).toEqual([...expected].sort())
  const sizes = matrix.include.map(e => e.repositories.split(',').length)
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
  expect(result.outputs.repositories).toBe(String(expected.length))
  expect(result.outputs.jobs).toBe(String(MATRIX_LIMIT))

  const written = planOf(result)
  expect(written.listed).toBe(COUNT)
  expect(written.skipped.archived).toBe(500)
  expect(written.skipped.fork).toBeGreaterThan(500)
  expect(written.skipped.empty).toBeGreaterThan(50)
  expect(written.repositories).toEqual([...expected].sort())
  // The token never travels anywhere but the Authorization header, and is never printed.
  const printed = (result.stdout + result.stderr)
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  expect(printed).not.toContain(api.token)
  expect(result.stdout).toContain(`::add-mask::${api.token}`)
  console.log(
    `plan: ${COUNT} listed in 50 pages (+1 rate-limited), ${expected.length} selected, ${matrix.include.length} jobs of ${Math.min(...sizes)}–${Math.max(...sizes)}`
  )
}, 120000)

it('one repository per job while that fits, and filters by name, topic and visibility', async () => {
  const result = await plan({
    include: 'repo-00*',
    exclude: 'repo-0001, repo-0002',
    topics: 'terraform',
    visibility: 'public, private'
  })
  expect(errorOf(result)).toBe('')
  const matrix = JSON.parse(result.outputs.matrix as string) as { include: MatrixEntry[] }
  const expected = generateRepositories(ORG, COUNT).filter(
    r =>
      /^repo-00/.test(r.name) &&
      !['repo-0001', 'repo-0002'].includes(r.name) &&
      r.topics.includes('terraform') &&
      r.visibility !== 'internal' &&
      !r.archived &&
      !r.fork &&
      r.size > 0
  )
  expect(expected.length).toBeGreaterThan(5)
  expect(matrix.include.map(e => e.repositories)).toEqual(expected.map(r => r.name))
  expect(matrix.include.map(e => e.name)).toEqual(expected.map(r => r.name))
}, 120000)

it('can include archived repositories, forks and empty ones', async () => {
  const result = await plan({
    include: 'repo-000*',
    'include-archived': 'true',
    'include-forks': 'true',
    'include-empty': 'true'
  })
  const matrix = JSON.parse(result.outputs.matrix as string) as { include: MatrixEntry[] }
  expect(matrix.include).toHaveLength(9)
}, 120000)

it('explains a refused token and a missing organisation, naming the input', async () => {
  const refused = await plan({ 'github-token': 'ghs_wrong' })
  expect(refused.exitCode).toBe(1)
  expect(errorOf(refused)).toContain('GitHub refused "github-token" (401)')
  const missing = await plan({ organisation: 'no-such-org' })
  expect(errorOf(missing)).toContain(
    'the organisation "no-such-org" does not exist or the token cannot see it'
  )
}, 120000)

it('reports every bad input at once and makes no request', async () => {
  const result = await plan({ organisation: 'bad org!', visibility: 'secret', 'max-jobs': '300' })
  expect(result.exitCode).toBe(1)
  const error = errorOf(result)
  expect(error).toContain('3 inputs need fixing')
  expect(error).toContain('Input "organisation"')
  expect(error).toContain('Input "visibility"')
  expect(error).toContain('Input "max-jobs" must be a whole number from 1 to 256')
  expect(api.requests).toHaveLength(0)
})

it('waits out a secondary rate limit for as long as Retry-After says, then goes on', async () => {
  api.rateLimitPage = 2
  api.rateLimitKind = 'secondary'
  api.rateLimitSeconds = 2
  try {
    const result = await plan({ include: 'repo-01*' })
    expect(errorOf(result)).toBe('')
    expect(result.stdout).toMatch(
      /GitHub answered with a secondary rate limit for GET .*page=2: waiting 2 s \(retry 1 of 3\)/
    )
    const listings = api.requests.filter(r => r.url.startsWith(`/api/v3/orgs/${ORG}/repos`))
    expect(listings.filter(r => r.status === 200)).toHaveLength(50)
  } finally {
    api.rateLimitSeconds = 1
  }
}, 120000)

it("retries a 502 from GitHub with the action's retry policy, and fails at once on a 401", async () => {
  api.failPage = { page: 7, status: 502 }
  const result = await plan({ include: 'repo-1*' })
  expect(errorOf(result)).toBe('')
  expect(result.stdout).toMatch(/GitHub GET .*page=7: attempt 1 of \d+ failed/)
  const listings = api.requests.filter(r => r.url.startsWith(`/api/v3/orgs/${ORG}/repos`))
  expect(listings.filter(r => r.status === 502)).toHaveLength(1)
  expect(listings.filter(r => r.status === 200)).toHaveLength(50)
  api.requests.length = 0
  await plan({ 'github-token': 'ghs_wrong' })
  expect(api.requests).toHaveLength(1)
}, 120000)

it('a 429 the throttling plugin gives up on is not retried again by a second policy', async () => {
  // The window reopens in an hour, more than the planner waits: the plugin gives up at once.
  api.rateLimitPage = 3
  api.rateLimitStatus = 429
  api.rateLimitSeconds = 3600
  try {
    const result = await plan({ include: 'repo-02*' })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain('GitHub answered 429 while listing the repositories of acme')
    const page3 = api.requests.filter(
      r => r.url.startsWith(`/api/v3/orgs/${ORG}/repos`) && /[?&]page=3(&|$)/.test(r.url)
    )
    expect(page3.map(r => r.status)).toEqual([429])
    expect(result.stdout).not.toMatch(/attempt \d+ of \d+ failed/)
  } finally {
    api.rateLimitSeconds = 1
  }
}, 120000)
