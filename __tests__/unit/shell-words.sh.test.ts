import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import fc from 'fast-check'
import { splitShellWords } from '../../src/shell-words.js'
import { tempDir } from '../../sandbox/runner.js'

// Differential test: the words splitShellWords gives are the words this machine's /bin/sh
// gives for the same text in `for a in <text>`. sh only runs inputs the splitter accepts
// (every operator and expansion in them is quoted), in an empty directory, with globbing
// off (-f: the action never globs) and HOME pointing nowhere.
const cwd = tempDir('cnspec-sh-words')

function sh(text: string): { ok: true; words: string[] } | { ok: false } {
  const script = `set -f\nfor a in ${text}\ndo printf '%s\\0' "$a"; done`
  const run = spawnSync('/bin/sh', ['-c', script], {
    cwd,
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent-home' },
    encoding: 'utf8',
    timeout: 10000
  })
  if (run.status !== 0) return { ok: false }
  return { ok: true, words: run.stdout.split('\0').slice(0, -1) }
}

// Everything the splitter treats specially, the characters a shell splits on or not (NBSP,
// U+2028, CR), and characters sh would expand or run (refused by the splitter unless quoted).
const units = fc.constantFrom(
  ...['a', 'b', 'x', '-', '=', '/', ',', ':', '.', '%', 'é', '😀'],
  ...[' ', ' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\u3000'],
  ...["'", "'", '"', '"', '\\', '\\', '#', '#'],
  ...['*', '?', '[', ']', '{', '}', '!', '~'],
  ...['$', '`', ';', '|', '&', '<', '>', '(', ')']
)
const text = fc.string({ unit: units, maxLength: 24 })

describe('splitShellWords agrees with POSIX sh', () => {
  it('on any text it accepts, sh gives the same words; on an unclosed quote, sh fails too', () => {
    let compared = 0
    fc.assert(
      fc.property(text, input => {
        const ours = splitShellWords(input)
        if ('error' in ours) {
          if (/unclosed/.test(ours.error)) expect(sh(input).ok).toBe(false)
          return
        }
        const theirs = sh(input)
        // An unquoted newline ends sh's word list; what follows it is covered below.
        if (!theirs.ok && /\n/.test(input)) return
        expect(theirs).toEqual({ ok: true, words: ours.words })
        compared++
      }),
      { numRuns: 700 }
    )
    expect(compared).toBeGreaterThan(140)
    expect(readdirSync(cwd)).toEqual([])
  })

  it('across lines: the words of several lines are the words of each line, in order', () => {
    const line = fc
      .string({ unit: units, maxLength: 16 })
      .filter(l => !l.includes('\n'))
      .filter(l => {
        const ours = splitShellWords(l)
        return 'words' in ours && sh(l).ok
      })
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 4 }), lines => {
        const expected = lines.flatMap(l => {
          const result = sh(l)
          return result.ok ? result.words : []
        })
        expect(splitShellWords(lines.join('\n'))).toEqual({ words: expected })
      }),
      { numRuns: 150 }
    )
  })

  it('the words the issue reported: a comment, NBSP and U+2028', () => {
    for (const input of ['fs . # scan the repo', 'a\u00a0b c\u2028d', "'#' x#y \\# #z"]) {
      const theirs = sh(input)
      expect(theirs.ok && theirs.words).toEqual(
        (splitShellWords(input) as { words: string[] }).words
      )
    }
    expect(splitShellWords('fs . # scan the repo')).toEqual({ words: ['fs', '.'] })
  })
})
