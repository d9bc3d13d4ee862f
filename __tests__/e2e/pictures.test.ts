// docs/images/summary.png and log.png cannot drift from the code: `npm run pictures` made
// them from pages it rendered from a real sandbox run, and recorded the SHA-256 of each page
// and picture. The same run, rendered again here without a browser, must give the same pages.
import { expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { picturePages } from '../../sandbox/picture-pages.js'
import { ROOT } from '../../sandbox/runner.js'

const IMAGES = join(ROOT, 'docs', 'images')
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const RERUN = 'docs/images is stale: run `npm run pictures` and commit docs/images.'

it("the README's pictures are made from what today's action shows", async () => {
  const pages = await picturePages()
  expect(pages.leaks).toEqual([])
  const manifest = JSON.parse(readFileSync(join(IMAGES, 'pictures.json'), 'utf8')) as Record<
    string,
    string
  >
  for (const name of ['summary', 'log'] as const) {
    const committed = readFileSync(join(IMAGES, `${name}.html`), 'utf8')
    // A plain comparison first: on a mismatch Jest shows which line of the page changed.
    expect({ page: name, html: pages[name], hint: RERUN }).toEqual({
      page: name,
      html: committed,
      hint: RERUN
    })
    expect(manifest[`${name}.html`]).toBe(sha256(committed))
    expect(manifest[`${name}.png`]).toBe(sha256(readFileSync(join(IMAGES, `${name}.png`))))
  }
  // What the pictures are for: the verdict first, the findings, the log's error.
  expect(pages.summary).toContain('<h2>❌ cnspec scan failed: risk threshold of 70 reached</h2>')
  expect(pages.log).toContain('The scan found risk at or above the risk-threshold of 70')
}, 120000)
