import { describe, expect, it } from '@jest/globals'
import { checkCounts, failingChecks, worstSeverity } from '../../src/scan/findings.js'
import { readReport } from '../../src/scan/read-report.js'
import { fixture } from './sarif-fixtures.js'

const rich = () => readReport(fixture('rich'), { workspace: '/ws' })

describe('failing checks, counted once', () => {
  it('one entry per asset and check, with every location; highest risk first', () => {
    const checks = failingChecks(rich().assets)
    expect(checks.map(c => [c.asset, c.ruleId, c.locations.length])).toEqual([
      ['infra', 'terraform-aws-s3-encryption', 2],
      ['infra', 'terraform-no-public-ingress', expect.any(Number)],
      ['runner', 'os-ssh-root', 0]
    ])
    expect(checks.length).toBe(checkCounts(rich()).failed)
  })

  it('the worst severity covers vulnerable packages as well as checks', () => {
    expect(worstSeverity(rich())).toEqual({
      severity: 'CRITICAL',
      what: 'vulnerable package openssl'
    })
    const noPackages = rich()
    for (const a of noPackages.assets) a.packages = []
    expect(worstSeverity(noPackages)).toEqual({
      severity: 'HIGH',
      what: 'check "Ensure S3 buckets are encrypted"'
    })
  })
})
