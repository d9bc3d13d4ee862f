// `npm run sandbox:serve`: starts the stand-ins (GitHub's OIDC issuer, Mondoo's STS, the
// cnspec release server), keeps them running, and writes a .env for @github/local-action,
// so the action's TypeScript runs in your editor's debugger against them:
//
//   npm run sandbox:serve -- --incognito  # local-action stubs core.getIDToken: no id-token
//   npx local-action . src/main.ts <the .env path it prints>
//
//   npm run sandbox:serve                 # keyless: id-tokens from the OIDC stand-in, for
//   node --env-file=<the .env> dist/index.js   # the bundle (local-action cannot mint them)
//
// Ctrl-C stops the stand-ins and removes the runner folders.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { makeRunnerDirs, runnerEnv } from './runner.js'
import { startSandbox } from './start.js'

/** One KEY=value line of a .env file; values are quoted so that dotenv keeps them whole. */
const line = (key: string, value: string): string => `${key}=${JSON.stringify(value)}`

async function main(): Promise<void> {
  const incognito = process.argv.includes('--incognito')
  const sandbox = await startSandbox()
  const dirs = makeRunnerDirs()
  const inputs: Record<string, string> = {
    ...sandbox.inputs,
    ...(incognito ? { 'on-missing-id-token': 'incognito' } : {})
  }
  const env: Record<string, string> = {
    // cnspec installs its providers under $HOME/.config/mondoo: the runner's home, not yours.
    HOME: dirs.home,
    ...runnerEnv(dirs, inputs),
    // What a job with "permissions: id-token: write" gets, pointing at the OIDC stand-in.
    ...(incognito ? {} : sandbox.env)
  }
  const dotenv = Object.entries(env)
    .map(([key, value]) => line(key, value))
    .join('\n')
  const file = join(dirs.root, 'local-action.env')
  writeFileSync(file, `${dotenv}\n`)

  console.log('Stand-ins on loopback (Ctrl-C to stop):')
  console.log(
    `  GitHub OIDC issuer   ${sandbox.oidc.issuer}${incognito ? ' (not in the .env)' : ''}`
  )
  console.log(`  Mondoo STS           ${sandbox.sts.url}`)
  console.log(`  cnspec releases      ${sandbox.releases.url}`)
  console.log(`\n# ${file}\n${dotenv}\n`)
  console.log(`Run the action's TypeScript under @github/local-action with it:\n`)
  console.log(`  npx local-action . src/main.ts ${file}\n`)
  if (!incognito)
    console.log(
      `local-action cannot mint id-tokens (its core.getIDToken is a stub): use --incognito for it, or\n` +
        `run the bundle keyless against the stand-ins:\n\n  node --env-file=${file} dist/index.js\n`
    )
  await new Promise<void>(resolve => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await sandbox.close()
  console.log('Stand-ins stopped; runner folders removed.')
}

await main()
