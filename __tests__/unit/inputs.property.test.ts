import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { ActionError } from '../../src/errors.js'
import { LOG_LEVELS, OUTPUT_FORMATS, parseInputs, type Config } from '../../src/inputs.js'
import { AUDIENCE, DEFAULTS, INPUT_NAMES, inputs, type InputName } from './inputs-fixture.js'

const RUNS = 300

/** Values that sit on the edges of the rules: near-valid, hostile, or oddly encoded. */
const TRICKY = [
  '',
  ' ',
  '\t',
  '\n',
  '\0',
  'latest',
  'LATEST',
  'v13.35.2',
  '13.35.2',
  '../x',
  '../../etc',
  '1.2',
  'latest; rm -rf /',
  'true',
  'False',
  'yes please',
  '0',
  '100',
  '101',
  '-1',
  '1.5',
  'us',
  'EU',
  'hasOwnProperty',
  'constructor',
  '__proto__',
  'Constructor',
  'toString',
  'valueOf',
  'prototype',
  'https://us.api.mondoo.com',
  'http://127.0.0.1:1',
  'http://[::1]',
  'http://localhost',
  'http://example.com',
  'https://u:p@example.com',
  'https://example.com/?q',
  'https://example.com/#f',
  'https://example.com/\u0085',
  'https://exa\u00admple.com',
  'https://xn--nxasmq6b.com',
  'file:///etc/passwd',
  'data:text/plain,hi',
  AUDIENCE,
  '//captain.api.mondoo.app/spaces/other',
  'my-space-123',
  'compact,nodata',
  'json,',
  'debug',
  'incognito',
  '"',
  "'",
  '\\',
  '"a b" \'c d\' e\\ f',
  '$(id)',
  '`id`',
  '\u2028',
  '\u00a0',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u0085',
  '\u001b[31m',
  '\u007f',
  '%00',
  '::add-mask::x',
  'a'.repeat(2048),
  'a'.repeat(2049),
  `${'a '.repeat(8192)}`,
  `${'a '.repeat(8192)}b`
]

const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map(code => String.fromCharCode(code))
const shellUnit = fc.constantFrom(' ', '\t', '\n', '\r', '"', "'", '\\', '$', 'a', 'b', '-')

/** Any string at all, weighted towards the ones most likely to slip through. */
const anyValue: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: utf16Unit, maxLength: 20 }), weight: 2 },
  { arbitrary: fc.string({ unit: shellUnit, maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom(...TRICKY), weight: 3 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 5 }))
      .chain(([a, b]) => fc.constantFrom(a + b, b + a, ` ${a} `, a.toUpperCase())),
    weight: 2
  }
)

/**
 * The control characters in a text, as code points, so a failure shows which. C0 and DEL by
 * default; C1 (U+0080-U+009F) too when asked.
 */
function controls(text: string, { c1 = false, allow = '' } = {}): number[] {
  return [...text]
    .map(ch => ch.codePointAt(0) as number)
    .filter(code => code < 32 || code === 127 || (c1 && code >= 0x80 && code <= 0x9f))
    .filter(code => !allow.includes(String.fromCodePoint(code)))
}

function expectSafeUrl(value: string, loopbackOk = true): void {
  expect(controls(value, { c1: true })).toEqual([])
  expect(value).not.toMatch(/[?#\s]|\/$/)
  const url = new URL(value)
  expect(url.username + url.password).toBe('')
  if (url.protocol === 'http:' && loopbackOk) {
    expect(url.hostname).toMatch(/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/)
  } else {
    expect(url.protocol).toBe('https:')
  }
}

function expectSaneConfig(config: Config): void {
  expectSafeUrl(config.apiEndpoint)
  expectSafeUrl(config.releasesUrl)
  if (config.issuer !== undefined) expectSafeUrl(config.issuer)
  expect(config.cnspecVersion).toMatch(/^(latest|\d+\.\d+\.\d+)$/)
  expect(config.audience).toMatch(/^\/\/[a-z0-9.-]+\/spaces\/[a-z0-9][a-z0-9-]*$/)
  expect(controls(config.idTokenAudience)).toEqual([])
  expect(config.idTokenAudience).not.toBe('')
  const words = [...config.target, ...config.args]
  expect(words.flatMap(word => controls(word, { allow: '\t\n\r' }))).toEqual([])
  expect(config.target.length).toBeGreaterThan(0)
  expect(OUTPUT_FORMATS).toContain(config.output.split(',')[0])
  expect(LOG_LEVELS).toContain(config.logLevel)
  expect(['fail', 'incognito']).toContain(config.onMissingIdToken)
  for (const flag of [config.exportCredentials, config.status, config.scan]) {
    expect(typeof flag).toBe('boolean')
  }
  if (config.riskThreshold !== undefined) {
    expect(Number.isInteger(config.riskThreshold)).toBe(true)
    expect(config.riskThreshold).toBeGreaterThanOrEqual(0)
    expect(config.riskThreshold).toBeLessThanOrEqual(100)
  }
}

/** The one input a message blames; the audience/space-id clash names both, "audience" first. */
function blames(message: string, name: InputName): boolean {
  return (
    message.startsWith(`Input "${name}" `) ||
    (name === 'space-id' && /^Input "audience" .* and input "space-id" /.test(message))
  )
}

describe('parseInputs with any value in one input', () => {
  it.each(INPUT_NAMES)('%s: returns a sane Config or throws an ActionError that names it', name => {
    fc.assert(
      fc.property(anyValue, value => {
        let config: Config
        try {
          config = parseInputs(inputs({ [name]: value }))
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError)
          const message = (error as ActionError).message
          expect(blames(message, name)).toBe(true)
          // One bad input: one line, no control characters a log could interpret.
          expect(controls(message)).toEqual([])
          expect(message.length).toBeLessThan(600)
          return
        }
        expectSaneConfig(config)
      }),
      { numRuns: RUNS }
    )
  })

  it('with any values in several inputs: a sane Config, or one ActionError naming each bad input and only those', () => {
    // Mostly the defaults, so that one, a few or no inputs are bad in each run.
    const record = fc.record(
      Object.fromEntries(
        INPUT_NAMES.map(name => [
          name,
          fc.oneof(
            { arbitrary: fc.constant(DEFAULTS[name]), weight: 5 },
            { arbitrary: anyValue, weight: 1 }
          )
        ])
      ) as Record<InputName, fc.Arbitrary<string>>
    )
    fc.assert(
      fc.property(record, values => {
        let config: Config
        try {
          config = parseInputs(inputs(values))
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError)
          const lines = (error as ActionError).message.split('\n')
          const problems = lines.length > 1 ? lines.slice(1) : lines
          if (lines.length > 1) expect(lines[0]).toBe(`${problems.length} inputs need fixing:`)
          const blamed = problems.map(line => /^(?:- )?Input "([a-z-]+)" /.exec(line)?.[1])
          expect(new Set(blamed).size).toBe(blamed.length)
          for (const name of blamed) {
            expect(INPUT_NAMES).toContain(name)
            const changed = values[name as InputName] !== DEFAULTS[name as InputName]
            // A clash of audience and space-id blames "audience" when only space-id changed.
            expect(changed || (name === 'audience' && values['space-id'] !== '')).toBe(true)
          }
          return
        }
        expectSaneConfig(config)
      }),
      { numRuns: RUNS }
    )
  })
})
