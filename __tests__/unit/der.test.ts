import { expect, it, jest } from '@jest/globals'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { selfSignedCertificate } from '../../sandbox/der.js'

// The sandbox's STS hands out these certificates; one that OpenSSL cannot parse makes the
// cnspec stand-in exit 78 and a test fail for no reason of the code under test.
it('writes a serial number OpenSSL accepts, whatever the random bytes', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
  const random = jest.spyOn(Math, 'random').mockReturnValue(0)
  try {
    const pem = selfSignedCertificate(privateKey, 'sandbox', 1)
    const certificate = new X509Certificate(pem)
    expect(certificate.checkPrivateKey(privateKey)).toBe(true)
    expect(certificate.serialNumber).toMatch(/^[0-9A-F]{16}$/)
  } finally {
    random.mockRestore()
  }
})
