import * as exec from '@actions/exec'

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
