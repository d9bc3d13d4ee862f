// ESM TypeScript under Jest: ts-jest transpiles only (tsc --noEmit type-checks in CI), and
// `.js` suffixes in relative imports are mapped back to the `.ts` sources.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  // The cnspec stand-in in the sandbox's archives is a Node script with a shebang: Windows
  // cannot run it as cnspec.exe, so the end-to-end suites run on Linux and macOS only.
  testPathIgnorePatterns:
    process.platform === 'win32' ? ['/node_modules/', '/__tests__/e2e/'] : ['/node_modules/'],
  testTimeout: 60000,
  // Tests make temporary folders in a folder of their own, and must leave it empty.
  globalSetup: '<rootDir>/__tests__/temp/global-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/temp/global-teardown.mjs',
  setupFilesAfterEnv: ['<rootDir>/__tests__/temp/remove-after-each-file.ts'],
  verbose: false
}
