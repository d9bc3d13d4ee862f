// `npm run pictures`: docs/images/summary.png and log.png from a real sandbox run, so the
// README's pictures cannot drift from the code. It writes the pages it rendered beside them
// (summary.html, log.html) and pictures.json, the SHA-256 of each page and of the picture made
// from it; __tests__/e2e/pictures.test.ts re-renders the pages and checks all of it, without a
// browser. Needs Debian's chromium (and fonts-noto-color-emoji for the marks):
//   apt-get install -y chromium fonts-noto-color-emoji
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { picturePages } from './picture-pages.js'
import { ROOT, removeTempDirs, tempDir } from './runner.js'

export const IMAGES = join(ROOT, 'docs', 'images')
const WIDTH = { summary: 1000, log: 1000 }
const SCALE = '2'

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

function chromium(): string {
  const found = ['chromium', 'chromium-browser', 'google-chrome']
    .map(name => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim())
    .find(Boolean)
  if (!found)
    throw new Error('No Chromium found: apt-get install -y chromium fonts-noto-color-emoji')
  return found
}

/** Headless Chromium, offline and with a fresh profile each time. */
function browse(args: string[]): string {
  const run = spawnSync(
    chromium(),
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${tempDir('cnspec-chromium')}`,
      ...args
    ],
    { encoding: 'utf8', timeout: 120000 }
  )
  if (run.status !== 0) throw new Error(`chromium failed (${run.status}): ${run.stderr}`)
  return run.stdout
}

/** The page's height at this width: a copy of it reports its own height in its title. */
function heightOf(page: string, width: number): number {
  const probe = join(tempDir('cnspec-picture'), 'probe.html')
  writeFileSync(
    probe,
    page.replace(
      '</body>',
      '<script>document.title = String(Math.ceil(document.body.getBoundingClientRect().height))</script></body>'
    )
  )
  const dom = browse([`--window-size=${width},100`, '--dump-dom', pathToFileURL(probe).href])
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1])
  if (!height) throw new Error('chromium did not report the page height')
  return height
}

function screenshot(html: string, png: string, width: number): void {
  const height = heightOf(readFileSync(html, 'utf8'), width)
  browse([
    `--window-size=${width},${height}`,
    `--force-device-scale-factor=${SCALE}`,
    `--screenshot=${png}`,
    pathToFileURL(html).href
  ])
  if (!existsSync(png)) throw new Error(`chromium wrote no ${png}`)
}

async function main(): Promise<void> {
  const pages = await picturePages()
  if (pages.leaks.length) throw new Error(`the run leaked secrets: ${pages.leaks.join(', ')}`)
  const manifest: Record<string, string> = {}
  try {
    for (const name of ['summary', 'log'] as const) {
      const html = join(IMAGES, `${name}.html`)
      const png = join(IMAGES, `${name}.png`)
      writeFileSync(html, pages[name])
      screenshot(html, png, WIDTH[name])
      manifest[`${name}.html`] = sha256(pages[name])
      manifest[`${name}.png`] = sha256(readFileSync(png))
      console.log(`${png} (from ${html})`)
    }
  } finally {
    removeTempDirs()
  }
  writeFileSync(join(IMAGES, 'pictures.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}

await main()
