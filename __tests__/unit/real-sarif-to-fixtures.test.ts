import { expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, tempDir } from '../../sandbox/runner.js'

const SCRIPT = join(ROOT, 'scripts', 'real-sarif-to-fixtures.mjs')

it("turns the real-cnspec job's artifact into fixtures with repository-relative paths", () => {
  const root = tempDir('real-sarif')
  const target = join(root, 'real-sarif-Windows', 'terraform')
  mkdirSync(target, { recursive: true })
  const workspace = 'D:\\a\\cnspec-keyless-action\\cnspec-keyless-action'
  writeFileSync(
    join(target, 'meta.json'),
    JSON.stringify({
      target: 'terraform',
      runner: 'Windows',
      workspace,
      outcome: 'failure',
      outputs: { 'cnspec-version': '13.35.2' }
    })
  )
  const uri = (path: string) => ({ physicalLocation: { artifactLocation: { uri: path } } })
  writeFileSync(
    join(target, 'cnspec.sarif'),
    JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          results: [
            {
              locations: [uri(`${workspace}\\__tests__\\fixtures\\real-scan\\terraform\\main.tf`)]
            },
            {
              locations: [uri('file:///D:/a/cnspec-keyless-action/cnspec-keyless-action/main.tf')]
            },
            { locations: [uri('main.tf')] }
          ]
        }
      ]
    })
  )
  const out = join(root, 'fixtures')
  const printed = execFileSync(process.execPath, [SCRIPT, root, out], { encoding: 'utf8' })
  const file = join(out, '13.35.2', 'windows-terraform.sarif.json')
  expect(printed).toContain(file)
  const sarif = JSON.parse(readFileSync(file, 'utf8'))
  expect(
    sarif.runs[0].results.map(
      (r: { locations: Array<ReturnType<typeof uri>> }) =>
        r.locations[0]!.physicalLocation.artifactLocation.uri
    )
  ).toEqual(['__tests__/fixtures/real-scan/terraform/main.tf', 'main.tf', 'main.tf'])
})

it('fails, saying so, when the directory holds no report', () => {
  const empty = tempDir('real-sarif')
  expect(() => execFileSync(process.execPath, [SCRIPT, empty], { stdio: 'pipe' })).toThrow(
    /no cnspec\.sarif with a meta\.json found/
  )
})
