import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../sandbox/runner.js'

describe('LICENSE', () => {
  it('is the full Apache License 2.0 that package.json names', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }
    expect(pkg.license).toBe('Apache-2.0')
    expect(existsSync(join(ROOT, 'LICENSE'))).toBe(true)
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8').replace(/\s+/g, ' ')
    expect(text).toMatch(
      /^ ?Apache License Version 2\.0, January 2004 http:\/\/www\.apache\.org\/licenses\//
    )
    for (const section of [
      '1. Definitions.',
      '2. Grant of Copyright License.',
      '3. Grant of Patent License.',
      '4. Redistribution.',
      '5. Submission of Contributions.',
      '6. Trademarks.',
      '7. Disclaimer of Warranty.',
      '8. Limitation of Liability.',
      '9. Accepting Warranty or Additional Liability.',
      'END OF TERMS AND CONDITIONS'
    ])
      expect(text).toContain(section)
  })
})
