import { existsSync } from 'node:fs'
import { ActionError } from './errors.js'

/**
 * The runner hands a step its outputs and exported variables through files named by
 * GITHUB_OUTPUT and GITHUB_ENV. Without them @actions/core falls back to the old
 * "::set-output" and "::set-env" log commands: the runner ignores those, so later steps
 * silently get nothing, and "::set-env" would print the credential into the log. So the
 * action refuses to start, before any request, when a file it will need is missing.
 */
export function requireCommandFiles(
  needs: { exportCredentials: boolean },
  env: NodeJS.ProcessEnv = process.env
): void {
  const wanted: Array<[string, string]> = [['GITHUB_OUTPUT', 'the outputs']]
  if (needs.exportCredentials) wanted.push(['GITHUB_ENV', 'MONDOO_CONFIG_BASE64 for later steps'])
  const problems = wanted
    .filter(([name]) => !env[name] || !existsSync(env[name] as string))
    .map(
      ([name, what]) =>
        `${name} ${env[name] ? `names a file that does not exist (${env[name]})` : 'is not set'}, so ${what} cannot be handed on`
    )
  if (!problems.length) return
  throw new ActionError(
    `This step does not look like a GitHub Actions runner step: ${problems.join('; ')}. ` +
      `Nothing was requested and nothing was written (the credential is never printed as a fallback). ` +
      `Run it on a GitHub Actions runner (GitHub-hosted and current self-hosted runners set both); under @github/local-action, ` +
      `set them in the .env file (npm run sandbox:serve prints one)` +
      (needs.exportCredentials
        ? `; or set "export-credentials: false" if later steps need no credential.`
        : '.')
  )
}
