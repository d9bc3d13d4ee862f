import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { tempDir } from './runner.js'

/** A repository as GET /orgs/{org}/repos returns it (the fields the planner reads, and a few more). */
export interface StandInRepository {
  id: number
  name: string
  full_name: string
  private: boolean
  visibility: 'public' | 'private' | 'internal'
  archived: boolean
  disabled: boolean
  fork: boolean
  size: number
  topics: string[]
  default_branch: string
}

export interface ApiRequest {
  method: string
  url: string
  authorization?: string
  status: number
}

export interface GitHubApi {
  /** Base of the web and git server (GITHUB_SERVER_URL). */
  url: string
  /** Base of the REST API (GITHUB_API_URL), as on GitHub Enterprise Server: <url>/api/v3. */
  apiUrl: string
  organisation: string
  repositories: StandInRepository[]
  /** The token every request must carry (REST: "token <t>"/"Bearer <t>"; git: Basic x-access-token). */
  token: string
  /** Answer this page of the listing once with a primary rate-limit 403, then serve it. */
  rateLimitPage: number | undefined
  /** Seconds until the rate-limit window reopens, sent as x-ratelimit-reset and Retry-After. */
  rateLimitSeconds: number
  /**
   * primary: 403 with x-ratelimit-remaining 0 and x-ratelimit-reset (and Retry-After);
   * secondary: 403 "You have exceeded a secondary rate limit" with Retry-After only.
   */
  rateLimitKind: 'primary' | 'secondary'
  /** The status of a primary rate-limit answer: 403, or 429 as GitHub also sends. */
  rateLimitStatus: 403 | 429
  /** Answer this page of the listing once with this status (a 502 from a proxy, say). */
  failPage: { page: number; status: number } | undefined
  requests: ApiRequest[]
  /** Makes a git repository with these files that the git server serves (smart HTTP). */
  addGitRepository(name: string, files: Record<string, string>): void
  close(): Promise<void>
}

/**
 * A deterministic organisation: about 10 % archived, 1 in 7 a fork, 1 in 50 empty, topics
 * and all three visibilities.
 */
export function generateRepositories(organisation: string, count: number): StandInRepository[] {
  const width = String(count).length
  return Array.from({ length: count }, (_, i) => {
    const name = `repo-${String(i + 1).padStart(width, '0')}`
    const visibility = (['public', 'private', 'internal'] as const)[i % 3]!
    return {
      id: 100000 + i,
      name,
      full_name: `${organisation}/${name}`,
      private: visibility !== 'public',
      visibility,
      archived: i % 10 === 9,
      disabled: false,
      fork: i % 7 === 6,
      size: i % 50 === 47 ? 0 : 100 + i,
      topics: i % 4 === 0 ? ['terraform', 'infra'] : i % 4 === 1 ? ['web'] : [],
      default_branch: 'main'
    }
  })
}

function git(args: string[], cwd: string): void {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_AUTHOR_NAME: 'sandbox',
      GIT_AUTHOR_EMAIL: 'sandbox@example.invalid',
      GIT_COMMITTER_NAME: 'sandbox',
      GIT_COMMITTER_EMAIL: 'sandbox@example.invalid'
    }
  })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(text)
}

/**
 * GitHub's REST API for listing an organisation's repositories (per_page, page, Link
 * headers, one primary rate-limit answer on demand) and its git smart-HTTP server (through
 * `git http-backend`), both requiring the token the way GitHub does.
 */
export async function startGitHubApi(
  organisation = 'acme',
  repositories = generateRepositories(organisation, 25)
): Promise<GitHubApi> {
  const gitRoot = tempDir('sandbox-git')
  const sockets = new Set<Socket>()
  const state = {
    organisation,
    repositories,
    token: `ghs_sandbox${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
    rateLimitPage: undefined as number | undefined,
    rateLimitSeconds: 1,
    rateLimitKind: 'primary' as 'primary' | 'secondary',
    rateLimitStatus: 403 as 403 | 429,
    failPage: undefined as { page: number; status: number } | undefined,
    requests: [] as ApiRequest[]
  }
  let base = ''

  function listing(res: ServerResponse, url: URL): number {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)))
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
    if (state.failPage?.page === page) {
      const { status } = state.failPage
      state.failPage = undefined
      res.writeHead(status, { 'Content-Type': 'text/html' })
      res.end('<html><body><h1>Bad gateway</h1></body></html>')
      return status
    }
    if (state.rateLimitPage === page) {
      state.rateLimitPage = undefined
      const reset = Math.ceil(Date.now() / 1000) + state.rateLimitSeconds
      if (state.rateLimitKind === 'secondary') {
        send(
          res,
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
          },
          { 'retry-after': String(state.rateLimitSeconds) }
        )
        return 403
      }
      send(
        res,
        state.rateLimitStatus,
        {
          message: 'API rate limit exceeded for installation ID 1.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api'
        },
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-used': '5000',
          'x-ratelimit-reset': String(reset),
          'retry-after': String(state.rateLimitSeconds)
        }
      )
      return state.rateLimitStatus
    }
    const last = Math.max(1, Math.ceil(state.repositories.length / perPage))
    const items = state.repositories.slice((page - 1) * perPage, page * perPage)
    const link = (p: number, rel: string) => {
      const target = new URL(url.href)
      target.searchParams.set('page', String(p))
      target.searchParams.set('per_page', String(perPage))
      return `<${base}${target.pathname}${target.search}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'))
    send(res, 200, items, {
      ...(links.length ? { Link: links.join(', ') } : {}),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4000'
    })
    return 200
  }

  function gitBackend(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): number {
    // The auth scheme is case-insensitive (git's extraheader says "basic", curl "Basic").
    const [scheme, credentials] = (req.headers.authorization ?? '').split(' ')
    const expected = Buffer.from(`x-access-token:${state.token}`).toString('base64')
    if (scheme?.toLowerCase() !== 'basic' || credentials !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"' })
      res.end('authentication required')
      return 401
    }
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: gitRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1'
      }
    })
    const out: Buffer[] = []
    child.stdout.on('data', chunk => out.push(chunk))
    // http-backend may answer (a 404) without reading the request body.
    child.stdin.on('error', () => undefined)
    child.stdin.end(body)
    child.on('close', () => {
      const all = Buffer.concat(out)
      const split = all.indexOf('\r\n\r\n')
      const headerEnd = split >= 0 ? split : all.indexOf('\n\n')
      const headerText = all.subarray(0, headerEnd).toString('utf8')
      const payload = all.subarray(headerEnd + (split >= 0 ? 4 : 2))
      let status = 200
      const headers: Record<string, string> = {}
      for (const line of headerText.split(/\r?\n/)) {
        const [name, ...rest] = line.split(':')
        const value = rest.join(':').trim()
        if (name?.toLowerCase() === 'status') status = Number(value.split(' ')[0])
        else if (name) headers[name] = value
      }
      res.writeHead(status, headers)
      res.end(payload)
    })
    return 200
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base)
      const record = (status: number) =>
        state.requests.push({
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          authorization: req.headers.authorization,
          status
        })
      if (url.pathname.includes('.git/'))
        return record(gitBackend(req, res, url, Buffer.concat(chunks)))
      const auth = req.headers.authorization ?? ''
      if (auth !== `token ${state.token}` && auth !== `Bearer ${state.token}`) {
        send(res, 401, { message: 'Bad credentials' })
        return record(401)
      }
      const org = /^\/api\/v3\/orgs\/([^/]+)\/repos$/.exec(url.pathname)
      if (req.method === 'GET' && org) {
        if (decodeURIComponent(org[1]!).toLowerCase() !== state.organisation.toLowerCase()) {
          send(res, 404, { message: 'Not Found' })
          return record(404)
        }
        return record(listing(res, url))
      }
      send(res, 404, { message: 'Not Found' })
      return record(404)
    })
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url: base,
    apiUrl: `${base}/api/v3`,
    addGitRepository(name: string, files: Record<string, string>) {
      const work = tempDir('sandbox-git-work')
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true })
        writeFileSync(join(work, path), content)
      }
      git(['init', '--quiet', '--initial-branch=main'], work)
      git(['add', '--all'], work)
      git(['commit', '--quiet', '-m', 'initial'], work)
      const bare = join(gitRoot, state.organisation, `${name}.git`)
      mkdirSync(dirname(bare), { recursive: true })
      git(['clone', '--quiet', '--bare', work, bare], work)
    },
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  })
}
