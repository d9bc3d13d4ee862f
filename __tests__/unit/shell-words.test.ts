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
    ['$HOME', ['$HOME']],
    ['$(rm -rf /)', ['$(rm', '-rf', '/)']],
    ['`id`', ['`id`']],
    ['*.yaml ~/x', ['*.yaml', '~/x']],
    ['a;b|c&&d>e', ['a;b|c&&d>e']],
    ['#comment', ['#comment']]
  ])('expands and runs nothing: %j gives %j', (text, expected) => {
    expect(words(text)).toEqual(expected)
  })

  it.each([
    ['a\nb', ['a', 'b']],
    ['a\r\nb', ['a', 'b']],
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

  it('splits text without quotes or backslashes on whitespace, and only there', () => {
    const plain = fc.string({ unit: 'binary', maxLength: 40 }).filter(t => !/["'\\]/.test(t))
    fc.assert(
      fc.property(plain, text => {
        expect(words(text)).toEqual(text.split(/\s+/).filter(w => w !== ''))
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
