import { getOctokit } from '@actions/github'
import { throttling } from '@octokit/plugin-throttling'
import { ActionError } from '../errors.js'
import { isTransientStatus } from '../net/http.js'
import {
  TransientError,
  retryPolicy,
  requestTimeoutMs,
  withRetry,
  type RetryPolicy
} from '../net/retry.js'
import { fromApi, type ApiRepository, type ListedRepository } from './repository.js'

export interface ListOptions {
  token: string
  organisation: string
  /** Log lines for waits and progress. */
  log: (line: string) => void
  /** How often one request may be retried after a rate-limit answer. */
  maxRetries?: number
  /** The longest wait for a rate-limit reset worth sitting through, in seconds. */
  maxWaitSeconds?: number
  /** Retries of network failures and 5xx answers: the action's one policy. */
  retry?: RetryPolicy
}

/** A failure worth another attempt, keeping Octokit's error for the final explanation. */
class GitHubTransient extends TransientError {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original))
  }
}

/**
 * Lists every repository of the organisation through the REST API, 100 a page, following
 * the Link headers (Octokit's paginate). Rate-limit answers (403/429 with
 * x-ratelimit-remaining: 0, or a secondary limit with Retry-After) are waited out by the
 * throttling plugin, which computes the wait from x-ratelimit-reset or Retry-After.
 */
export async function listRepositories(options: ListOptions): Promise<ListedRepository[]> {
  const maxRetries = options.maxRetries ?? 3
  const maxWait = options.maxWaitSeconds ?? 900
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      request: { method: string; url: string },
      _: unknown,
      retryCount: number
    ) => {
      const retry = retryCount < maxRetries && retryAfter <= maxWait
      options.log(
        retry
          ? `GitHub answered with a ${kind} for ${request.method} ${request.url}: waiting ${retryAfter} s (retry ${retryCount + 1} of ${maxRetries}).`
          : `GitHub answered with a ${kind} for ${request.method} ${request.url}; the next window opens in ${retryAfter} s, which is more than this planner waits. Run the workflow again later, or with a token of its own (a GitHub App has its own limit).`
      )
      return retry
    }
  const octokit = getOctokit(
    options.token,
    {
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit')
      }
    },
    throttling
  )
  // Rate limits (403 and 429) are the throttling plugin's alone: once it gives up, retrying
  // again here would only add attempts it decided against. What may heal besides (the
  // network, a request that stays silent, 408, 5xx) is retried with the policy every request
  // of this action follows. Anything else (401, 404) fails at once.
  octokit.hook.wrap('request', (request, requestOptions) =>
    withRetry(
      `GitHub ${requestOptions.method} ${requestOptions.url}`,
      async () => {
        try {
          return await request({
            ...requestOptions,
            request: { ...requestOptions.request, signal: AbortSignal.timeout(requestTimeoutMs()) }
          })
        } catch (error) {
          const status = (error as { status?: number }).status
          if (status === undefined || (status !== 429 && isTransientStatus(status)))
            throw new GitHubTransient(error)
          throw error
        }
      },
      { policy: options.retry ?? retryPolicy(), log: options.log }
    ).catch(error => {
      throw error instanceof GitHubTransient ? error.original : error
    })
  )
  let pages = 0
  const listed: ListedRepository[] = []
  try {
    await collect()
  } catch (error) {
    throw explain(error, options.organisation, pages)
  }
  options.log(`${listed.length} repositories listed in ${pages} page(s).`)
  return listed

  async function collect(): Promise<void> {
    for await (const page of octokit.paginate.iterator(octokit.rest.repos.listForOrg, {
      org: options.organisation,
      type: 'all',
      per_page: 100
    })) {
      pages++
      for (const repo of page.data as ApiRepository[]) listed.push(fromApi(repo))
      if (pages % 10 === 0) options.log(`${listed.length} repositories listed (${pages} pages)...`)
    }
  }
}

/** Turns Octokit's RequestError into what to do about it. */
function explain(error: unknown, organisation: string, pages: number): Error {
  const status = (error as { status?: number }).status
  const where = `listing the repositories of ${organisation} (after ${pages} page(s))`
  if (status === 401)
    return new ActionError(
      `GitHub refused "github-token" (401) while ${where}: the token is invalid or expired. Mint it in the same job with actions/create-github-app-token.`
    )
  if (status === 404)
    return new ActionError(
      `GitHub answered 404 while ${where}: the organisation "${organisation}" does not exist or the token cannot see it. Check "organisation" and that the GitHub App is installed there.`
    )
  if (status === 403 || status === 429)
    return new ActionError(
      `GitHub answered ${status} while ${where} and the wait for the rate limit was longer than allowed, or the token lacks the "Metadata: read" permission.`
    )
  const message = error instanceof Error ? error.message : String(error)
  return new ActionError(
    `GitHub request failed while ${where}: ${status ? `HTTP ${status}: ` : ''}${message}`
  )
}
