import { expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROOT } from '../sandbox/runner.js'
import { OUTPUT_FORMATS } from '../src/inputs.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; description?: string }>
  outputs: Record<string, unknown>
}

/** Rows of the README table under a heading: first cell (unquoted) and second cell. */
function table(heading: string): Array<[string, string]> {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  return section
    .split('\n')
    .filter(line => /^\| `/.test(line))
    .map(line => {
      const cells = line.split('|').map(cell => cell.trim())
      return [cells[1]!.replace(/`/g, ''), cells[2]!.replace(/`/g, '')]
    })
}

it('the README lists exactly the inputs of action.yml, in order, with the same defaults', () => {
  const rows = table('Inputs')
  expect(rows.map(([name]) => name)).toEqual(Object.keys(action.inputs))
  for (const [name, shown] of rows) {
    const fallback = action.inputs[name]?.default
    if (fallback !== undefined && !['issuer', 'id-token-audience'].includes(name))
      expect(shown).toBe(fallback)
  }
})

it('the README lists exactly the outputs of action.yml, in order', () => {
  expect(table('Outputs').map(([name]) => name)).toEqual(Object.keys(action.outputs))
})

it('the README links the troubleshooting guide, which exists', () => {
  expect(readme).toContain('(docs/TROUBLESHOOTING.md)')
  expect(readFileSync(join(ROOT, 'docs', 'TROUBLESHOOTING.md'), 'utf8')).toMatch(
    /^# Troubleshooting/
  )
})

it('every "output" value the action accepts is named in the README\'s inputs and in action.yml', () => {
  const inputs = readme.split('\n## Inputs\n')[1]?.split('\n## ')[0] ?? ''
  const description = action.inputs.output?.description ?? ''
  for (const format of OUTPUT_FORMATS) {
    expect(inputs).toContain(`\`${format}\``)
    expect(description).toMatch(new RegExp(`\\b${format}\\b(?!-)`))
  }
})

it('the README fits on a screen: at most 20 KB, the details in docs/', () => {
  expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000)
})
