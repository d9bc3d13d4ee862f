import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { isTransientStatus, request, transientFromStatus } from '../net/http.js'
import {
  withRetry,
  requestTimeoutMs,
  systemClock,
  type RetryOptions,
  type RetryPolicy
} from '../net/retry.js'
import { logSafe } from '../text.js'

export const MISSING_ID_TOKEN =
  'This job cannot get a GitHub OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN ' +
  'are not set. Add "permissions: id-token: write" to the workflow or job; pull requests from forks and ' +
  'Dependabot runs never get a token, and @github/local-action cannot mint one (set "on-missing-id-token: incognito" ' +
  'to scan without a credential).'

/**
 * The whole budget for getting an id-token, whatever goes wrong: at most this many requests
 * to the runner's token endpoint, and no request starts or runs past `maxTotalMs` after the
 * first one began. It is the only retry loop around that endpoint (the toolkit's own
 * getIDToken, which retries by itself, is not used).
 */
export const ID_TOKEN_BUDGET = { maxRequests: 15, maxTotalMs: 90000 }

/** GitHub only gives a job an id-token when the workflow grants `id-token: write`. */
export function idTokenAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
}

/** The runner's token endpoint for `audience`, or an error naming the broken runner property. */
function endpoint(audience: string, env: NodeJS.ProcessEnv): { url: string; bearer: string } {
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!base || !bearer) throw new ActionError(MISSING_ID_TOKEN)
  let url: URL
  try {
    url = new URL(base)
  } catch {
    url = new URL('invalid:')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ActionError(
      'The runner property ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL, so no id-token can be requested. ' +
        'The runner sets it for jobs with "permissions: id-token: write"; do not set it yourself ' +
        '(@github/local-action cannot mint tokens: use "on-missing-id-token: incognito" there).'
    )
  }
  // The runner's URL already carries a query (api-version); the audience is appended to it.
  return { url: `${base}&audience=${encodeURIComponent(audience)}`, bearer }
}

/** The token from a 200 answer, or an error saying what the endpoint sent instead. */
function tokenOf(body: string): string {
  let value: unknown
  try {
    value = (JSON.parse(body) as { value?: unknown })?.value
  } catch {
    value = undefined
  }
  if (typeof value === 'string' && /^[A-Za-z0-9._-]+$/.test(value)) return value
  throw new ActionError(
    'The runner\'s id-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) answered HTTP 200 without a token in "value". ' +
      'This is not a GitHub Actions token service; check that nothing in the job overrides ACTIONS_ID_TOKEN_REQUEST_URL.'
  )
}

/**
 * Asks the runner's token endpoint for an id-token with the given audience, and masks it
 * before anything else can see it. A just-started job now and then gets a 403 ("pending")
 * or a 5xx; those and network failures are retried within ID_TOKEN_BUDGET, nothing else.
 */
export async function fetchIdToken(
  audience: string,
  retry: RetryOptions = {},
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  const { url, bearer } = endpoint(audience, env)
  const clock = retry.clock ?? systemClock
  const base = retry.policy
  const policy: RetryPolicy = {
    maxAttempts: ID_TOKEN_BUDGET.maxRequests,
    baseMs: base?.baseMs ?? 1000,
    crowdedBaseMs: base?.crowdedBaseMs ?? 10000,
    capMs: Math.min(base?.capMs ?? 10000, 10000),
    maxTotalMs: ID_TOKEN_BUDGET.maxTotalMs
  }
  const start = clock.now()
  let requests = 0
  const attempt = async (): Promise<string> => {
    // Each request gets what is left of the budget at most (request() allows twice its timeout).
    const left = policy.maxTotalMs - (clock.now() - start)
    const timeoutMs = Math.min(requestTimeoutMs(), Math.floor(left / 2))
    if (timeoutMs < 100) throw new Error(`the ${policy.maxTotalMs / 1000} s budget ran out`)
    requests++
    const answer = await request(url, {
      method: 'GET',
      headers: { Authorization: `Bearer ${bearer}`, Accept: 'application/json' },
      timeoutMs,
      followRedirects: false
    })
    if (answer.status === 200) {
      const token = tokenOf(answer.body)
      core.setSecret(token)
      return token
    }
    // GitHub also answers 403 while a just-started job is still "pending".
    if (answer.status === 403 || isTransientStatus(answer.status))
      throw transientFromStatus(answer, 'GitHub')
    throw new ActionError(
      `GitHub refused the id-token request (HTTP ${answer.status}${gitHubMessage(answer.body, bearer)}). ` +
        'Check "permissions: id-token: write" for this job; if it is set, re-run the job.'
    )
  }
  return withRetry('GitHub id-token request', attempt, { ...retry, policy, clock }).catch(error => {
    if (error instanceof ActionError) throw error
    const seconds = ((clock.now() - start) / 1000).toFixed(0)
    throw new ActionError(
      `Could not get an id-token from GitHub after ${requests} request${requests === 1 ? '' : 's'} in ${seconds} s ` +
        `(last: ${logSafe(messageOf(error))}). Re-run the job; if it persists, check githubstatus.com ` +
        `and, on self-hosted runners, the proxy settings (https_proxy, no_proxy).`
    )
  })
}

/** GitHub's error message, short, inert and without the runner's request token. */
function gitHubMessage(body: string, bearer: string): string {
  let message = ''
  try {
    const parsed = JSON.parse(body) as { message?: unknown }
    if (typeof parsed?.message === 'string') message = parsed.message
  } catch {
    return ''
  }
  message = logSafe(message.split(bearer).join('[request token]')).slice(0, 200)
  return message ? `: ${message}` : ''
}
