import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { callLog, harness } from '../helpers.js'

describe('the test harness cleans up after itself', () => {
  it('removes every runner folder and call log when the sandbox closes', async () => {
    const h = await harness()
    const calls = callLog()
    const first = await h.run({ inputs: { status: 'false', scan: 'false' } })
    const second = await h.run({ inputs: { audience: '//captain.api.mondoo.app/spaces/nope' } })
    const dirs = [first.dirs.root, second.dirs.root, dirname(calls)]
    for (const dir of dirs) expect(existsSync(dir)).toBe(true)
    await h.sandbox.close()
    for (const dir of dirs) expect(existsSync(dir)).toBe(false)
  })
})
