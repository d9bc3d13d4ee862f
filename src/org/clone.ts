import { runProcess, type ProcessResult } from './run-process.js'
import { lastErrorLines } from '../scan/judge.js'

/**
 * Git's environment for one clone: the token travels as an HTTP header set through
 * GIT_CONFIG_* variables (git ≥ 2.31), so it is in no URL, no argument list (visible to every
 * process on the machine), no file and no log. Credential helpers and prompts are off, and
 * nothing of the Mondoo sign-in reaches git.
 */
// The Mondoo sign-in (a credential, or in wif mode the id-token request pair and JWT_TOKEN),
// other tokens, and git settings that could redirect the clone.
const NOT_FOR_GIT =
  /^(MONDOO_CONFIG_BASE64|GITHUB_TOKEN|GH_TOKEN|JWT_TOKEN|ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)|GIT_CONFIG_.*)$/

export function gitEnv(
  base: Record<string, string>,
  serverUrl: string,
  token: string
): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(base)) if (!NOT_FOR_GIT.test(key)) env[key] = value
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64')
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_LFS_SKIP_SMUDGE: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: `http.${serverUrl}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
    GIT_CONFIG_KEY_1: 'credential.helper',
    GIT_CONFIG_VALUE_1: ''
  }
}

export interface CloneResult {
  ok: boolean
  /** Why the clone failed, in one line. */
  error?: string
  process: ProcessResult
}

/** A shallow clone of the default branch, without tags or LFS objects. */
export async function shallowClone(options: {
  serverUrl: string
  fullName: string
  token: string
  into: string
  env: Record<string, string>
  timeoutMs: number
}): Promise<CloneResult> {
  const url = `${options.serverUrl}/${options.fullName}.git`
  const result = await runProcess(
    'git',
    ['clone', '--quiet', '--depth', '1', '--single-branch', '--no-tags', '--', url, options.into],
    { env: gitEnv(options.env, options.serverUrl, options.token), timeoutMs: options.timeoutMs }
  )
  if (result.exitCode === 0) return { ok: true, process: result }
  const reason = result.startError
    ? `git could not be started (${result.startError})`
    : result.timedOut
      ? `the clone took longer than ${Math.round(options.timeoutMs / 60000)} min`
      : (lastErrorLines(result.stderr).slice(-1)[0] ?? `git exited ${result.exitCode}`)
  return { ok: false, error: `could not clone ${options.fullName}: ${reason}`, process: result }
}
