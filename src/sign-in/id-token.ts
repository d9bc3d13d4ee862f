import * as core from '@actions/core'
import { ActionError, messageOf } from '../errors.js'
import { deadline, isTransientStatus } from '../net/http.js'
import { TransientError, withRetry, type RetryOptions, requestTimeoutMs } from '../net/retry.js'

export const MISSING_ID_TOKEN =
  'This job cannot get a GitHub OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN ' +
  'are not set. Add "permissions: id-token: write" to the workflow or job; pull requests from forks and ' +
  'Dependabot runs never get a token (set "on-missing-id-token: incognito" to scan them without a credential).'

/** GitHub only gives a job an id-token when the workflow grants `id-token: write`. */
export function idTokenAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
}

/**
 * Asks GitHub for an id-token with the given audience. GitHub answers a just-started job
 * with a transient 403 or 5xx now and then, so those are retried; the toolkit call has no
 * timeout of its own, so each attempt gets one.
 */
export async function fetchIdToken(audience: string, retry: RetryOptions = {}): Promise<string> {
  return withRetry(
    'GitHub id-token request',
    async () => {
      try {
        return await deadline(core.getIDToken(audience), requestTimeoutMs())
      } catch (error) {
        if (error instanceof TransientError) throw error
        const text = messageOf(error)
        const code = /Error Code : (\d{3})/.exec(text)?.[1]
        // GitHub also answers 403 while a just-started job is still "pending".
        if (!code || code === '403' || isTransientStatus(Number(code))) {
          throw new TransientError(code ? `HTTP ${code}` : firstLine(text))
        }
        throw new ActionError(
          `GitHub refused the id-token request (HTTP ${code}): ${firstLine(text)}`
        )
      }
    },
    retry
  ).catch(error => {
    if (error instanceof ActionError) throw error
    throw new ActionError(
      `Could not get an id-token from GitHub: ${messageOf(error)}. Re-run the job; if it persists, check githubstatus.com.`
    )
  })
}

function firstLine(text: string): string {
  return (
    text
      .replace(/^Error message:\s*/, '')
      .split('\n')[0]
      ?.trim() ?? text
  )
}
