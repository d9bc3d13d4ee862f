import { expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../sandbox/runner.js'

it('every example the README links exists, and the matrix example is the matrix one', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const links = [...readme.matchAll(/\]\((examples\/[^)]+)\)/g)].map(m => m[1] as string)
  expect(links.length).toBeGreaterThan(0)
  for (const link of links) expect(existsSync(join(ROOT, link))).toBe(true)
  // The sentence that mentions a matrix links the file that has one.
  const matrixLine = readme
    .split('\n\n')
    .find(paragraph => /with a matrix/.test(paragraph) && /examples\//.test(paragraph))
  expect(matrixLine).toContain('(examples/scan-org-repositories-matrix.yml)')
  expect(readFileSync(join(ROOT, 'examples/scan-org-repositories-matrix.yml'), 'utf8')).toMatch(
    /matrix:/
  )
})
