import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { ActionError } from '../errors.js'
import { isLoopbackHost } from './urls.js'
import { TransientError, parseRetryAfter } from './retry.js'

const USER_AGENT = 'cnspec-keyless-action'
/** Statuses that may heal on their own; everything else is an answer to act on. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504])
const MAX_BODY_BYTES = 1024 * 1024

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface RequestOptions {
  method: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
  /** Idle time allowed on the connection, and the whole request's deadline as well. */
  timeoutMs: number
}

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status)
}

/**
 * A client that never follows a redirect by itself: a redirected POST would carry its body
 * (the id-token) elsewhere, and openGet checks every download hop before following it.
 */
function client(timeoutMs: number): HttpClient {
  return new HttpClient(USER_AGENT, [], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: false,
    socketTimeout: timeoutMs
  })
}

// OpenSSL's and Node's codes for a certificate the runner does not trust. Another attempt
// meets the same certificate, so these are never retried.
const CERTIFICATE_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|INVALID_CA|HOSTNAME_MISMATCH|ERR_TLS_CERT/

/**
 * Network failures (refused, reset, DNS, timeouts) are worth another attempt; a certificate
 * the runner does not trust is not, and the user is told what to check.
 */
export function networkError(error: unknown, url: string): TransientError | ActionError {
  const code = (error as NodeJS.ErrnoException)?.code
  if (typeof code === 'string' && CERTIFICATE_ERROR.test(code)) {
    const host = new URL(url).host
    return new ActionError(
      `${host}: the TLS certificate is not trusted (${code}), so nothing was sent. A corporate proxy or TLS ` +
        `inspection between the runner and ${host} presents its own certificate: give Node that proxy's CA ` +
        `with NODE_EXTRA_CA_CERTS=/path/to/ca.pem in the job's env (Node does not read the system store). ` +
        `For an expired or not-yet-valid certificate, check the runner's clock. Not retried: every attempt would meet the same certificate.`
    )
  }
  const text = error instanceof Error ? error.message : String(error)
  const reason = code ?? (/timeout/i.test(text) ? 'timed out' : text)
  return new TransientError(`${new URL(url).host}: ${reason}`)
}

/** Ends a response that stalls or grows past the limit, so a stalled server is a timeout, not a hang. */
function readAll(message: IncomingMessage, timeoutMs: number, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const fail = (error: Error): void => {
      message.destroy()
      reject(error)
    }
    message.setTimeout(timeoutMs, () =>
      fail(new TransientError(`${new URL(url).host}: response stalled for ${timeoutMs / 1000} s`))
    )
    message.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES)
        fail(new Error(`${new URL(url).host}: response larger than ${MAX_BODY_BYTES} bytes`))
      else chunks.push(chunk)
    })
    message.on('aborted', () =>
      fail(new TransientError(`${new URL(url).host}: connection closed mid-response`))
    )
    message.on('error', error => fail(networkError(error, url)))
    message.on('end', () => {
      if (!message.complete)
        fail(new TransientError(`${new URL(url).host}: connection closed mid-response`))
      else resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}

/**
 * Adds an overall deadline, because a socket timeout alone does not end every stall.
 * `label` prefixes the timeout's message (a host, say).
 */
export function deadline<T>(promise: Promise<T>, ms: number, label?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    const message = `no answer within ${ms / 1000} s`
    timer = setTimeout(
      () => reject(new TransientError(label ? `${label}: ${message}` : message)),
      ms
    )
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/** One HTTP exchange. Network trouble throws TransientError; any HTTP status is returned. */
export async function request(url: string, options: RequestOptions): Promise<HttpAnswer> {
  const http = client(options.timeoutMs)
  const exchange = async (): Promise<HttpAnswer> => {
    let response
    try {
      response = await http.request(
        options.method,
        url,
        options.body ?? null,
        options.headers ?? {}
      )
    } catch (error) {
      throw networkError(error, url)
    }
    const body = await readAll(response.message, options.timeoutMs, url)
    return { status: response.message.statusCode ?? 0, headers: response.message.headers, body }
  }
  try {
    return await deadline(exchange(), options.timeoutMs * 2, new URL(url).host)
  } finally {
    http.dispose()
  }
}

/** Turns a retryable HTTP status into a TransientError carrying the server's Retry-After. */
export function transientFromStatus(
  answer: Pick<HttpAnswer, 'status' | 'headers'>,
  what: string
): TransientError {
  const retryAfter = parseRetryAfter(answer.headers['retry-after'], Date.now())
  return new TransientError(
    `${what} answered HTTP ${answer.status}`,
    retryAfter ?? (answer.status === 429 ? 0 : undefined)
  )
}

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string
  ) {
    super(`HTTP ${status} for ${url}`)
    this.name = 'HttpStatusError'
  }
}

const MAX_REDIRECTS = 5

/**
 * The scheme rule of `releases-url`, applied to one redirect hop: https, or http only to a
 * loopback address, and never from https down to http. Release servers may redirect to a CDN
 * with a signed query string, so unlike the input rule a query is allowed here.
 */
export function redirectProblem(from: URL, to: URL): string | null {
  if (to.protocol !== 'https:' && to.protocol !== 'http:')
    return `uses "${to.protocol}"; only https:// is followed`
  if (to.username || to.password) return 'carries a user name or password'
  if (from.protocol === 'https:' && to.protocol === 'http:') return 'downgrades https:// to http://'
  if (to.protocol === 'http:' && !isLoopbackHost(to.hostname))
    return 'uses http:// to a host that is not a loopback address'
  return null
}

/** A response whose status is 200, and the URL that finally answered. */
export interface OpenedGet {
  message: IncomingMessage
  url: string
  dispose(): void
}

/**
 * A GET that follows redirects itself, checking every hop before connecting to it, so a
 * redirect can never lead a download to cleartext elsewhere. A non-200 status throws
 * HttpStatusError (TransientError for statuses that may heal); a refused hop throws
 * ActionError, which is not retried.
 */
export async function openGet(url: string, timeoutMs: number): Promise<OpenedGet> {
  let current = new URL(url)
  for (let hop = 0; ; hop++) {
    const http = client(timeoutMs)
    let response
    try {
      response = await http.get(current.href)
    } catch (error) {
      http.dispose()
      throw networkError(error, current.href)
    }
    const message = response.message
    const status = message.statusCode ?? 0
    if (status === 200) return { message, url: current.href, dispose: () => http.dispose() }
    message.resume()
    http.dispose()
    const location = message.headers.location
    if (status >= 300 && status < 400 && location) {
      const next = new URL(location, current)
      const problem = redirectProblem(current, next)
      if (problem)
        throw new ActionError(
          `${current.host} redirected to ${next.origin}${next.pathname}, which ${problem}. The redirect was not followed ` +
            `(release downloads keep the rule of "releases-url": https, or http only to loopback).`
        )
      if (hop >= MAX_REDIRECTS)
        throw new ActionError(`${url} redirected more than ${MAX_REDIRECTS} times.`)
      current = next
      continue
    }
    if (isTransientStatus(status))
      throw transientFromStatus({ status, headers: message.headers }, current.host)
    throw new HttpStatusError(status, current.href)
  }
}

/** Reads a small text answer (SHA256SUMS, latest.json) through `openGet`, within `timeoutMs`. */
export async function getText(url: string, timeoutMs: number): Promise<string> {
  const opened = await openGet(url, timeoutMs)
  try {
    return await deadline(
      readAll(opened.message, timeoutMs, opened.url),
      timeoutMs * 2,
      new URL(url).host
    )
  } finally {
    opened.dispose()
  }
}
