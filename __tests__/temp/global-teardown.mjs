import { readdirSync, rmSync } from 'node:fs'

/** Caches of the tools the tests start (tsx), which a clean machine recreates: not leftovers. */
const CACHES = /^tsx-/

/** Removes the tests' temp folder, and throws when the tests left anything of theirs in it. */
export function removeTempRoot(root) {
  const left = readdirSync(root).filter(name => !CACHES.test(name))
  rmSync(root, { recursive: true, force: true })
  if (left.length)
    throw new Error(
      `The tests left ${left.length} file(s) or folder(s) in the temp folder: ${left.sort().join(', ')}. ` +
        'Make them with tempDir() from sandbox/runner.ts, which every test file removes when it ends.'
    )
}

export default function teardown() {
  if (process.env.CNSPEC_TESTS_TEMP_ROOT) removeTempRoot(process.env.CNSPEC_TESTS_TEMP_ROOT)
}
