import { describe, expect, it } from '@jest/globals'
import { parseInputs, type Config } from '../../src/inputs.js'
import {
  effectiveThreshold,
  scanArgs,
  scanMode,
  scannedPath,
  versionAtLeast
} from '../../src/scan/scan-args.js'
import { inputs } from './inputs-fixture.js'

const config = (overrides: Record<string, string> = {}): Config => parseInputs(inputs(overrides))

describe('scanMode', () => {
  it.each(['compact', 'full', 'summary', 'compact,nodata'])(
    'output %p: the action reads SARIF and renders the view itself',
    output => {
      expect(scanMode(config({ output }), '13.35.2')).toEqual({
        kind: 'sarif',
        view: output.split(',')[0]
      })
    }
  )

  it.each(['json', 'yaml', 'junit', 'sarif', 'report'])('output %p: passed through', output => {
    expect(scanMode(config({ output }), '13.35.2')).toMatchObject({ kind: 'pass-through' })
  })

  it.each([
    ['-o json', '-o'],
    ['-ojson', '-o'],
    ['--output=yaml', '--output'],
    ['--output-target r.json', '--output-target'],
    ['--json', '--json']
  ])('args %p: passed through, naming the flag', (args, flag) => {
    expect(scanMode(config({ args }), '13.35.2')).toEqual({
      kind: 'pass-through',
      reason: `"args" sets ${flag}`
    })
  })

  it('cnspec older than 13.3.2: passed through, naming the version that adds SARIF', () => {
    expect(scanMode(config(), '13.2.0')).toEqual({
      kind: 'pass-through',
      reason: 'cnspec 13.2.0 cannot write SARIF (13.3.2 adds it)'
    })
    expect(scanMode(config(), '13.3.2').kind).toBe('sarif')
  })
})

describe('versionAtLeast', () => {
  it.each([
    ['13.3.2', '13.3.2', true],
    ['13.3.10', '13.3.2', true],
    ['13.10.0', '13.3.2', true],
    ['v14.0.0', '13.33.0', true],
    ['13.3.1', '13.3.2', false],
    ['12.99.99', '13.3.2', false],
    ['13.33.0-rc1', '13.33.0', true]
  ])('%s ≥ %s: %p', (a, b, expected) => {
    expect(versionAtLeast(a, b)).toBe(expected)
  })
})

describe('effectiveThreshold', () => {
  it.each([
    [{}, undefined],
    [{ 'risk-threshold': '70' }, 70],
    [{ args: '--risk-threshold 40' }, 40],
    [{ args: '--risk-threshold=40' }, 40],
    [{ 'risk-threshold': '70', args: '--risk-threshold 40' }, 40],
    [{ args: '--risk-threshold 40 --risk-threshold 60' }, 60],
    [{ args: '--score-threshold 50' }, 51],
    [{ args: '--risk-threshold 90 --score-threshold 50' }, 51],
    [{ args: '--risk-threshold 101' }, undefined]
  ])('%p → %p', (overrides, expected) => {
    expect(effectiveThreshold(config(overrides as Record<string, string>))?.value).toBe(expected)
  })

  // cnspec's precedence: a flag wins over its variable; the score threshold lowers the risk one.
  it.each([
    [
      {},
      { risk: 30 },
      { value: 30, from: "set by MONDOO_RISK_THRESHOLD in the job's environment" }
    ],
    [{ 'risk-threshold': '70' }, { risk: 30 }, { value: 70 }],
    [{ args: '--risk-threshold 60' }, { risk: 30 }, { value: 60 }],
    [
      { 'risk-threshold': '70' },
      { score: 50 },
      { value: 51, from: expect.stringContaining('MONDOO_SCORE_THRESHOLD=50') }
    ],
    [{ args: '--score-threshold 20' }, { score: 50 }, { value: 81 }],
    [{}, { risk: 101 }, undefined],
    [{}, { score: 0 }, undefined]
  ])("%p with the job's %p → %p", (overrides, envThresholds, expected) => {
    const threshold = effectiveThreshold({
      ...config(overrides as Record<string, string>),
      envThresholds
    })
    expect(threshold).toEqual(expected)
  })
})

describe('scannedPath', () => {
  it.each([
    [['local'], undefined],
    [['fs', '.'], '.'],
    [['fs', './infra'], './infra'],
    [['terraform', './infra'], './infra'],
    [['terraform', 'plan', 'plan.json'], 'plan.json'],
    [['terraform', 'plan'], undefined],
    [['k8s', 'manifests/'], 'manifests/'],
    [['docker', 'image', 'alpine'], undefined],
    [['docker', 'file', 'Dockerfile'], 'Dockerfile']
  ])('%p → %p', (target, expected) => {
    expect(scannedPath(target)).toBe(expected)
  })
})

describe('scanArgs', () => {
  const CONFIG = config()

  it('passes target words, -o, --log-level, --risk-threshold, --incognito and args, in that order', () => {
    const config = {
      ...CONFIG,
      target: ['docker', 'image', 'alpine:3.20'],
      output: 'json,nodata',
      logLevel: 'debug',
      riskThreshold: 0,
      args: ['--annotation', 'team=platform ops', '--risk-threshold', '90']
    }
    expect(scanArgs(config, true)).toEqual([
      'scan',
      'docker',
      'image',
      'alpine:3.20',
      '-o',
      'json,nodata',
      '--log-level',
      'debug',
      '--risk-threshold',
      '0',
      '--incognito',
      '--annotation',
      'team=platform ops',
      '--risk-threshold',
      '90'
    ])
  })

  it('leaves out --risk-threshold and --incognito when not asked for', () => {
    expect(scanArgs(CONFIG, false)).toEqual([
      'scan',
      'local',
      '-o',
      'compact',
      '--log-level',
      'info'
    ])
  })

  it('keeps each word whole, whatever characters it holds', () => {
    const config = { ...CONFIG, target: ['k8s', './my manifests; rm -rf /', '$(id)'] }
    expect(scanArgs(config, false).slice(1, 4)).toEqual([
      'k8s',
      './my manifests; rm -rf /',
      '$(id)'
    ])
  })

  it('asks for SARIF into the given file, then the user args last', () => {
    expect(
      scanArgs(
        config({ target: 'fs ./infra', 'risk-threshold': '50', args: '--asset-name x' }),
        true,
        {
          file: '/tmp/r.sarif'
        }
      )
    ).toEqual([
      'scan',
      'fs',
      './infra',
      '-o',
      'sarif',
      '--output-target',
      '/tmp/r.sarif',
      '--log-level',
      'info',
      '--risk-threshold',
      '50',
      '--incognito',
      '--asset-name',
      'x'
    ])
  })

  it('passes the output through when the user takes the report', () => {
    expect(scanArgs(config({ output: 'json' }), false)).toEqual([
      'scan',
      'local',
      '-o',
      'json',
      '--log-level',
      'info'
    ])
  })
})
