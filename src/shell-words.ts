/**
 * Splits a string into words the way a POSIX shell would quote them, without running a
 * shell: no variables, globs, or command substitution. Returns an error text for
 * unbalanced quotes or a trailing backslash.
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
      if (ch === '"') quote = null
      else if (ch === '\\' && text[i + 1] === '\n') i++
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) {
        word += text[++i]
      } else word += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      inWord = true
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { error: 'ends with a lone backslash' }
      const next = text[++i] as string
      if (next !== '\n') {
        word += next
        inWord = true
      }
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote) return { error: `has an unclosed ${quote === '"' ? 'double' : 'single'} quote` }
  if (inWord) words.push(word)
  return { words }
}
