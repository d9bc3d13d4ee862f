import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { escapeHtmlCell, lineWriter, logSafe, logSafeArgv } from '../../src/text.js'

/** Lines the runner would read as workflow commands: it splits on CR as well as LF. */
const commands = (text: string): string[] =>
  text.split(/\r\n|\r|\n/).filter(line => /^\s*::/.test(line))

describe('logSafeArgv', () => {
  it('prints each word JSON-quoted on one line', () => {
    expect(logSafeArgv(['/bin/cnspec', 'scan', 'a b', 'x\n::add-mask::y', 'c\rd', '"q"'])).toBe(
      '"/bin/cnspec" "scan" "a b" "x\\n::add-mask::y" "c\\rd" "\\"q\\""'
    )
  })

  it('never yields a line the runner would obey, whatever the words', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 12 }), { maxLength: 6 }),
        argv => {
          const line = logSafeArgv(argv)
          expect(line.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/)).toHaveLength(1)
          expect(commands(line)).toEqual([])
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('lineWriter', () => {
  it('cuts a stream into inert lines, wherever the chunks break', () => {
    const text = 'first\n::warning::from cnspec\nlone\r::error::cr\r\nlast without newline'
    fc.assert(
      fc.property(fc.array(fc.nat(text.length), { maxLength: 5 }), cuts => {
        const lines: string[] = []
        const writer = lineWriter(line => lines.push(line))
        let at = 0
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          writer.push(text.slice(at, cut))
          at = cut
        }
        writer.push(text.slice(at))
        writer.end()
        expect(lines).toEqual([
          'first',
          ': :warning::from cnspec',
          'lone\\r::error::cr',
          'last without newline'
        ])
      }),
      { numRuns: 200 }
    )
  })
})

describe('escapeHtmlCell', () => {
  it('keeps a cell on one line with nothing that renders', () => {
    expect(escapeHtmlCell('a\n\n| b |\n<img src=x>')).toBe('a\\n\\n| b |\\n&lt;img src=x&gt;')
    expect(logSafe('::set-env name=x::y')).toBe(': :set-env name=x::y')
    // The runner's legacy syntax is obeyed anywhere in a line, not only at its start.
    expect(logSafe('asset ##[stop-commands]x')).not.toContain('##[')
    expect(logSafe('##[set-output name=a;]b ##[add-mask]c')).not.toMatch(/##\[/)
  })
})
