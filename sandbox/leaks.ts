import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { GitHubOidc } from './github-oidc.js'
import type { MondooSts } from './mondoo-sts.js'
import { parseCommandFile, type RunResult } from './runner.js'

/**
 * Every secret the sandbox handed out: id-tokens, the runner's request token, and each
 * credential whole, decoded, and line by line. Lines shorter than 16 characters (the
 * tail of a PEM body) carry too little to find reliably in a log, so they are left out.
 */
export function secretsOf(oidc: GitHubOidc, sts?: MondooSts): string[] {
  const secrets = [...oidc.issued, oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN]
  for (const credential of sts?.issued ?? []) {
    secrets.push(credential.base64, credential.json)
    if (credential.token) secrets.push(credential.token)
    for (const line of credential.privateKey?.split('\n') ?? [])
      if (line.length >= 16 && !line.startsWith('-----')) secrets.push(line)
  }
  return secrets
}

function walk(dir: string, skip: string[]): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (skip.includes(path)) continue
    const info = statSync(path)
    if (info.isDirectory()) files.push(...walk(path, skip))
    else if (info.isFile() && info.size < 20 * 1024 * 1024) files.push(path)
  }
  return files
}

/**
 * Everything a run wrote where people or later steps can see it: stdout and stderr (less
 * the runner's own ::add-mask:: commands), GITHUB_OUTPUT, GITHUB_ENV (less the intended
 * MONDOO_CONFIG_BASE64 export), the step summary, GITHUB_PATH, and every file outside RUNNER_TEMP.
 */
export function visibleArtifacts(
  result: RunResult,
  options: { withExport?: boolean } = {}
): Array<{ where: string; text: string }> {
  const strip = (text: string) =>
    text
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')
  const env = parseCommandFile(readFileSync(result.dirs.files.env, 'utf8'))
  if (!options.withExport) delete env.MONDOO_CONFIG_BASE64
  const artifacts = [
    { where: 'stdout', text: strip(result.stdout) },
    { where: 'stderr', text: strip(result.stderr) },
    {
      where: options.withExport ? 'GITHUB_ENV' : 'GITHUB_ENV (other than MONDOO_CONFIG_BASE64)',
      text: JSON.stringify(env)
    }
  ]
  const skip = [result.dirs.temp, result.dirs.files.env]
  for (const file of walk(result.dirs.root, skip)) {
    artifacts.push({
      where: relative(result.dirs.root, file),
      text: readFileSync(file).toString('latin1')
    })
  }
  if (!result.dirs.toolCache.startsWith(result.dirs.root)) {
    for (const file of walk(result.dirs.toolCache, [])) {
      artifacts.push({
        where: `tool cache: ${relative(result.dirs.toolCache, file)}`,
        text: readFileSync(file).toString('latin1')
      })
    }
  }
  return artifacts
}

/**
 * Everything the STS handed out, the certificate included: in credential-mode wif none of it
 * may be visible anywhere, MONDOO_CONFIG_BASE64 included (it must hold only the configuration).
 */
export function issuedMaterial(sts: MondooSts): string[] {
  const material: string[] = []
  for (const credential of sts.issued) {
    const { certificate } = JSON.parse(credential.json) as { certificate?: string }
    for (const line of certificate?.split('\n') ?? [])
      if (line.length >= 16 && !line.startsWith('-----')) material.push(line)
  }
  return material
}

/** Where each secret shows up; an empty list is the only good answer. */
export function findLeaks(
  result: RunResult,
  secrets: string[],
  options: { withExport?: boolean } = {}
): string[] {
  const leaks: string[] = []
  for (const { where, text } of visibleArtifacts(result, options)) {
    secrets.forEach((secret, index) => {
      if (secret && text.includes(secret))
        leaks.push(`secret #${index} (${secret.slice(0, 6)}…) found in ${where}`)
    })
  }
  return leaks
}

/** The values the action asked the runner to mask. */
export function maskedValues(result: RunResult): string[] {
  return result.stdout
    .split('\n')
    .filter(line => line.startsWith('::add-mask::'))
    .map(line => line.slice('::add-mask::'.length))
}
