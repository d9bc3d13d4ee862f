// Every test process, and every child that inherits its environment, makes its temporary
// folders in one fresh folder of the system temp folder: global-teardown.mjs then proves the
// tests removed what they made, and removes that folder, so a run leaves the temp folder as
// it found it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cnspec-tests-'))
  process.env.CNSPEC_TESTS_TEMP_ROOT = root
  // os.tmpdir() reads these on every call; Jest's workers start after this and inherit them.
  process.env.TMPDIR = root
  process.env.TMP = root
  process.env.TEMP = root
}
