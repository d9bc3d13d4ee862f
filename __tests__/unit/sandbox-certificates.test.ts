import { describe, expect, it } from '@jest/globals'
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { issue } from '../../sandbox/mondoo-sts.js'

// The sandbox's STS used to write certificate DER by hand with a random serial: about one
// credential in 220 had a non-minimal INTEGER, OpenSSL refused it, and a random end-to-end
// test failed with "exited 78 ... altered in transit". Every credential must now parse.
describe('the sandbox STS issues certificates OpenSSL accepts', () => {
  it('2,000 credentials in a row each parse with X509Certificate and match their key', async () => {
    const failures: string[] = []
    for (let i = 0; i < 2000; i++) {
      const credential = await issue('sandbox-space-123456', 'http://127.0.0.1:1', 3600, false)
      const { certificate, private_key: privateKey } = JSON.parse(credential.json) as {
        certificate: string
        private_key: string
      }
      try {
        const cert = new X509Certificate(certificate)
        if (!cert.checkPrivateKey(createPrivateKey(privateKey))) failures.push(`${i}: key mismatch`)
        if (!cert.subject.includes(credential.mrn)) failures.push(`${i}: subject ${cert.subject}`)
      } catch (error) {
        failures.push(`${i}: ${(error as Error).message}`)
      }
    }
    expect(failures).toEqual([])
  }, 120000)
})
