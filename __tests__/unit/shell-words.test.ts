import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { splitShellWords } from '../../src/shell-words.js'

function words(text: string): string[] {
  const result = splitShellWords(text)
  if ('error' in result)
    throw new Error(`unexpected error for ${JSON.stringify(text)}: ${result.error}`)
  return result.words
}

describe('splitShellWords', () => {
  it.each([
    ['', []],
    ['   \t\n ', []],
    ['docker image alpine:3.20', ['docker', 'image', 'alpine:3.20']],
    ['  a   b  ', ['a', 'b']],
    ['"a b" c', ['a b', 'c']],
    ["'a b' c", ['a b', 'c']],
    [`'say "hi"'`, ['say "hi"']],
    [`"it's"`, ["it's"]],
    ['a\\ b', ['a b']],
    ['\\"a', ['"a']],
    ['\\\\', ['\\']],
    ['"a\\"b"', ['a"b']],
    ['"a\\\\b"', ['a\\b']],
    ['"\\$HOME \\`id\\`"', ['$HOME `id`']],
    ['"a\\nb"', ['a\\nb']],
    ["'a\\b'", ['a\\b']],
    ["'a\\'", ['a\\']],
    ["''", ['']],
    ['""', ['']],
    ["a '' b", ['a', '', 'b']],
    ['a""b', ['ab']],
    ["a'b c'd", ['ab cd']],
    ["--var 'a=it'\\''s'", ['--var', "a=it's"]]
  ])('splits %j into %j', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it.each([
    ['*.yaml ?x [ab]', ['*.yaml', '?x', '[ab]']],
    ['a~ b=~/x', ['a~', 'b=~/x']],
    ['{a,b} !x', ['{a,b}', '!x']],
    ["'$HOME' \\$x '`id`' 'a;b|c&&d>e'", ['$HOME', '$x', '`id`', 'a;b|c&&d>e']],
    ['"~" \\~', ['~', '~']]
  ])('expands nothing it accepts: %j gives %j', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it.each([
    ['fs . # scan the repo', ['fs', '.']],
    ['#comment', []],
    ['a#b', ['a#b']],
    ["''#b", ['#b']],
    ['a # one\nb # two', ['a', 'b']],
    ['"#" \\#', ['#', '#']]
  ])('treats # at the start of a word as a comment, as sh does: %j gives %j', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it.each([
    ['a\u00a0b', ['a\u00a0b']],
    ['a\u2028b', ['a\u2028b']],
    ['a\rb', ['a\rb']],
    ['a\u3000b\u2003c', ['a\u3000b\u2003c']]
  ])('splits only on space, tab and newline: %j stays %j', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it.each([
    ['$HOME', '"$"'],
    ['$(rm -rf /)', '"$"'],
    ['`id`', '"`"'],
    ['a;b', '";"'],
    ['a|b', '"|"'],
    ['a && b', '"&"'],
    ['a > b', '">"'],
    ['a <b', '"<"'],
    ['(a)', '"("'],
    ['"$HOME"', 'double-quoted "$"'],
    ['"`id`"', 'double-quoted "`"'],
    ['~/x', '"~"']
  ])('refuses %j, naming %s', (text, what) => {
    const result = splitShellWords(text)
    expect('error' in result && result.error).toContain(what)
  })

  it.each([
    ['a\nb', ['a', 'b']],
    ['a\r\nb', ['a\r', 'b']],
    ['a \\\nb', ['a', 'b']],
    ['a\\\nb', ['ab']],
    ['\\\n', []],
    ['"a\nb"', ['a\nb']],
    ["'a\nb'", ['a\nb']]
  ])('handles line breaks in %j as a shell does', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it('removes a backslash-newline inside double quotes, as sh does', () => {
    expect(words('"a\\\nb"')).toEqual(['ab'])
  })

  it.each([
    ['"a', 'has an unclosed double quote'],
    ["'a", 'has an unclosed single quote'],
    ['a "b c', 'has an unclosed double quote'],
    ['"a\\"', 'has an unclosed double quote'],
    ["'a'\\''", 'has an unclosed single quote'],
    ['a\\', 'ends with a lone backslash'],
    ['"a" \\', 'ends with a lone backslash']
  ])('refuses %j: it %s', (text, error) => {
    expect(splitShellWords(text)).toEqual({ error })
  })
})

/** Quotes a word for sh in single quotes; a ' inside becomes '\''. */
function singleQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`
}

/** Quotes a word for sh in double quotes, escaping the four characters special inside them. */
function doubleQuote(word: string): string {
  return `"${word.replace(/["\\$`]/g, ch => `\\${ch}`)}"`
}

const tricky = fc.constantFrom(' ', '\t', '\n', '\r', '"', "'", '\\', '$', '`', 'a', 'é', '😀', '')
const word = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: tricky, maxLength: 12 })
)

describe('splitShellWords properties', () => {
  it('gives back any words quoted in single quotes and joined with spaces', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), list => {
        expect(words(list.map(singleQuote).join(' '))).toEqual(list)
      }),
      { numRuns: 300 }
    )
  })

  it('gives back any words quoted in double quotes and joined with line breaks', () => {
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), list => {
        expect(words(list.map(doubleQuote).join('\n'))).toEqual(list)
      }),
      { numRuns: 300 }
    )
  })

  it('splits text without quotes, backslashes, comments or operators on space, tab and newline only', () => {
    const plain = fc
      .string({ unit: 'binary', maxLength: 40 })
      .filter(t => !/["'\\#$`;|&<>()~]/.test(t))
    fc.assert(
      fc.property(plain, text => {
        expect(words(text)).toEqual(text.split(/[ \t\n]+/).filter(w => w !== ''))
      }),
      { numRuns: 300 }
    )
  })

  it('never throws: any text gives words or an error', () => {
    fc.assert(
      fc.property(fc.string({ unit: tricky, maxLength: 30 }), text => {
        const result = splitShellWords(text)
        expect('words' in result || typeof result.error === 'string').toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})
