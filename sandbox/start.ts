import { DEFAULT_REPOSITORY, startGitHubOidc, type GitHubOidc } from './github-oidc.js'
import { mrnOfSpace, startMondooSts, type MondooSts } from './mondoo-sts.js'
import { startReleases, type ReleaseServer } from './releases.js'
import { secretsOf } from './leaks.js'
import { removeTempDirs, runAction, type RunOptions, type RunResult } from './runner.js'

export const SPACE_ID = 'sandbox-space-123456'

/** A small repository to scan: `--target="fs ."` or `--target="terraform ./infra"`. */
export const DEMO_REPOSITORY = {
  'infra/main.tf': 'provider "aws" {}\n\nresource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n',
  'infra/modules/store/bucket.tf': 'resource "aws_s3_bucket" "store" {\n  bucket = "store"\n}\n',
  'k8s/deployment.yaml': 'kind: Deployment\nmetadata:\n  name: web\n',
  'k8s/broken.yaml': 'metadata: {}\n'
}

export interface Sandbox {
  oidc: GitHubOidc
  sts: MondooSts
  releases: ReleaseServer
  /** The inputs a user would set, pointing at the stand-ins. */
  inputs: Record<string, string>
  /** The environment a job with `id-token: write` gets. */
  env: Record<string, string>
  secrets(): string[]
  /** Puts every stand-in back to healthy, between tests. */
  reset(): void
  run(options?: RunOptions): Promise<RunResult>
  close(): Promise<void>
}

/**
 * GitHub's OIDC issuer, Mondoo's STS (trusting that issuer for pushes to main of the demo
 * repository) and the cnspec release server, all on loopback.
 */
export async function startSandbox(): Promise<Sandbox> {
  const [oidc, releases] = await Promise.all([startGitHubOidc(), startReleases()])
  const sts = await startMondooSts([
    {
      spaceId: SPACE_ID,
      issuer: oidc.issuer,
      subject: `repo:${DEFAULT_REPOSITORY}:ref:refs/heads/main`
    }
  ])
  const inputs = {
    audience: mrnOfSpace(SPACE_ID),
    'api-endpoint': sts.url,
    'releases-url': releases.url
  }
  const env = { ...oidc.env }
  return {
    oidc,
    sts,
    releases,
    inputs,
    env,
    secrets: () => secretsOf(oidc, sts),
    reset: () => {
      oidc.faults.length = 0
      oidc.options = { claims: {}, lifetimeSeconds: 300 }
      sts.faults.length = 0
      sts.tamper = undefined
      sts.revoked.clear()
      sts.revokeAll = false
      sts.rateLimit = undefined
      sts.startTogether = undefined
      sts.received.length = 0
      sts.exchanges = 0
      sts.rejectAfter = undefined
      sts.delayMs = 0
      oidc.requests = 0
      releases.faults.length = 0
      releases.requests.length = 0
      releases.corrupt.clear()
      releases.unlisted.clear()
      releases.withoutChecksums.clear()
      releases.throttle = undefined
      releases.trickle = undefined
      releases.oversize = undefined
    },
    run: (options: RunOptions = {}) =>
      runAction({
        ...options,
        inputs: { ...inputs, ...options.inputs },
        env: { ...env, ...options.env }
      }),
    close: async () => {
      await Promise.all([oidc.close(), sts.close(), releases.close()])
      // The runner folders of every run (RUNNER_TEMP, tool cache, workspace) and the tests'
      // own temp dirs: tests inspect them after a run, so they go when the sandbox does.
      removeTempDirs()
    }
  }
}
