// Preloaded into dist/index.js by sandbox/runner.ts (`node --import`), never by the action
// itself: it turns the suite's CNSPEC_KEYLESS_TEST_* variables into the shorter waits that
// src/net/retry.ts looks for. In a workflow those variables do nothing.
const number = name => {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : undefined
}

globalThis[Symbol.for('cnspec-keyless.test-timing')] = {
  backoffBaseMs: number('CNSPEC_KEYLESS_TEST_BACKOFF_BASE_MS'),
  requestTimeoutMs: number('CNSPEC_KEYLESS_TEST_TIMEOUT_MS')
}
