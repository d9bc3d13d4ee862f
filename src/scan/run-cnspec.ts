import * as core from '@actions/core'
import * as exec from '@actions/exec'
import { randomUUID } from 'node:crypto'
import { StringDecoder } from 'node:string_decoder'
import { lineWriter, logSafeArgv } from '../text.js'
import { isWithheld } from './mondoo-env.js'

export interface CnspecResult {
  exitCode: number
  /** One sentence for the log and the summary. */
  verdict: string
  ok: boolean
}

/** Runner variables that grant access to GitHub: cnspec gets them only when a mode needs them. */
const ID_TOKEN_REQUEST = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']
const RUNNER_SERVICES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  // cnspec's wif exchange prefers JWT_TOKEN to the job's own id-token: a value left by an
  // earlier step must not choose the identity.
  'JWT_TOKEN'
]

export interface CnspecEnvOptions {
  /** Keep ACTIONS_ID_TOKEN_REQUEST_*: cnspec fetches the id-token itself (secretless mode). */
  idTokenRequest?: boolean
  /** Keep GITHUB_TOKEN: the scan target is `github …`, the one cnspec reads it for. */
  githubToken?: boolean
  /** `releases-url`: where cnspec downloads its providers (MONDOO_UPDATES_URL). */
  updatesUrl?: string
}

/**
 * The environment cnspec runs with: the runner's own minus what lets a process act as this
 * job towards GitHub (id-token requests, the runtime, cache and results services, the
 * GITHUB_TOKEN), unless `options` says a mode needs it, and minus the MONDOO_* variables
 * that would choose another credential or endpoint (src/scan/mondoo-env.ts); plus the
 * credential, the engine pinned (cnspec would otherwise run a newer build of itself) and
 * the mirror. It is passed straight to the child process and never printed.
 */
export function cnspecEnv(
  config: string | undefined,
  options: CnspecEnvOptions = {}
): Record<string, string> {
  const drop = new Set(RUNNER_SERVICES)
  if (!options.idTokenRequest) for (const name of ID_TOKEN_REQUEST) drop.add(name)
  if (!options.githubToken) drop.add('GITHUB_TOKEN')
  const env: Record<string, string> = {}
  // INPUT_* are the action's own inputs (the organisation batch's include its GitHub token):
  // cnspec reads none of them.
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !drop.has(key) && !key.startsWith('INPUT_') && !isWithheld(key))
      env[key] = value
  if (config) env.MONDOO_CONFIG_BASE64 = config
  else delete env.MONDOO_CONFIG_BASE64
  // Stops only the engine's self-update: MONDOO_AUTO_UPDATE=false would stop provider
  // installs too, and a scan on a fresh runner needs its provider.
  env.MONDOO_AUTO_UPDATE_ENGINE = 'false'
  if (options.updatesUrl) env.MONDOO_UPDATES_URL = options.updatesUrl
  return env
}

/** What `cnspec status` exit codes mean (mql apps/mql/cmd/status.go). */
export function statusVerdict(exitCode: number): CnspecResult {
  if (exitCode === 0)
    return {
      exitCode,
      ok: true,
      verdict: 'cnspec reached Mondoo and the credential authenticates.'
    }
  if (exitCode === 78) {
    return {
      exitCode,
      ok: false,
      verdict:
        "cnspec status exited 78: cnspec could not load the credential's private key, so the credential is unusable. " +
        'The STS answer was malformed or altered in transit; re-run the job, and check that no proxy rewrites ' +
        'responses from "api-endpoint".'
    }
  }
  if (exitCode === 1) {
    return {
      exitCode,
      ok: false,
      verdict:
        'cnspec status exited 1: Mondoo rejected the credential or the service account is not registered (cnspec ' +
        'exits 1 too when it cannot decode its configuration). Check that the workload identity provider still ' +
        'exists and is enabled in the space, that its expiration has not passed, and that "api-endpoint" is the ' +
        "region of your space (us or eu); cnspec's own messages above say which."
    }
  }
  return {
    exitCode,
    ok: false,
    verdict: `cnspec status exited ${exitCode} (unexpected); see cnspec's messages above.`
  }
}

export interface RunOutput {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * Runs cnspec, streaming its output to the log while keeping a copy for the verdict. The
 * command line and every output line are printed by us, made inert: exec's own echo would
 * print a word holding a line break as two lines, and the runner obeys a line that starts
 * with "::". Around all of it, `::stop-commands::<token>` … `::<token>::` tells the runner to
 * obey no line at all, whatever a scanned file or a policy put in cnspec's output.
 */
export async function runCnspec(
  binary: string,
  args: string[],
  env: Record<string, string>
): Promise<RunOutput> {
  const token = randomUUID()
  process.stdout.write(`::stop-commands::${token}\n`)
  try {
    return await run(binary, args, env)
  } finally {
    process.stdout.write(`\n::${token}::\n`)
  }
}

async function run(
  binary: string,
  args: string[],
  env: Record<string, string>
): Promise<RunOutput> {
  core.info(`[command] ${logSafeArgv([binary, ...args])}`)
  const stream = (to: NodeJS.WriteStream) => {
    const lines = lineWriter(line => to.write(`${line}\n`))
    const utf8 = new StringDecoder('utf8')
    return {
      push: (chunk: Buffer) => lines.push(utf8.write(chunk)),
      end: () => {
        lines.push(utf8.end())
        lines.end()
      }
    }
  }
  // Both go to stdout, in the order they arrive, as @actions/exec itself does: the
  // stop-commands window holds only for the stream it is written to.
  const out = stream(process.stdout)
  const err = stream(process.stdout)
  const result = await exec.getExecOutput(binary, args, {
    env,
    ignoreReturnCode: true,
    silent: true,
    listeners: {
      stdout: chunk => out.push(chunk),
      stderr: chunk => err.push(chunk)
    }
  })
  out.end()
  err.end()
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}
