import { expect, it } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findLeaks } from '../sandbox/leaks.js'
import { makeRunnerDirs, type RunResult } from '../sandbox/runner.js'

// The leak check guards every end-to-end test; this proves it can fail, and where it looks.
const SECRET = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXRoYXQtaXMtc2VjcmV0'

function result(stdout = ''): RunResult {
  const dirs = makeRunnerDirs()
  return {
    exitCode: 0,
    signal: null,
    stdout,
    stderr: '',
    outputs: {},
    exported: {},
    summary: '',
    addedPath: [],
    dirs
  }
}

it("finds a secret in stdout, but not in the runner's own ::add-mask:: command", () => {
  expect(findLeaks(result(`::add-mask::${SECRET}\nall good\n`), [SECRET])).toEqual([])
  expect(findLeaks(result(`token is ${SECRET}\n`), [SECRET])).toEqual([
    expect.stringContaining('stdout')
  ])
})

it('finds a secret in GITHUB_OUTPUT, the summary, other GITHUB_ENV entries and workspace files', () => {
  const run = result()
  writeFileSync(run.dirs.files.output, `space-mrn<<EOF\n${SECRET}\nEOF\n`)
  writeFileSync(run.dirs.files.summary, `<td>${SECRET}</td>`)
  writeFileSync(
    run.dirs.files.env,
    `MONDOO_CONFIG_BASE64<<EOF\n${SECRET}\nEOF\nOTHER<<EOF\n${SECRET}\nEOF\n`
  )
  mkdirSync(join(run.dirs.workspace, 'out'))
  writeFileSync(join(run.dirs.workspace, 'out', 'report.json'), SECRET)
  const where = findLeaks(run, [SECRET]).join('\n')
  expect(where).toContain('files/output')
  expect(where).toContain('files/summary.md')
  expect(where).toContain('GITHUB_ENV (other than MONDOO_CONFIG_BASE64)')
  expect(where).toContain('workspace/out/report.json')
})

it('allows the intended MONDOO_CONFIG_BASE64 export and files inside RUNNER_TEMP', () => {
  const run = result()
  writeFileSync(run.dirs.files.env, `MONDOO_CONFIG_BASE64<<EOF\n${SECRET}\nEOF\n`)
  writeFileSync(join(run.dirs.temp, 'credential.json'), SECRET)
  expect(findLeaks(run, [SECRET])).toEqual([])
})
