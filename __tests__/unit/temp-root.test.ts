// The check that a test run leaves the temp folder as it found it (jest.config.js runs it
// after every run): it must fail on a leftover, and clean up either way.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removeTempRoot } from '../temp/global-teardown.mjs'

describe("the tests' temp folder", () => {
  it('is where os.tmpdir() points during the run', () => {
    expect(process.env.CNSPEC_TESTS_TEMP_ROOT).toBeDefined()
    expect(tmpdir()).toBe(process.env.CNSPEC_TESTS_TEMP_ROOT)
  })

  it('fails the run naming what a test left behind, and is removed all the same', () => {
    const root = mkdtempSync(join(tmpdir(), 'root-'))
    mkdirSync(join(root, 'cnspec-forgotten-abc'))
    writeFileSync(join(root, 'cnspec-org-summary.md'), '')
    mkdirSync(join(root, 'tsx-0'))
    expect(() => removeTempRoot(root)).toThrow(
      'The tests left 2 file(s) or folder(s) in the temp folder: cnspec-forgotten-abc, cnspec-org-summary.md.'
    )
    expect(existsSync(root)).toBe(false)
  })

  it('passes when only tool caches are left', () => {
    const root = mkdtempSync(join(tmpdir(), 'root-'))
    mkdirSync(join(root, 'tsx-0'))
    expect(() => removeTempRoot(root)).not.toThrow()
    expect(existsSync(root)).toBe(false)
  })
})
