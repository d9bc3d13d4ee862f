// SARIF reports shaped like cnspec's three generations (13.3.2 basic, 13.25 located, 13.33
// rich; shared facts, "SARIF from cnspec scan, by version"), and a checkout for their paths.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as Sarif from 'sarif'
import { tempDir } from '../../sandbox/runner.js'

export type Generation = 'basic' | 'located' | 'rich'

export function fixture(name: Generation): Sarif.Log {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/sarif/${name}.sarif.json`, import.meta.url), 'utf8')
  )
}

/** A checkout with main.tf, infra/main.tf and infra/modules/store/bucket.tf. */
export function workspace(): string {
  const root = tempDir('cnspec-ws')
  mkdirSync(join(root, 'infra', 'modules', 'store'), { recursive: true })
  writeFileSync(join(root, 'infra', 'main.tf'), '')
  writeFileSync(join(root, 'infra', 'modules', 'store', 'bucket.tf'), '')
  writeFileSync(join(root, 'main.tf'), '')
  return root
}
