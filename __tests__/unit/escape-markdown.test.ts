import { expect, it } from '@jest/globals'
import { escapeMarkdown } from '../../src/text.js'

it('keeps the HTML entities it writes whole, so an apostrophe still shows as one', () => {
  expect(escapeMarkdown("repository 'x' not found")).toBe('repository &#39;x&#39; not found')
  expect(escapeMarkdown('a & b <c> "d"')).toBe('a &amp; b &lt;c&gt; &quot;d&quot;')
})

it('still neutralises Markdown, including text that looks like an entity', () => {
  expect(escapeMarkdown('# [x](y) *z*')).toBe('&#35; &#91;x&#93;&#40;y&#41; &#42;z&#42;')
  // A literal "&#35;" in the input is escaped by escapeHtml first, so it stays text.
  expect(escapeMarkdown('&#35;')).toBe('&amp;&#35;35;')
})
