import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { deadline } from '../net/http.js'
import { TransientError, requestTimeoutMs, retryPolicy, withRetry } from '../net/retry.js'
import type { RetryOptions } from '../net/retry.js'
import { logSafe } from '../text.js'

const INCOGNITO = 'set "on-missing-id-token: incognito" to scan without a credential'
const RETRY_ADVICE =
  'Re-run the job; if it persists, check githubstatus.com and, on self-hosted runners, the proxy settings (https_proxy, no_proxy).'
export const MISSING_ID_TOKEN =
  'This job cannot get a GitHub OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN ' +
  'are not set. Add "permissions: id-token: write" to the workflow or job; pull requests from forks and ' +
  `Dependabot runs never get a token, and @github/local-action cannot mint one (${INCOGNITO}).`

/**
 * core.getIDToken retries 502/503/504 by itself (11 requests in about 10 s) and has no timeout.
 * Around it: a deadline per call, and one more call for what it never retries (a network error,
 * no answer, the 403 of a job still "pending", 429). Worst case 22 requests and 52 s.
 */
export const ID_TOKEN_BUDGET = { calls: 2, callMs: 25000 }

/** GitHub only gives a job an id-token when the workflow grants `id-token: write`. */
export function idTokenAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
}

const refused = (what: string) =>
  new ActionError(
    `GitHub refused the id-token request (${what}). Check "permissions: id-token: write" for this job; if it is set, re-run the job.`
  )

/** getIDToken's failure, judged by the status its message carries ("Error Code : 503"). */
function judge(error: unknown, bearer: string): Error {
  const text = messageOf(error)
  if (error instanceof TransientError) return error // our deadline
  if (/^Not implemented/.test(text))
    return new ActionError(
      `core.getIDToken is not implemented here (@github/local-action stubs it): ${INCOGNITO} (npm run sandbox:serve -- --incognito).`
    )
  const code = /Error Code : (\w+)/.exec(text)?.[1]
  const said = logSafe(/Error Message: (.*)/s.exec(text)?.[1] ?? '')
    .split(bearer)
    .join('[request token]')
    .slice(0, 200)
  const what = code === 'undefined' ? said : `HTTP ${code}${said && `: ${said}`}`
  if (code === 'undefined' || code === '403' || code === '429') return new TransientError(what)
  if (code?.startsWith('5'))
    return new ActionError(
      `Could not get an id-token from GitHub (${what}, after getIDToken's own retries). ${RETRY_ADVICE}`
    )
  if (code) return refused(what)
  return new ActionError(
    "The runner's id-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) answered without a token: check that nothing in the job overrides it."
  )
}

/** An id-token for `audience` from core.getIDToken (which masks it), within ID_TOKEN_BUDGET. */
export async function fetchIdToken(audience: string, retry: RetryOptions = {}): Promise<string> {
  // Checked before any request: getIDToken's own errors for these say nothing useful.
  if (!idTokenAvailable()) throw new ActionError(MISSING_ID_TOKEN)
  if (!/^https?:\/\/[^/]/.test(process.env.ACTIONS_ID_TOKEN_REQUEST_URL ?? ''))
    throw new ActionError(
      `The runner property ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL. The runner sets it for jobs with ` +
        `"permissions: id-token: write"; do not set it yourself (under @github/local-action, ${INCOGNITO}).`
    )
  const bearer = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN as string
  const callMs = Math.min(ID_TOKEN_BUDGET.callMs, requestTimeoutMs())
  const policy = { ...(retry.policy ?? retryPolicy()), maxAttempts: ID_TOKEN_BUDGET.calls }
  const call = () =>
    deadline(core.getIDToken(audience), callMs, 'GitHub').catch(error => {
      throw judge(error, bearer)
    })
  return withRetry('GitHub id-token request', call, { ...retry, policy }).catch(error => {
    if (error instanceof ActionError) throw error
    const last = messageOf(error)
    if (last.startsWith('HTTP 403')) throw refused(last)
    throw new ActionError(`Could not get an id-token from GitHub (${last}). ${RETRY_ADVICE}`)
  })
}
