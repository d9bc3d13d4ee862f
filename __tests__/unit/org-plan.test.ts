import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { MATRIX_LIMIT, splitIntoBatches } from '../../src/org/batches.js'
import { parseSelection } from '../../src/org/inputs.js'
import { matrixOf } from '../../src/org/plan.js'
import { fromApi, type ListedRepository } from '../../src/org/repository.js'
import { nameMatcher, selectRepositories, type Selection } from '../../src/org/select.js'

const repo = (name: string, extra: Partial<ListedRepository> = {}): ListedRepository => ({
  fullName: `acme/${name}`,
  name,
  archived: false,
  fork: false,
  empty: false,
  topics: [],
  visibility: 'public',
  ...extra
})
const ALL: Selection = {
  include: [],
  exclude: [],
  topics: [],
  visibility: [],
  archived: false,
  forks: false,
  empty: false
}

describe('splitIntoBatches', () => {
  it('puts every repository in exactly one batch, at most 256 batches, sizes within one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 1, max: MATRIX_LIMIT }),
        (n, maxJobs) => {
          const names = Array.from({ length: n }, (_, i) => `acme/r${i}`)
          const batches = splitIntoBatches(names, maxJobs)
          expect(batches.length).toBe(Math.min(n, maxJobs))
          expect(batches.flatMap(b => b.repositories)).toEqual(names)
          if (n) {
            const sizes = batches.map(b => b.repositories.length)
            expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
            expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1)
          }
          expect(new Set(batches.map(b => b.id)).size).toBe(batches.length)
        }
      ),
      { numRuns: 200 }
    )
  })

  it('gives one repository per job while that fits', () => {
    expect(splitIntoBatches(['acme/a', 'acme/b']).map(b => b.repositories)).toEqual([
      ['acme/a'],
      ['acme/b']
    ])
    expect(splitIntoBatches(Array.from({ length: 257 }, (_, i) => `acme/r${i}`))).toHaveLength(256)
  })

  it('refuses a job count GitHub would not run', () => {
    expect(() => splitIntoBatches(['acme/a'], 257)).toThrow('maxJobs must be 1–256')
    expect(() => splitIntoBatches(['acme/a'], 0)).toThrow()
  })
})

describe('selectRepositories', () => {
  it('skips archived, forks and empty repositories by default, and counts why', () => {
    const listed = [
      repo('a'),
      repo('b', { archived: true }),
      repo('c', { fork: true }),
      repo('d', { empty: true }),
      repo('A') // the same repository twice (a page that shifted while it was read)
    ]
    const { repositories, skipped } = selectRepositories(listed, ALL)
    expect(repositories.map(r => r.name)).toEqual(['a'])
    expect(skipped).toMatchObject({ archived: 1, fork: 1, empty: 1 })
    const everything = selectRepositories(listed, {
      ...ALL,
      archived: true,
      forks: true,
      empty: true
    })
    expect(everything.repositories).toHaveLength(4)
  })

  it('filters by name patterns, topics and visibility', () => {
    const listed = [
      repo('api-gateway', { topics: ['web'] }),
      repo('api-legacy', { topics: ['web'] }),
      repo('infra', { topics: ['terraform'], visibility: 'internal' }),
      repo('docs', { visibility: 'private' })
    ]
    const pick = (selection: Partial<Selection>) =>
      selectRepositories(listed, { ...ALL, ...selection }).repositories.map(r => r.name)
    expect(pick({ include: ['api-*'], exclude: ['*legacy'] })).toEqual(['api-gateway'])
    expect(pick({ topics: ['terraform', 'web'] })).toEqual(['api-gateway', 'api-legacy', 'infra'])
    expect(pick({ visibility: ['private', 'internal'] })).toEqual(['docs', 'infra'])
    expect(pick({ include: ['ACME/DOC?'] })).toEqual(['docs'])
  })

  it('treats pattern characters other than * and ? literally', () => {
    expect(nameMatcher('a.b')(repo('a.b'))).toBe(true)
    expect(nameMatcher('a.b')(repo('axb'))).toBe(false)
    expect(nameMatcher('(a|b)')(repo('a'))).toBe(false)
  })
})

describe('inputs and matrix', () => {
  it('reads the filters, and reports every bad one at once', () => {
    const get = (values: Record<string, string>) => (name: string) => values[name] ?? ''
    expect(
      parseSelection(get({ include: 'api-*\nweb', topics: 'Infra', 'include-forks': 'true' }))
    ).toEqual({
      ...ALL,
      include: ['api-*', 'web'],
      topics: ['infra'],
      forks: true
    })
    expect(() => parseSelection(get({ include: 'a b', visibility: 'secret' }))).toThrow(
      /2 inputs need fixing/
    )
  })

  it('maps API objects, including older ones without visibility', () => {
    expect(
      fromApi({
        name: 'x',
        full_name: 'acme/x',
        private: true,
        size: 0,
        topics: ['Web'],
        disabled: true
      })
    ).toEqual({
      fullName: 'acme/x',
      name: 'x',
      archived: true,
      fork: false,
      empty: true,
      topics: ['web'],
      visibility: 'private'
    })
  })

  it('names a job by its repository, or by its batch and range', () => {
    const plan = {
      organisation: 'acme',
      startedAt: '',
      listed: 3,
      skipped: { archived: 0, fork: 0, empty: 0, visibility: 0, topic: 0, name: 0 },
      repositories: [],
      batches: [
        { id: '1', repositories: ['acme/a'] },
        { id: '2', repositories: ['acme/b', 'acme/c'] }
      ]
    }
    expect(matrixOf(plan).include).toEqual([
      { batch: '1', name: 'a', repositories: 'a' },
      { batch: '2', name: 'batch 2: 2 repositories (b … c)', repositories: 'b,c' }
    ])
  })
})
