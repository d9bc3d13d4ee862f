import * as exec from '@actions/exec'
import type { Config } from '../inputs.js'

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
  'ACTIONS_RESULTS_URL'
]

export interface CnspecEnvOptions {
  /** Keep ACTIONS_ID_TOKEN_REQUEST_*: cnspec fetches the id-token itself (secretless mode). */
  idTokenRequest?: boolean
  /** Keep GITHUB_TOKEN: the scan target is `github …`, the one cnspec reads it for. */
  githubToken?: boolean
}

/**
 * The environment cnspec runs with: the runner's own minus what lets a process act as this
 * job towards GitHub (id-token requests, the runtime, cache and results services, the
 * GITHUB_TOKEN), unless `options` says a mode needs it; plus the credential. It is passed
 * straight to the child process and never printed.
 */
export function cnspecEnv(
  config: string | undefined,
  options: CnspecEnvOptions = {}
): Record<string, string> {
  const drop = new Set(RUNNER_SERVICES)
  if (!options.idTokenRequest) for (const name of ID_TOKEN_REQUEST) drop.add(name)
  if (!options.githubToken) drop.add('GITHUB_TOKEN')
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !drop.has(key)) env[key] = value
  if (config) env.MONDOO_CONFIG_BASE64 = config
  else delete env.MONDOO_CONFIG_BASE64
  return env
}

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
        'cnspec status exited 78: the credential is invalid (cnspec could not read it). The STS answer was malformed or ' +
        'altered in transit; re-run the job, and check that no proxy rewrites responses from "api-endpoint".'
    }
  }
  if (exitCode === 1) {
    return {
      exitCode,
      ok: false,
      verdict:
        'cnspec status exited 1: Mondoo rejected the credential or the service account is not registered. Check that the ' +
        'workload identity provider still exists and is enabled in the space, that its expiration has not passed, and that ' +
        '"api-endpoint" is the region of your space (us or eu).'
    }
  }
  return {
    exitCode,
    ok: false,
    verdict: `cnspec status exited ${exitCode} (unexpected); see cnspec's messages above.`
  }
}

/** The argument array of `cnspec scan`; no shell ever sees it. */
export function scanArgs(config: Config, incognito: boolean): string[] {
  const args = ['scan', ...config.target, '-o', config.output, '--log-level', config.logLevel]
  if (config.riskThreshold !== undefined)
    args.push('--risk-threshold', String(config.riskThreshold))
  if (incognito) args.push('--incognito')
  return [...args, ...config.args]
}

// cnspec's console log marks levels as FTL/ERR, or "x" for errors in its compact CLI form;
// a timestamp may come first, and colour codes may wrap the level.
const ERROR_LINE = /^(?:\S*\d\S*\s+)?(?:FTL|ERR|x)\s/m
const JSON_ERROR = /"level":"(?:fatal|error)"|level=(?:fatal|error)/
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g

export function hasErrorLine(stderr: string): boolean {
  const plain = stderr.replace(ANSI, '')
  return ERROR_LINE.test(plain) || JSON_ERROR.test(plain)
}

/**
 * cnspec exits 1 both for a scan over the risk threshold and for a failed scan. A fatal
 * error is logged at FTL/ERR level and leaves no report, which tells the two apart.
 */
export function scanVerdict(
  exitCode: number,
  riskThreshold: number | undefined,
  stdout: string,
  stderr: string
): CnspecResult {
  if (exitCode === 0) {
    return {
      exitCode,
      ok: true,
      verdict:
        riskThreshold === undefined
          ? 'Scan completed.'
          : `Scan completed; no risk reached the threshold of ${riskThreshold}.`
    }
  }
  const fatal = hasErrorLine(stderr)
  if (exitCode === 1 && riskThreshold !== undefined && !fatal && stdout.trim() !== '') {
    return {
      exitCode,
      ok: false,
      verdict:
        `Scan completed and found risk at or above the risk-threshold of ${riskThreshold}: see the report above. ` +
        `Fix the failing checks, or raise "risk-threshold" if this risk is accepted.`
    }
  }
  return {
    exitCode,
    ok: false,
    verdict:
      `cnspec scan failed with exit code ${exitCode} before it could judge the risk: see cnspec's errors above. ` +
      `Check "target" and "args"; run with "log-level: debug" for more.`
  }
}

export interface RunOutput {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs cnspec, streaming its output to the log while keeping a copy for the verdict. */
export async function runCnspec(
  binary: string,
  args: string[],
  env: Record<string, string>
): Promise<RunOutput> {
  const result = await exec.getExecOutput(binary, args, { env, ignoreReturnCode: true })
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}
