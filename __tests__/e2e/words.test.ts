import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { callLog, cnspecCalls, errorOf, harness, type Harness } from '../helpers.js'

let h: Harness
beforeAll(async () => {
  h = await harness()
})
afterAll(async () => h.sandbox.close())
beforeEach(() => h.sandbox.reset())

describe('target and args are split as POSIX sh splits them', () => {
  it('a # comment ends the words, and NBSP or U+2028 do not split them', async () => {
    const calls = callLog()
    const result = await h.run({
      inputs: {
        status: 'false',
        target: 'fs . # scan the repo',
        args: '--annotation team=a\u00a0b\n--annotation note=c\u2028d # why'
      },
      env: { CNSPEC_STANDIN_LOG: calls }
    })
    expect(errorOf(result)).toBe('')
    const scan = cnspecCalls(calls).find(call => call.argv[0] === 'scan')
    expect(scan?.argv.slice(0, 3)).toEqual(['scan', 'fs', '.'])
    expect(scan?.argv.slice(-4)).toEqual([
      '--annotation',
      'team=a\u00a0b',
      '--annotation',
      'note=c\u2028d'
    ])
  })

  it.each([
    ['args', '--annotation owner=$GITHUB_ACTOR', '"$"'],
    ['args', '--annotation x=y; rm -rf /', '";"'],
    ['target', 'docker image `cat image.txt`', '"`"'],
    ['target', 'fs . > out.txt', '">"']
  ])('refuses %s %j before any request, naming the input and %s', async (input, value, what) => {
    const result = await h.run({ inputs: { [input]: value } })
    expect(result.exitCode).toBe(1)
    expect(errorOf(result)).toContain(`Input "${input}" has an unquoted ${what}`)
    expect(errorOf(result)).toContain('single quotes')
    expect(h.sandbox.oidc.requests).toBe(0)
    expect(h.sandbox.releases.requests).toEqual([])
  })
})
