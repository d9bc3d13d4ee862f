import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { ORGANISATION_TRUST, ROLL_NEW_VERSION } from '../src/sign-in/claims.js'
import { ROOT } from '../sandbox/runner.js'

const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter(name => name.endsWith('.md'))
    .map(name => `docs/${name}`)
]
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8')

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const result = new Set<string>()
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '')
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    result.add(count ? `${base}-${count}` : base)
  }
  return result
}

/** Relative links and images of a Markdown file, as [target file, anchor]. */
function links(file: string): Array<[string, string]> {
  const text = read(file).replace(/^ *```[\s\S]*?^ *```/gm, '')
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(m => m[1]!)
    .filter(target => !/^[a-z]+:/i.test(target))
    .map(target => {
      const [path, anchor = ''] = target.split('#')
      return [path ? normalize(join(dirname(file), path!)) : file, anchor]
    })
}

describe('links in the README and docs/', () => {
  it.each(DOCUMENTS)('every relative link of %s names a file and heading that exist', file => {
    const broken = links(file).filter(([target, anchor]) => {
      if (!existsSync(join(ROOT, target))) return true
      return anchor !== '' && target.endsWith('.md') && !anchors(read(target)).has(anchor)
    })
    expect(broken).toEqual([])
  })

  it('the documentation the action’s errors point at exists', () => {
    const guide = anchors(read('docs/ORGANISATIONS.md'))
    for (const url of [ORGANISATION_TRUST, ROLL_NEW_VERSION]) {
      expect(url).toMatch(/\/blob\/main\/docs\/ORGANISATIONS\.md#/)
      expect(guide).toContain(url.split('#')[1])
    }
  })
})

describe('the README’s use cases', () => {
  const readme = read('README.md')
  const useCases = (readme.split('\n## Use cases\n')[1] ?? '').split('\n## ')[0]!.split('\n### ')
  const sections = useCases.slice(1).map(section => {
    const [heading, ...body] = section.split('\n')
    return { heading: heading!, body: body.join('\n') }
  })

  it('has a heading for each, in the contents list', () => {
    expect(sections.map(s => s.heading)).toEqual([
      'Scan the repository files',
      'Scan a container image',
      'Scan Kubernetes manifests',
      'Scan a Terraform plan',
      'Findings in GitHub code scanning',
      'Secretless mode',
      'A matrix across repositories',
      'The whole organisation'
    ])
    const contents = readme.split('\n## ')[0]!
    for (const { heading } of sections)
      expect(contents).toContain(`(#${[...anchors(`# ${heading}`)][0]})`)
  })

  it('each shows a complete workflow, or the quick start’s, and links its example', () => {
    for (const { heading, body } of sections) {
      const workflow = /```yaml\n(name: .*\n)?on:/.test(body) || /the quick start/.test(body)
      expect([heading, workflow]).toEqual([heading, true])
      expect([heading, /\]\(examples\/[^)]+\.yml\)/.test(body)]).toEqual([heading, true])
    }
  })

  it('code scanning fails the job after the upload, as its example does', () => {
    const section = sections.find(s => s.heading === 'Findings in GitHub code scanning')!.body
    expect(section).toContain('continue-on-error: true')
    expect(section).toMatch(/- if: steps\.cnspec\.outcome == 'failure'\n\s+run: \|[\s\S]*exit 1/)
    expect(read('examples/sarif-code-scanning.yml')).toContain(
      "if: steps.cnspec.outcome == 'failure'"
    )
  })

  it('the matrix use case links the example that has a matrix', () => {
    const section = sections.find(s => s.heading === 'A matrix across repositories')!.body
    expect(section).toContain('(examples/scan-org-repositories-matrix.yml)')
    expect(read('examples/scan-org-repositories-matrix.yml')).toMatch(/matrix:/)
  })
})
