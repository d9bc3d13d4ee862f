// Inputs such as `target` and `args` are written the way a shell command line is, and are
// split here the way POSIX sh splits a `for a in ...` word list, without ever running a shell.
// The supported subset: single and double quotes, backslashes, `#` comments at the start of
// a word, and only space, tab and newline between words (NBSP, U+2028 and CR are ordinary
// characters, as in sh). What sh would expand or run (variables, command substitution,
// `;`, `|`, `&`, redirections, subshells, a leading `~`) is refused rather than passed on
// literally, so a word never means something other than what a reader of the workflow expects.
// Globs are not expanded: `*`, `?` and `[` stay as written.

const SEPARATOR = new Set([' ', '\t', '\n'])
/** Characters that sh treats as operators or expansions outside quotes. */
const UNQUOTED_SPECIAL = new Set(['$', '`', ';', '|', '&', '<', '>', '(', ')'])
/** Inside double quotes sh still expands these two. */
const DOUBLE_QUOTED_SPECIAL = new Set(['$', '`'])
/** After a backslash inside double quotes, only these lose their meaning (and the backslash). */
const DOUBLE_QUOTED_ESCAPABLE = new Set(['$', '`', '"', '\\'])

const QUOTE_IT =
  'this action never runs a shell, so variables, command substitution, ";", "|", "&", redirections ' +
  'and subshells are not supported; put the word in single quotes to pass it literally, or use a ${{ }} expression'

function unsupported(ch: string, where: string): { error: string } {
  return { error: `has ${where} "${ch}": ${QUOTE_IT}` }
}

/**
 * Splits text into words as POSIX sh would for the supported subset (see above). Returns an
 * error text for unbalanced quotes, a trailing backslash, or a character sh would expand.
 */
export function splitShellWords(text: string): { words: string[] } | { error: string } {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quote === "'") {
      if (ch === "'") quote = null
      else word += ch
      continue
    }
    if (quote === '"') {
      const next = text[i + 1]
      if (ch === '"') quote = null
      else if (DOUBLE_QUOTED_SPECIAL.has(ch)) return unsupported(ch, 'a double-quoted')
      else if (ch === '\\' && next === '\n') i++
      else if (ch === '\\' && next !== undefined && DOUBLE_QUOTED_ESCAPABLE.has(next)) {
        word += next
        i++
      } else word += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { error: 'ends with a lone backslash' }
      const next = text[++i] as string
      // A backslash-newline joins two lines; it is neither a character nor a separator.
      if (next !== '\n') {
        word += next
        inWord = true
      }
    } else if (SEPARATOR.has(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else if (ch === '#' && !inWord) {
      // A comment runs to the end of the line; the newline still separates words.
      const end = text.indexOf('\n', i)
      if (end < 0) break
      i = end - 1
    } else if (UNQUOTED_SPECIAL.has(ch)) {
      return unsupported(ch, 'an unquoted')
    } else if (ch === '~' && !inWord) {
      return {
        error:
          'has a word that starts with an unquoted "~", which a shell would turn into a home directory: ' +
          'write the full path, or quote the "~" to pass it literally'
      }
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) return { error: `has an unclosed ${quote === '"' ? 'double' : 'single'} quote` }
  if (inWord) words.push(word)
  return { words }
}
