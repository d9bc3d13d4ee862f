import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { HttpClient } from '@actions/http-client'
import { ActionError } from '../errors.js'
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
  /** Redirects are off unless asked for: a redirected POST would carry its body elsewhere. */
  followRedirects?: boolean
}

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status)
}

function client(options: { timeoutMs: number; followRedirects: boolean }): HttpClient {
  return new HttpClient(USER_AGENT, [], {
    allowRedirects: options.followRedirects,
    maxRedirects: 5,
    allowRedirectDowngrade: false,
    allowRetries: false,
    keepAlive: false,
    socketTimeout: options.timeoutMs
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
function networkError(error: unknown, url: string): TransientError | ActionError {
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
  const http = client({
    timeoutMs: options.timeoutMs,
    followRedirects: options.followRedirects ?? false
  })
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
  return new TransientError(
    `${what} answered HTTP ${answer.status}`,
    parseRetryAfter(answer.headers['retry-after'], Date.now())
  )
}

export interface Download {
  sha256: string
  bytes: number
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

/**
 * Streams a GET into `dest`, hashing as it goes. A cut-off body (fewer bytes than
 * Content-Length), a stall or a reset throws TransientError; a non-200 status throws
 * HttpStatusError (transient statuses as TransientError).
 */
export async function download(url: string, dest: string, timeoutMs: number): Promise<Download> {
  const http = client({ timeoutMs, followRedirects: true })
  try {
    let response
    try {
      response = await http.get(url)
    } catch (error) {
      throw networkError(error, url)
    }
    const message = response.message
    const status = message.statusCode ?? 0
    if (status !== 200) {
      message.resume()
      if (isTransientStatus(status)) {
        throw transientFromStatus({ status, headers: message.headers }, new URL(url).host)
      }
      throw new HttpStatusError(status, url)
    }
    const expected = Number(message.headers['content-length'] ?? NaN)
    const hash = createHash('sha256')
    let bytes = 0
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk)
        bytes += chunk.length
        done(null, chunk)
      }
    })
    message.setTimeout(timeoutMs, () =>
      message.destroy(
        new TransientError(`${new URL(url).host}: download stalled for ${timeoutMs / 1000} s`)
      )
    )
    try {
      await pipeline(message, meter, createWriteStream(dest))
    } catch (error) {
      if (error instanceof TransientError) throw error
      throw networkError(error, url)
    }
    if (!message.complete || (Number.isFinite(expected) && bytes !== expected)) {
      throw new TransientError(
        `${new URL(url).host}: download cut off after ${bytes} of ${Number.isFinite(expected) ? expected : '?'} bytes`
      )
    }
    return { sha256: hash.digest('hex'), bytes }
  } finally {
    http.dispose()
  }
}
