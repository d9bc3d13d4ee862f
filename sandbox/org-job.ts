import { delimiter, join } from 'node:path'
import type { GitHubApi } from './github-api.js'
import { makeRunnerDirs, runAction, type RunOptions, type RunResult } from './runner.js'

export interface ScanJob {
  signIn: RunResult
  batch: RunResult
}

/**
 * One matrix job of the organisation workflow, as the runner plays it: the main action signs
 * in and installs cnspec (scan: false), then org/scan-batch scans the batch, with what the
 * first step exported (GITHUB_ENV, GITHUB_PATH) in its environment.
 */
export async function runScanJob(options: {
  /** Runs the main action (the sandbox's run, with its inputs and OIDC environment). */
  runMain: (options: RunOptions) => Promise<RunResult>
  api: GitHubApi
  repositories: string
  scan: string
  threshold?: string
  toolCache: string
  env?: Record<string, string>
  /** More inputs for the main action (e.g. credential-mode). */
  mainInputs?: Record<string, string>
  /** The main action's releases-url, which the batch gets too (providers come from it). */
  releasesUrl?: string
}): Promise<ScanJob> {
  const dirs = makeRunnerDirs(options.toolCache)
  const signIn = await options.runMain({
    dirs,
    inputs: { scan: 'false', 'cnspec-version': '13.34.0', ...options.mainInputs },
    env: options.env
  })
  if (signIn.exitCode !== 0) return { signIn, batch: signIn }
  const batch = await runAction({
    dirs,
    action: 'org/scan-batch',
    inputs: {
      organisation: options.api.organisation,
      repositories: options.repositories,
      'github-token': options.api.token,
      scan: options.scan,
      'risk-threshold': options.threshold ?? '',
      ...(options.releasesUrl ? { 'releases-url': options.releasesUrl } : {}),
      'cnspec-path': signIn.outputs['cnspec-path'] as string,
      'output-directory': join(dirs.temp, 'cnspec-org')
    },
    env: {
      ...signIn.exported,
      ...options.env,
      PATH: [...signIn.addedPath, process.env.PATH].join(delimiter),
      GITHUB_API_URL: options.api.apiUrl,
      GITHUB_SERVER_URL: options.api.url
    },
    timeoutMs: 120000
  })
  return { signIn, batch }
}
