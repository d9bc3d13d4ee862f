// The pages behind docs/images/summary.png and log.png: one real sandbox run of the bundled
// action, its job summary and log rendered as GitHub shows them, with what changes from run
// to run (loopback ports, temp folders, timings, generated IDs) replaced by what a GitHub
// runner would show. Same code, same pages: __tests__/e2e/pictures.test.ts re-renders them.
import { findLeaks } from './leaks.js'
import { logPage, summaryPage } from './preview.js'
import { actionDefaults, type RunResult } from './runner.js'
import { DEMO_REPOSITORY, startSandbox, type Sandbox } from './start.js'

/** What the pictures show: a repository's Terraform, failing a risk threshold of 70. */
export const PICTURE_INPUTS = { target: 'terraform ./infra', 'risk-threshold': '70' }
export const PICTURE_STEP = {
  name: 'cnspec keyless scan',
  uses: 'mondoohq-community/cnspec-keyless-action@<40-hex-sha>'
}

/** How long each phase took on a hosted runner, in place of this machine's timings. */
const TIMINGS: Record<string, string> = {
  'sign-in (id-token + exchange)': '0.6 s',
  'install cnspec': '2.4 s',
  'cnspec status': '0.9 s',
  'cnspec scan': '6.8 s',
  total: '10.9 s'
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The run's text with what differs between runs replaced by a GitHub runner's values. */
function asOnARunner(text: string, sandbox: Sandbox, result: RunResult): string {
  const { dirs } = result
  const places: Array<[string, string]> = [
    [sandbox.oidc.issuer, 'https://token.actions.githubusercontent.com'],
    [sandbox.sts.url, 'https://us.api.mondoo.com'],
    [sandbox.releases.url, 'https://releases.mondoo.com'],
    [dirs.toolCache, '/opt/hostedtoolcache'],
    [dirs.temp, '/home/runner/work/_temp'],
    [dirs.workspace, '/home/runner/work/demo/demo'],
    [dirs.home, '/home/runner'],
    [dirs.root, '/home/runner/work/_actions']
  ]
  let out = text
  for (const [from, to] of places) out = out.split(from).join(to)
  for (const [phase, took] of Object.entries(TIMINGS))
    out = out
      .replace(new RegExp(`(${escapeRegExp(phase)} took )\\d+\\.\\d s`, 'g'), `$1${took}`)
      .replace(new RegExp(`(<td>${escapeRegExp(phase)}</td><td>)\\d+\\.\\d s`, 'g'), `$1${took}`)
  return out
    .replace(/cnspec-report-[A-Za-z0-9]{6}/g, 'cnspec-report-Rk2x9Q')
    .replace(/serviceaccounts\/[0-9a-f]+/g, 'serviceaccounts/2f6d94c1a0b37e58c4d1e920')
    .replace(
      /(cnspec_[\d.]+)_[a-z]+_[a-z0-9]+\.(tar\.gz|zip) \(\d+ bytes\)/g,
      '$1_linux_amd64.tar.gz (118273024 bytes)'
    )
    .replace(/(hostedtoolcache\/cnspec\/[\d.]+\/)[a-z0-9]+\//g, '$1x64/')
}

export interface PicturePages {
  summary: string
  log: string
  /** Secrets of the run visible anywhere it wrote: must be none. */
  leaks: string[]
}

/** Runs the action once against the stand-ins and renders its summary and log pages. */
export async function picturePages(): Promise<PicturePages> {
  const sandbox = await startSandbox()
  try {
    const result = await sandbox.run({
      inputs: PICTURE_INPUTS,
      workspaceFiles: DEMO_REPOSITORY,
      production: true
    })
    const leaks = findLeaks(result, sandbox.secrets())
    const normal = (text: string) => asOnARunner(text, sandbox, result)
    // As a workflow would set them: inputs left at their defaults are not written out.
    const defaults = actionDefaults()
    const inputs = Object.entries({ ...sandbox.inputs, ...PICTURE_INPUTS })
      .map(([name, value]) => [name, normal(value)])
      .filter(([name, value]) => defaults[name as string] !== value)
    return {
      summary: summaryPage(normal(result.summary), PICTURE_STEP.name),
      log: logPage(normal(result.stdout), {
        ...PICTURE_STEP,
        inputs: Object.fromEntries(inputs)
      }),
      leaks
    }
  } finally {
    await sandbox.close()
  }
}
