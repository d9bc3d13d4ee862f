#!/usr/bin/env node
// A stand-in for the cnspec CLI, packed into the sandbox's release archives. It behaves like
// cnspec where the action can tell: `version`, `status` (exit 0, 1 or 78) and `scan`
// (a report in the requested format, --risk-threshold, exit codes, logs on stderr), and
// like cnspec 13.35 around them: it updates itself unless told not to, downloads the
// provider a target needs from MONDOO_UPDATES_URL, and lets MONDOO_* variables override
// its configuration.
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'

const VERSION = '__VERSION__'
const argv = process.argv.slice(2)
const log = (level, text) => process.stderr.write(`${level} ${text}\n`)

if (process.env.CNSPEC_STANDIN_LOG) {
  // Lets tests see exactly which arguments arrived and whether a credential came with them.
  appendFileSync(
    process.env.CNSPEC_STANDIN_LOG,
    JSON.stringify({
      argv,
      version: VERSION,
      credential: Boolean(process.env.MONDOO_CONFIG_BASE64),
      // Whether this process could ask GitHub for an id-token (what wif mode needs).
      idTokenRequest: Boolean(
        process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
      )
    }) + '\n'
  )
}

if (process.env.CNSPEC_STANDIN_ENV_LOG) {
  // Lets tests see which variables cnspec was handed (names only, never values).
  appendFileSync(
    process.env.CNSPEC_STANDIN_ENV_LOG,
    JSON.stringify({ command: argv[0], env: Object.keys(process.env).sort() }) + '\n'
  )
}

/**
 * A configuration key as cnspec reads it: viper with the prefix "mondoo", "-" and "." as "_",
 * so every MONDOO_* variable beats the configuration (shared facts, "environment overrides").
 */
const setting = (key, fromConfig) =>
  process.env[`MONDOO_${key.toUpperCase().replace(/[-.]/g, '_')}`] ?? fromConfig
/** viper.GetInt: a value it cannot parse is 0. */
const getInt = value => (/^-?\d+$/.test(String(value ?? '').trim()) ? Number(value) : 0)
const disabled = value => value === 'false' || value === '0'

const MONDOO_HOME = join(homedir(), '.config', 'mondoo')
const DEFAULT_UPDATES_URL = 'https://releases.mondoo.com'
const updatesUrl = () => setting('updates_url') || DEFAULT_UPDATES_URL

/**
 * The sandbox never leaves loopback: Mondoo's own release server is unreachable, as on a
 * runner that can reach only a mirror, and fails the way Go's HTTP client says so.
 */
async function get(url) {
  if (url.startsWith(DEFAULT_UPDATES_URL))
    throw new Error(`Get "${url}": dial tcp: lookup releases.mondoo.com: no such host`)
  const res = await fetch(url)
  if (!res.ok) throw new Error(`unexpected status code: ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

const GO_OS = { linux: 'linux', darwin: 'darwin', win32: 'windows' }
const GO_ARCH = { x64: 'amd64', arm64: 'arm64', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' }
const goPlatform = () => `${GO_OS[process.platform]}_${GO_ARCH[process.arch] ?? process.arch}`

/** The first file of a tar.gz (cnspec's archives hold only the binary). */
function firstFile(tarGz) {
  const tar = gunzipSync(tarGz)
  const size = parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim(), 8)
  return tar.subarray(512, 512 + size)
}

function versionNewer(a, b) {
  const parts = v => String(v).replace(/^v/, '').split(/[-+]/)[0].split('.').map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) > (y[i] || 0)
  return false
}

/** Runs another cnspec with these arguments and ends with its exit code (exec). */
function execInstead(binary) {
  const run = spawnSync(binary, argv, {
    stdio: 'inherit',
    env: { ...process.env, MONDOO_AUTO_UPDATE_ENGINE: 'false' }
  })
  process.exit(run.status ?? 1)
}

/**
 * cnspec's engine self-update (mql cli/selfupdate, apps/cnspec/cnspec.go): on every command
 * but version and help, unless MONDOO_AUTO_UPDATE or MONDOO_AUTO_UPDATE_ENGINE is false or 0,
 * it runs a newer ~/.config/mondoo/bin/cnspec when there is one, else reads
 * <updates_url>/cnspec/latest.json and runs the newer build it downloads. Failures are
 * silent. Which release turned this on by default is not pinned here: the stand-in does it
 * in every version.
 */
async function selfUpdate() {
  if (['version', 'help', '--help', '-h'].includes(argv[0])) return
  if (disabled(process.env.MONDOO_AUTO_UPDATE) || disabled(process.env.MONDOO_AUTO_UPDATE_ENGINE))
    return
  const bin = join(MONDOO_HOME, 'bin', 'cnspec')
  if (existsSync(bin)) {
    const out = spawnSync(bin, ['version'], {
      env: { ...process.env, MONDOO_AUTO_UPDATE: 'false' },
      encoding: 'utf8'
    })
    if (versionNewer((out.stdout ?? '').split(/\s+/)[1], VERSION)) execInstead(bin)
  }
  try {
    const latest = JSON.parse((await get(`${updatesUrl()}/cnspec/latest.json`)).toString('utf8'))
    if (!versionNewer(latest.version, VERSION)) return
    const file = latest.files.find(f => f.filename.endsWith(`_${goPlatform()}.tar.gz`))
    const archive = await get(file.filename)
    if (file.hash && createHash('sha256').update(archive).digest('hex') !== file.hash) return
    mkdirSync(dirname(bin), { recursive: true })
    writeFileSync(bin, firstFile(archive))
    chmodSync(bin, 0o755)
    log(
      'INF',
      `new version of cnspec available, updating current=${VERSION} latest=${latest.version}`
    )
    execInstead(bin)
  } catch (error) {
    if (process.env.DEBUG) process.stderr.write(`self-update check failed: ${error.message}\n`)
  }
}

/** The provider each kind of target needs (only core, sbom, mock and recording are built in). */
const PROVIDER_OF = {
  local: 'os',
  fs: 'os',
  filesystem: 'os',
  docker: 'os',
  container: 'os',
  terraform: 'terraform',
  k8s: 'k8s',
  github: 'github',
  aws: 'aws',
  azure: 'azure',
  gcp: 'gcp'
}

/**
 * providers.EnsureProvider: an installed provider is used; a missing one is downloaded from
 * <updates_url>/providers (latest.json, then <name>/<version>/<name>_<version>_<os>_<arch>.tar.xz)
 * into PROVIDERS_PATH or ~/.config/mondoo/providers, unless auto-update is off. The stand-in's
 * provider archives hold a manifest, not a binary: nothing runs from them.
 */
async function ensureProvider(kind) {
  const name = PROVIDER_OF[kind] ?? 'os'
  const dir = process.env.PROVIDERS_PATH || join(MONDOO_HOME, 'providers')
  if (existsSync(join(dir, name, `${name}.json`))) return
  if (disabled(setting('auto_update'))) {
    log('FTL', `cannot find installed provider for ${kind}`)
    process.exit(1)
  }
  const base = `${updatesUrl()}/providers`
  try {
    const latest = JSON.parse((await get(`${base}/latest.json`)).toString('utf8'))
    const version = latest.providers?.find(p => p.name === name)?.version
    if (!version) throw new Error(`cannot determine latest version of provider '${name}'`)
    log('INF', `installing provider '${name}' version=${version}`)
    const file = `${name}_${version}_${goPlatform()}.tar.xz`
    const manifest = await get(`${base}/${name}/${version}/${file}`).catch(error => {
      throw new Error(`failed to download ${name}-${version}: ${error.message}`)
    })
    mkdirSync(join(dir, name), { recursive: true })
    writeFileSync(join(dir, name, `${name}.json`), manifest)
    log('INF', `installed provider name=${name} version=${version} path=${join(dir, name)}`)
  } catch (error) {
    log('FTL', `could not install provider '${name}' error="${error.message}"`)
    process.exit(1)
  }
}

/** A flag's value; given twice, the last one wins, as in cnspec's flag parser. */
function flag(name, short) {
  let value
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name || (short && argv[i] === short)) value = argv[i + 1]
    else if (argv[i].startsWith(`${name}=`)) value = argv[i].slice(name.length + 1)
  }
  return value
}

const atLeast = (major, minor) => {
  const [a, b] = VERSION.split('.').map(Number)
  return a > major || (a === major && b >= minor)
}
// A workload-identity configuration (type external_account) since 11.51, JWT_TOKEN since 11.61.
const WIF_SINCE = [11, 51]
const JWT_TOKEN_SINCE = [11, 61]
const wifConfig = config =>
  config?.type === 'external_account' && atLeast(...WIF_SINCE) ? config : undefined
// The credential this process got from its own exchange (wif): in memory only, never written.
let exchanged

/**
 * Where cnspec gets the subject token, in its order: the configuration's jwtToken, env
 * JWT_TOKEN, then the environment's token endpoint, chosen from issuerUri as newer cnspec
 * does (tokenauth.Resolve): GitHub Actions' (with the Mondoo audience as is, not
 * URL-encoded, reading `value`) only for an issuer containing
 * token.actions.githubusercontent.com; any other issuer is not supported. Which release
 * made that change is not pinned, so the stand-in does it in every version. (The GCP and
 * Azure sources are not played: they would leave loopback.)
 */
async function subjectToken(config) {
  if (config.jwtToken) return config.jwtToken
  if (atLeast(...JWT_TOKEN_SINCE) && process.env.JWT_TOKEN) return process.env.JWT_TOKEN
  if (!String(config.issuerUri).includes('token.actions.githubusercontent.com'))
    throw new Error(`issuer ${config.issuerUri} not supported yet`)
  const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL
  const bearer = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!url || !bearer) throw new Error('no subject token source found')
  const res = await fetch(`${url}&audience=${config.audience}`, {
    headers: { Authorization: `bearer ${bearer}` },
    // cnspec gives each probe 2 s; tests on a loaded machine may allow more.
    signal: globalThis.AbortSignal.timeout(Number(process.env.CNSPEC_STANDIN_PROBE_MS || 2000))
  })
  if (!res.ok) throw new Error(`id-token request failed status=${res.status}`)
  return (await res.json()).value
}

/** cnspec's own exchange: only audience, issuerUri and the JWT go to the STS. */
async function exchangeWif(config) {
  const endpoint = setting('universeDomain', config.universeDomain)
  const res = await fetch(`${endpoint}/SecureTokenService/ExchangeExternalToken`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'User-Agent': `cnspec/${VERSION}`
    },
    body: JSON.stringify({
      audience: setting('audience', config.audience),
      issuer_uri: setting('issuerUri', config.issuerUri),
      jwt_token: await subjectToken(config)
    })
  })
  if (!res.ok) throw new Error(`exchange failed status=${res.status}`)
  const { base64_credential: credential } = await res.json()
  return JSON.parse(Buffer.from(credential, 'base64').toString('utf8'))
}

/** Exchanges when the configuration is a wif one; true when cnspec has a credential after it. */
async function wifSignIn() {
  const config = wifConfig(readConfig())
  if (!config) return true
  try {
    exchanged = await exchangeWif(config)
    return true
  } catch (error) {
    log('ERR', `could not exchange external (wif) token error="${error.message}"`)
    return false
  }
}

/** MONDOO_CONFIG_BASE64 as cnspec reads it: a configuration it cannot decode is fatal (exit 1). */
function readConfig() {
  const raw = process.env.MONDOO_CONFIG_BASE64
  if (!raw) return undefined
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))
  } catch (error) {
    log('FTL', `could not parse base64 error="${error.message}"`)
    process.exit(1)
  }
}

/**
 * The service account cnspec signs with, each field overridable by its MONDOO_* variable:
 * undefined when there is none (not registered). A private key that cannot be loaded is
 * status's exit 78 ("invalid credentials"); a key that does not match its certificate loads,
 * and Mondoo rejects what it signs (`unauthenticated`).
 */
function loadCredential() {
  const read = readConfig()
  if (!read) return undefined
  const config = wifConfig(read) ? exchanged : read
  if (!config) return undefined
  const credential = {
    ...config,
    mrn: setting('mrn', config.mrn),
    space_mrn: setting('space_mrn', config.space_mrn),
    private_key: setting('private_key', config.private_key),
    certificate: setting('certificate', config.certificate),
    api_endpoint: setting('api_endpoint', config.api_endpoint) || 'https://us.api.mondoo.com'
  }
  if (!credential.mrn) return undefined
  if (credential.private_key) {
    let key
    try {
      key = createPrivateKey(credential.private_key)
    } catch (error) {
      log('FTL', `invalid credentials error="${error.message}"`)
      process.exit(78)
    }
    try {
      credential.unauthenticated = !new X509Certificate(credential.certificate).checkPrivateKey(key)
    } catch {
      credential.unauthenticated = true
    }
  }
  return credential
}

async function status() {
  await wifSignIn()
  const config = loadCredential()
  process.stdout.write(`Client:\tcnspec ${VERSION}\n`)
  if (!config) {
    log('ERR', 'client is not registered')
    process.exit(1)
  }
  const res = config.unauthenticated
    ? { ok: false, status: 401 }
    : await fetch(`${config.api_endpoint}/AgentManager/PingPong`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mrn: config.mrn, certificate: config.certificate })
      }).catch(error => ({ ok: false, status: 0, statusText: error.message }))
  process.stdout.write(`API:\t${config.api_endpoint}\nService account:\t${config.mrn}\n`)
  if (!res.ok) {
    log(
      'ERR',
      res.status === 403 ? 'client is not registered' : `authentication failed status=${res.status}`
    )
    process.exit(1)
  }
  process.stdout.write('Status:\tSERVING\n→ client authenticated successfully\n')
}

// ---- scan: assets, checks and reports, shaped like cnspec's by version ----

/** Compares dotted versions: true when VERSION is at least `floor`. */
function since(floor) {
  const parts = v =>
    v
      .split(/[-+]/)[0]
      .split('.')
      .map(n => Number(n) || 0)
  const [a, b] = [parts(VERSION), parts(floor)]
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i]
  return true
}

const severityOf = risk =>
  risk >= 90 ? 'CRITICAL' : risk >= 70 ? 'HIGH' : risk >= 40 ? 'MEDIUM' : risk >= 1 ? 'LOW' : 'NONE'
// policy/rating.go Letter(): A 80–100, B 61–79, C 31–60, D 11–30, F 0–10.
const gradeOf = score =>
  score >= 80 ? 'A' : score >= 61 ? 'B' : score >= 31 ? 'C' : score >= 11 ? 'D' : 'F'

// A check: uid, title, impact; its result on an asset: status, score (results only),
// message, and the source locations of failing resources (Terraform mostly).
const check = (uid, title, impact, status, score, extra = {}) => ({
  uid,
  mrn: `//policy.api.mondoo.app/queries/${uid}`,
  title,
  description: `${title}.`,
  impact,
  status,
  score,
  ...extra
})

// A title from a policy is untrusted text: Markdown, HTML and a workflow command in one.
const NASTY_TITLE =
  'Restrict ingress from 0.0.0.0/0 | <img src=x onerror=alert(1)> **[docs](https://evil.example)** ::warning::injected'

function runnerAsset(name) {
  return {
    name,
    platform: 'Ubuntu 24.04',
    score: 35,
    checks: [
      check('no-secrets', 'Ensure no secrets are committed', 80, 'pass', 100),
      check('pin-actions', 'Ensure actions are pinned by commit SHA', 65, 'fail', 35, {
        message: '3 actions use a tag'
      }),
      check('docker-user', 'Ensure containers do not run as root', 20, 'fail', 80),
      check('k8s-limits', 'Ensure workloads set resource limits', 50, 'skip')
    ],
    // One package under two advisories (one result each), one under none.
    packages: [
      {
        name: 'openssl',
        version: '3.0.2',
        fixed: '3.0.13',
        risk: 91,
        advisories: [
          { id: 'USN-7000-1', title: 'OpenSSL vulnerabilities', risk: 91 },
          { id: 'USN-7011-1', title: 'OpenSSL denial of service', risk: 55 }
        ]
      },
      { name: 'zlib', version: '1.2.11', risk: 20, advisories: [] }
    ]
  }
}

/** Files under `dir` (a few levels deep) whose name matches `pattern`, relative to it. */
function filesUnder(dir, pattern, depth = 4, prefix = '') {
  if (depth < 0) return []
  let entries
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true })
  } catch {
    return []
  }
  return entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name
      if (e.isDirectory())
        return e.name.startsWith('.') || e.name === 'node_modules'
          ? []
          : filesUnder(dir, pattern, depth - 1, rel)
      return pattern.test(e.name) ? [rel] : []
    })
}

/**
 * How cnspec wrote a finding's path: relative to the scanned directory (its habit), or, to
 * exercise every form the action must understand, relative to the working directory,
 * absolute, or a file:// URI (CNSPEC_STANDIN_PATH_FORM).
 */
function pathAs(scannedDir, rel) {
  const abs = resolve(scannedDir, rel)
  switch (process.env.CNSPEC_STANDIN_PATH_FORM) {
    case 'cwd':
      return relative(process.cwd(), abs).split(sep).join('/')
    case 'absolute':
      return abs
    case 'uri':
      return pathToFileURL(abs).href
    default:
      return rel
  }
}

/** The 1-based line of the first S3 bucket block in a .tf file, and the block's end. */
function bucketRegion(file) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const start = lines.findIndex(l => /resource\s+"aws_s3_bucket"/.test(l))
  if (start < 0) return undefined
  let end = lines.findIndex((l, i) => i > start && /^}/.test(l))
  if (end < 0) end = start
  return { startLine: start + 1, endLine: end + 1, snippet: lines[start] }
}

function terraformAsset(name, dir, relFiles) {
  const locations = relFiles
    .map(rel => ({ rel, region: bucketRegion(join(dir, rel)) }))
    .filter(f => f.region)
    .map(f => ({ path: pathAs(dir, f.rel), ...f.region }))
  const encrypted = locations.length === 0
  return {
    name,
    platform: 'Terraform Static Analysis',
    score: encrypted ? 100 : 20,
    checks: [
      check(
        'terraform-aws-s3-encryption',
        'Ensure S3 buckets are encrypted',
        80,
        encrypted ? 'pass' : 'fail',
        encrypted ? 100 : 20,
        { locations }
      ),
      check('terraform-tags', 'Ensure resources are tagged', 20, 'pass', 100),
      check('terraform-eks-logging', 'Ensure EKS control plane logging is on', 50, 'skip')
    ],
    packages: []
  }
}

/** What cnspec would find for a target: one or more assets, some of which may have failed. */
function discover(target) {
  const [kind, ...rest] = target
  const path = rest.filter(w => !w.startsWith('-')).pop()
  if (['fs', 'k8s', 'terraform'].includes(kind) && path && !existsSync(path)) {
    // Not fatal: discovery fails for this asset, which becomes an asset error.
    const error = `stat ${resolve(path)}: no such file or directory`
    return [{ name: path, error, checks: [], packages: [] }]
  }
  if (kind === 'fs' && path) {
    const dir = resolve(path)
    const assets = [
      {
        name: basename(dir) || dir,
        platform: 'Filesystem',
        score: 45,
        checks: [
          check('no-secrets', 'Ensure no secrets are committed', 80, 'pass', 100),
          check('no-public-ingress', NASTY_TITLE, 55, 'fail', 45, { message: 'port 22 open' }),
          check('dockerfile-user', 'Ensure Dockerfiles set a non-root USER', 30, 'fail', 70)
        ],
        packages: []
      }
    ]
    const byDir = new Map()
    for (const file of filesUnder(dir, /\.tf$/)) {
      const sub = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.'
      byDir.set(sub, [...(byDir.get(sub) ?? []), file])
    }
    // The Terraform in a directory scan is its own asset, with paths relative to the
    // directory that was scanned.
    for (const [sub, files] of byDir)
      assets.push({ ...terraformAsset(`terraform ${sub}`, dir, files) })
    return assets
  }
  if (kind === 'terraform' && path && rest[0] !== 'plan' && rest[0] !== 'state') {
    const dir = resolve(path)
    const files = filesUnder(dir, /\.tf$/)
    if (!files.length)
      return [
        { name: `terraform ${path}`, error: 'no terraform files found', checks: [], packages: [] }
      ]
    return [terraformAsset(`terraform ${basename(dir)}`, dir, files)]
  }
  if (kind === 'k8s' && path) {
    const manifests =
      existsSync(path) && statSync(path).isDirectory()
        ? filesUnder(resolve(path), /\.ya?ml$/, 1)
        : []
    if (!manifests.length)
      return [
        {
          name: `k8s ${path}`,
          platform: 'Kubernetes Manifest',
          score: 80,
          checks: [check('k8s-limits', 'Ensure workloads set resource limits', 20, 'fail', 80)],
          packages: []
        }
      ]
    return manifests.map(file => {
      const text = readFileSync(join(path, file), 'utf8')
      // At debug level cnspec prints what it parses: scanned content reaches the job log.
      if (flag('--log-level') === 'debug') {
        log('DBG', `parse manifest file=${file}`)
        process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
      }
      if (!/^kind:/m.test(text))
        return {
          name: `k8s-manifest ${file}`,
          error: `could not parse manifest ${file}: no "kind" found`,
          checks: [],
          packages: []
        }
      return {
        name: `k8s-manifest ${file}`,
        platform: 'Kubernetes Manifest',
        score: 80,
        checks: [
          check('k8s-limits', 'Ensure workloads set resource limits', 20, 'fail', 80),
          check('k8s-privileged', 'Ensure containers are not privileged', 90, 'pass', 100)
        ],
        packages: []
      }
    })
  }
  if (kind === 'docker' && rest[0] === 'image' && rest[1]) {
    if (rest[1].startsWith('missing'))
      return [
        {
          name: rest[1],
          error: 'failed to resolve image: manifest unknown',
          checks: [],
          packages: []
        }
      ]
    return [{ ...runnerAsset(rest[1]), platform: 'Alpine Linux 3.20' }]
  }
  return [runnerAsset(target.join(' '))]
}

/**
 * CNSPEC_STANDIN_EXTRA_FAILURES=n adds n failing checks to the first asset (large reports);
 * CNSPEC_STANDIN_TITLE_CHARS=n makes each of their titles n characters long. The first of
 * them belongs to many compliance frameworks, so its rule has 30 tags, as checkRuleTags
 * writes them (security, cnspec, policy/…, compliance/…).
 */
function addExtraFailures(assets) {
  const n = Number(process.env.CNSPEC_STANDIN_EXTRA_FAILURES ?? 0)
  const asset = assets.find(a => !a.error)
  if (!n || !asset) return
  const long = Number(process.env.CNSPEC_STANDIN_TITLE_CHARS ?? 0)
  for (let i = 0; i < n; i++) {
    const score = i % 100
    const title = `Generated check ${i} <b>&</b> | [link](x) with a long title to weigh on the summary`
    asset.checks.push(
      check(
        `generated-${i}`,
        long ? title.padEnd(long, ' and on') : title,
        100 - score,
        'fail',
        score,
        {
          message: `finding ${i}`,
          ...(i === 0
            ? {
                tags: [
                  'security',
                  'cnspec',
                  'policy/Generated policy',
                  ...Array.from({ length: 27 }, (_, k) => `compliance/framework-${k + 1}`)
                ]
              }
            : {})
        }
      )
    )
  }
  asset.score = 0
}

/** CNSPEC_STANDIN_ASSETS=n: n small assets instead of the target's (a large estate). */
function manyAssets(assets) {
  const n = Number(process.env.CNSPEC_STANDIN_ASSETS ?? 0)
  if (!n) return assets
  return Array.from({ length: n }, (_, i) => ({
    name: `asset-${String(i + 1).padStart(5, '0')}`,
    platform: 'Filesystem',
    score: 100,
    checks: [check('no-secrets', 'Ensure no secrets are committed', 80, 'pass', 100)],
    packages: []
  }))
}

// ---- SARIF, as cli/reporter/sarif.go writes it in 13.3.2, 13.25 and 13.33 ----

const FINGERPRINT = 'https://cnspec.io/fingerprint/v1'
const fingerprint = (...parts) => createHash('sha256').update(parts.join('\n')).digest('hex')
const riskLevel = risk => (risk >= 70 ? 'error' : risk >= 40 ? 'warning' : 'note')

/** Before 13.33: none for pass/skip, error for errors, else from the score. */
function oldLevel(c) {
  if (c.status === 'error') return 'error'
  if (c.status !== 'fail') return 'none'
  return c.score >= 61 ? 'note' : c.score >= 31 ? 'warning' : 'error'
}

const KIND = { pass: 'pass', fail: 'fail', error: 'fail', skip: 'notApplicable' }
const LABEL = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'SKIPPED' }

function sarifRun(asset, rich, located) {
  const logical = {
    name: asset.name,
    kind: 'asset',
    ...(asset.platform ? { fullyQualifiedName: `${asset.name} (${asset.platform})` } : {})
  }
  const assetMrn = `//assets.api.mondoo.app/spaces/sandbox/assets/${createHash('sha256').update(asset.name).digest('hex').slice(0, 12)}`
  const rules = []
  const results = []
  if (asset.error) {
    rules.push({
      id: 'asset-error',
      name: 'Asset scan error',
      shortDescription: { text: 'The asset could not be scanned successfully' },
      ...(rich
        ? {
            fullDescription: {
              text: 'cnspec could not complete the scan of this asset. No policy results are available for it.'
            },
            defaultConfiguration: { level: 'error' },
            properties: { tags: ['cnspec', 'scan'] }
          }
        : {})
    })
    results.push({
      ruleId: 'asset-error',
      level: 'error',
      message: { text: `Asset ${asset.name}: ${asset.error}` },
      ...(rich
        ? {
            kind: 'fail',
            locations: [{ logicalLocations: [logical] }],
            partialFingerprints: { [FINGERPRINT]: fingerprint('asset-error', assetMrn) }
          }
        : {})
    })
  }
  for (const c of asset.checks) {
    if (rich) {
      rules.push({
        id: c.uid,
        name: c.title,
        shortDescription: { text: c.title },
        fullDescription: { text: c.description, markdown: c.description },
        help: { text: c.description, markdown: c.description },
        helpUri: `https://mondoo.com/docs/checks/${c.uid}`,
        defaultConfiguration: { level: riskLevel(c.impact) },
        properties: {
          tags: c.tags ?? ['security', 'cnspec'],
          impact: c.impact,
          severity: severityOf(c.impact),
          'security-severity': (c.impact / 10).toFixed(1),
          queryMrn: c.mrn
        }
      })
    } else {
      rules.push({
        id: c.uid,
        name: c.title,
        shortDescription: { text: c.description },
        properties: { impact: c.impact }
      })
    }
    const isResult = c.status === 'pass' || c.status === 'fail'
    const risk = isResult ? 100 - c.score : undefined
    const locations = located && c.status === 'fail' ? (c.locations ?? []) : []
    let text
    if (rich) {
      text = `${c.title}: ${LABEL[c.status]}`
      if (isResult) text += ` · ${severityOf(risk)} · score ${c.score}/100`
      if (c.message) text += ` · ${c.message}`
    } else text = c.message ? `${c.title}: ${c.message}` : c.title
    const base = {
      ruleId: c.uid,
      level: rich
        ? c.status === 'fail'
          ? riskLevel(risk)
          : c.status === 'error'
            ? 'error'
            : 'none'
        : oldLevel(c),
      message: { text }
    }
    const richPart = () => ({
      kind: KIND[c.status],
      ...(isResult && c.score !== 100 ? { rank: risk } : {}),
      properties: {
        asset: asset.name,
        status: LABEL[c.status].toLowerCase(),
        assetMrn,
        ...(isResult ? { score: c.score, risk, severity: severityOf(risk) } : {})
      }
    })
    if (!locations.length) {
      results.push({
        ...base,
        ...(rich ? richPart() : {}),
        locations: [{ logicalLocations: [logical] }],
        ...(rich ? { partialFingerprints: { [FINGERPRINT]: fingerprint(c.uid, assetMrn) } } : {})
      })
      continue
    }
    for (const loc of locations) {
      const region = {
        startLine: loc.startLine,
        endLine: loc.endLine,
        snippet: { text: loc.snippet }
      }
      results.push({
        ...base,
        ...(rich ? richPart() : {}),
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: loc.path }, region },
            logicalLocations: [logical]
          }
        ],
        partialFingerprints: {
          [FINGERPRINT]: fingerprint(c.uid, `${loc.path}#${loc.startLine}`)
        }
      })
    }
  }
  if (rich && asset.packages.length) {
    // cli/reporter/sarif.go addAssetVulnerabilities: advisories sorted by ID, one rule each
    // and one result per affected package; then the packages no advisory covers, under
    // "vulnerable-package".
    const vulnResult = (ruleId, p, advisory) => {
      const risk = advisory?.risk ?? p.risk
      const update = p.fixed ? `Update to ${p.fixed}.` : 'No fixed version is available yet.'
      const what = advisory
        ? `${p.name} ${p.version} is affected by ${advisory.id} (${advisory.title})`
        : `${p.name} ${p.version} has known vulnerabilities`
      return {
        ruleId,
        kind: 'fail',
        level: riskLevel(risk),
        rank: risk,
        message: {
          text: `${what} · ${severityOf(risk)} (score ${(risk / 10).toFixed(1)}) · ${update}`
        },
        locations: [
          {
            logicalLocations: [
              logical,
              { name: p.name, kind: 'package', fullyQualifiedName: `${p.name}@${p.version}` }
            ]
          }
        ],
        partialFingerprints: {
          [FINGERPRINT]: fingerprint(ruleId, assetMrn, `${p.name}@${p.version}`)
        },
        properties: {
          asset: asset.name,
          package: p.name,
          installedVersion: p.version,
          severity: severityOf(risk),
          'security-severity': (risk / 10).toFixed(1),
          status: 'fail',
          assetMrn,
          ...(p.fixed ? { fixedVersion: p.fixed } : {}),
          ...(advisory ? { advisory: advisory.id } : {})
        }
      }
    }
    const advisories = [
      ...new Map(asset.packages.flatMap(p => p.advisories).map(a => [a.id, a])).values()
    ].sort((a, b) => a.id.localeCompare(b.id))
    for (const advisory of advisories) {
      rules.push({
        id: advisory.id,
        name: advisory.title,
        shortDescription: { text: advisory.title },
        defaultConfiguration: { level: riskLevel(advisory.risk) },
        properties: {
          tags: ['security', 'cnspec', 'vulnerability', 'advisory'],
          'security-severity': (advisory.risk / 10).toFixed(1),
          severity: severityOf(advisory.risk),
          advisory: advisory.id
        }
      })
      for (const p of asset.packages.filter(p => p.advisories.some(a => a.id === advisory.id)))
        results.push(vulnResult(advisory.id, p, advisory))
    }
    const uncovered = asset.packages.filter(p => !p.advisories.length)
    if (uncovered.length) {
      rules.push({
        id: 'vulnerable-package',
        name: 'Vulnerable package',
        shortDescription: { text: 'An installed package has known vulnerabilities' },
        properties: { tags: ['security', 'cnspec', 'vulnerability'] }
      })
      for (const p of uncovered) results.push(vulnResult('vulnerable-package', p))
    }
  }
  const driver = rich
    ? {
        name: 'cnspec',
        version: VERSION,
        fullName: `cnspec ${VERSION}`,
        informationUri: 'https://cnspec.io',
        organization: 'Mondoo',
        shortDescription: {
          text: 'cnspec is an open source, cloud-native security and policy scanner'
        },
        rules
      }
    : { name: 'cnspec', informationUri: 'https://cnspec.io', rules }
  const properties = { asset: asset.name, ...(asset.platform ? { platform: asset.platform } : {}) }
  if (rich) {
    properties.assetMrn = assetMrn
    if (!asset.error) {
      const count = s => asset.checks.filter(c => c.status === s).length
      // CNSPEC_STANDIN_SCORE (JSON) and CNSPEC_STANDIN_GRADE: what a broken or hostile cnspec
      // (or a tampered mirror) could write here.
      const score = process.env.CNSPEC_STANDIN_SCORE
      Object.assign(properties, {
        score: score === undefined ? asset.score : JSON.parse(score),
        grade: process.env.CNSPEC_STANDIN_GRADE ?? gradeOf(asset.score),
        checksTotal: asset.checks.length,
        checksPassed: count('pass'),
        checksFailed: count('fail'),
        checksErrored: count('error'),
        checksSkipped: count('skip')
      })
    }
    if (asset.packages.length)
      Object.assign(properties, {
        packagesTotal: 240,
        packagesAffected: asset.packages.length,
        packagesCritical: asset.packages.filter(p => p.risk >= 90).length
      })
  }
  return {
    tool: { driver },
    ...(rich
      ? {
          columnKind: 'utf16CodeUnits',
          automationDetails: {
            id: `cnspec/${asset.name}`,
            description: { text: `cnspec scan of ${asset.name}` }
          }
        }
      : {}),
    results,
    properties
  }
}

function sarifReport(assets) {
  return (
    JSON.stringify(
      {
        version: '2.1.0',
        $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
        runs: assets.map(a => sarifRun(a, since('13.33.0'), since('13.25.0')))
      },
      null,
      2
    ) + '\n'
  )
}

// ---- the other formats, for pass-through ----

function render(format, assets) {
  const base = format.split(',')[0]
  const ok = assets.filter(a => !a.error)
  const mrnOf = a =>
    `//assets.api.mondoo.app/spaces/sandbox/assets/${Buffer.from(a.name).toString('hex').slice(0, 12)}`
  if (base === 'json' || base === 'json-v2' || base === 'json-v1') {
    const scores = {}
    for (const a of ok) {
      const values = Object.fromEntries(
        a.checks.map(c => [
          c.mrn,
          { score: c.score ?? 0, status: c.status, riskScore: 100 - (c.score ?? 0) }
        ])
      )
      values[mrnOf(a)] = { score: a.score, status: 'fail', riskScore: 100 - a.score }
      scores[mrnOf(a)] = { values }
    }
    const errors = Object.fromEntries(assets.filter(a => a.error).map(a => [mrnOf(a), a.error]))
    return (
      JSON.stringify({
        assets: Object.fromEntries(
          assets.map(a => [mrnOf(a), { mrn: mrnOf(a), name: a.name, platformName: a.platform }])
        ),
        scores,
        ...(Object.keys(errors).length ? { errors } : {})
      }) + '\n'
    )
  }
  if (base === 'junit') {
    const suites = ok.map(a => {
      const cases = a.checks
        .filter(c => c.status === 'pass' || c.status === 'fail')
        .map(
          c =>
            `  <testcase name="${c.title.replace(/[<>&"]/g, '')}" classname="${a.name}">${c.status === 'fail' ? `<failure message="score ${c.score}"/>` : ''}</testcase>`
        )
      return `<testsuite name="${a.name}" tests="${cases.length}">\n${cases.join('\n')}\n</testsuite>`
    })
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>${suites.join('\n')}</testsuites>\n`
  }
  if (base.startsWith('yaml') || base.startsWith('yml')) {
    return `assets:\n${ok.map(a => `  - name: ${a.name}\n    score: ${a.score}`).join('\n')}\n`
  }
  const lines = []
  for (const a of assets) {
    lines.push(`Asset: ${a.name}`, '')
    if (a.error) lines.push(`x Error: ${a.error}`)
    for (const c of a.checks)
      lines.push(
        `${c.status === 'pass' ? '✓ Pass' : c.status === 'fail' ? '✕ Fail' : '» Skip'}: ${c.title.padEnd(44)} ${c.status === 'skip' ? '' : `score ${c.score}`}`
      )
    lines.push('')
  }
  const worst = 100 - Math.min(...ok.map(a => a.score))
  if (ok.length) lines.push(`Worst risk: ${worst} (${severityOf(worst)})`)
  return lines.join('\n') + '\n'
}

/**
 * The risk threshold cnspec applies (apps/cnspec/cmd/scan.go): --risk-threshold, else
 * MONDOO_RISK_THRESHOLD, else 101; the deprecated --score-threshold S (else
 * MONDOO_SCORE_THRESHOLD) lowers it to 101 − S. A negative value never fails (uint32).
 */
function riskThreshold() {
  const risk = getInt(flag('--risk-threshold') ?? setting('risk-threshold', '101'))
  const score = getInt(flag('--score-threshold') ?? setting('score-threshold', '0'))
  const threshold = Math.min(risk, 100 - score + 1)
  return threshold < 0 ? Infinity : threshold
}

async function scan() {
  const words = []
  for (const word of argv.slice(1)) {
    if (word.startsWith('-')) break
    words.push(word)
  }
  const target = words.length ? words : ['local']
  const output = flag('--output', '-o') ?? (argv.includes('--json') ? 'json' : 'compact')
  const incognito = argv.includes('--incognito')
  const config = incognito ? undefined : loadCredential()
  const format = output.split(',')[0]
  if (format === 'sarif' && !since('13.3.2')) {
    // Before 13.3.2 there is no SARIF writer: cnspec refuses the format before scanning.
    log('FTL', `unknown output format error="'sarif' is not a valid output format"`)
    process.exit(1)
  }
  for (const name of ['--risk-threshold', '--score-threshold'])
    if (flag(name) !== undefined && !/^-?\d+$/.test(flag(name))) {
      log('FTL', `invalid argument "${flag(name)}" for "${name}" flag`)
      process.exit(1)
    }
  const threshold = riskThreshold()
  await ensureProvider(target[0])
  log('INF', `discover assets target=${JSON.stringify(target.join(' '))}`)
  const outputTarget = flag('--output-target')
  if (outputTarget && !existsSync(dirname(resolve(outputTarget)))) {
    log(
      'FTL',
      `failed to open output target error="open ${outputTarget}: no such file or directory"`
    )
    process.exit(1)
  }
  const assets = manyAssets(discover(target))
  addExtraFailures(assets)
  // cnspec's log names each asset as it scans it; the name comes from the target, so it is
  // untrusted text in the job log too.
  for (const asset of assets)
    if (asset.error)
      log('ERR', `unable to create runtime for asset error="${asset.error}" asset=${asset.name}`)
    else log('INF', `scanning asset ${asset.name}`)
  const ok = assets.filter(a => !a.error)
  if (!ok.length && (format === 'sarif' || format === 'junit')) {
    // Nothing was scanned, so no policy ran: these writers have nothing to write. The file
    // handler created the output target before asking them (cli/reporter/file_handler.go).
    if (outputTarget) writeFileSync(outputTarget, '')
    log('FTL', 'failed to write report to output target error="no policy bundle found"')
    process.exit(1)
  }
  const report = format === 'sarif' ? sarifReport(assets) : render(output, assets)
  if (process.env.CNSPEC_STANDIN_DIE_WRITING && outputTarget) {
    // Killed mid-write (out of memory, a cancelled job): half a report, no exit decision.
    writeFileSync(outputTarget, report.slice(0, report.length >> 1))
    process.kill(process.pid, 'SIGKILL')
  }
  if (outputTarget) writeFileSync(outputTarget, report)
  else process.stdout.write(report)
  if (config) log('INF', `uploaded results to ${config.space_mrn}`)
  else log('INF', 'incognito mode: results were not uploaded to Mondoo')
  // The report is written first; then an asset error, else the worst risk, decides (silently).
  if (ok.length < assets.length) process.exit(1)
  const worst = 100 - Math.min(...ok.map(a => a.score))
  if (worst >= threshold) process.exit(1)
}

const command = argv[0]
await selfUpdate()
if (command === 'version')
  process.stdout.write(`cnspec ${VERSION} (standin, 2026-08-19T10:00:00Z)\n`)
else if (command === 'status') await status()
else if (command === 'scan') {
  // With a wif configuration whose exchange fails, cnspec warns and scans in incognito mode,
  // exiting as if nothing happened.
  if (!argv.includes('--incognito') && !(await wifSignIn()))
    log('WRN', 'No credentials provided. Switching to --incognito mode.')
  await scan()
} else {
  log('FTL', `unknown command "${command ?? ''}"`)
  process.exit(1)
}
