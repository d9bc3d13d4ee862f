import * as core from '@actions/core'
import * as exec from '@actions/exec'
import { StringDecoder } from 'node:string_decoder'
import { lineWriter, logSafeArgv } from '../text.js'
import type { Config } from '../inputs.js'

export interface CnspecResult {
  exitCode: number
  /** One sentence for the log and the summary. */
  verdict: string
  ok: boolean
}

/**
 * The environment cnspec runs with: the runner's own, plus the credential. It is passed
 * straight to the child process and never printed.
 */
export function cnspecEnv(credential: string | undefined): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value
  if (credential) env.MONDOO_CONFIG_BASE64 = credential
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

/**
 * Runs cnspec, streaming its output to the log while keeping a copy for the verdict. The
 * command line and every output line are printed by us, made inert: exec's own echo would
 * print a word holding a line break as two lines, and the runner obeys a line that starts
 * with "::".
 */
export async function runCnspec(
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
  const out = stream(process.stdout)
  const err = stream(process.stderr)
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
