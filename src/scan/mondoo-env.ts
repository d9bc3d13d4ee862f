// cnspec reads every MONDOO_* variable as a configuration key (viper, prefix "mondoo"; shared
// facts, "environment overrides"), and a variable beats the configuration the action gives it.
// The job's environment reaches cnspec, so each variable is decided here, one rule each
// (docs/SECURITY.md has the table):
// - withheld: it would choose the credential, or where its signed requests go;
// - read by the judge: it changes cnspec's exit code, so the verdict must know it;
// - set by the action: the credential, the engine pin and the mirror (src/scan/run-cnspec.ts);
// - every other one passes through.

/**
 * Every key of cnspec's configuration that names the credential, the identity or where
 * signed requests go (mql cli/config/config.go: CommonOpts, WIF, auth), MONDOO_CONFIG_PATH,
 * another configuration file, and MONDOO_JSON, which beats `-o sarif` (scan.go: "--json
 * takes precedence") and would turn the report the action reads into another format.
 */
const WITHHELD_VARIABLES = [
  'MONDOO_CONFIG_PATH',
  'MONDOO_API_ENDPOINT',
  'MONDOO_MRN',
  'MONDOO_AGENT_MRN',
  'MONDOO_SCOPE_MRN',
  'MONDOO_SPACE_MRN',
  'MONDOO_PARENT_MRN',
  'MONDOO_PRIVATE_KEY',
  'MONDOO_CERTIFICATE',
  'MONDOO_AUTH',
  'MONDOO_AUTH_METHOD',
  'MONDOO_TYPE',
  'MONDOO_AUDIENCE',
  'MONDOO_ISSUERURI',
  'MONDOO_JWTTOKEN',
  'MONDOO_UNIVERSEDOMAIN',
  'MONDOO_SCOPES',
  'MONDOO_SUBJECTTOKENTYPE',
  'MONDOO_JSON'
]

export function isWithheld(name: string): boolean {
  return WITHHELD_VARIABLES.includes(name.toUpperCase())
}

/** The withheld variables present in `env`, sorted, for the one warning that names them. */
export function withheldVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env)
    .filter(name => env[name] !== undefined && isWithheld(name))
    .sort()
}

export function withheldWarning(names: string[]): string {
  return (
    `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} set in the job's environment and ${names.length === 1 ? 'was' : 'were'} ` +
    "not passed to cnspec: cnspec would let it choose the credential, where the credential's signed " +
    'requests go, or the format of the report the action reads, over what this action set. Remove it ' +
    'from the env of the job or step.'
  )
}

/** MONDOO_RISK_THRESHOLD and MONDOO_SCORE_THRESHOLD, as cnspec will read them. */
export interface EnvThresholds {
  risk?: number
  score?: number
}

const THRESHOLD_VARIABLES = { risk: 'MONDOO_RISK_THRESHOLD', score: 'MONDOO_SCORE_THRESHOLD' }

/**
 * Reads the two variables that change cnspec's exit code. cnspec reads them with
 * viper.GetInt, which turns anything it cannot parse into 0 (every scan over the threshold)
 * and reads "010" as octal: only a plain whole number is taken, anything else is refused
 * here, before any request, naming the variable.
 */
export function envThresholds(env: NodeJS.ProcessEnv = process.env): {
  thresholds: EnvThresholds
  problems: string[]
} {
  const thresholds: EnvThresholds = {}
  const problems: string[] = []
  for (const [key, name] of Object.entries(THRESHOLD_VARIABLES) as Array<
    [keyof EnvThresholds, string]
  >) {
    const value = env[name]
    if (value === undefined || value === '') continue
    if (/^(0|[1-9]\d{0,2})$/.test(value)) thresholds[key] = Number(value)
    else
      problems.push(
        `${name} in the job's environment is "${value.slice(0, 40)}", which cnspec would read as 0` +
          `${key === 'risk' ? ' (every scan would fail)' : ''}. Set a whole number from 0 to 100, or remove it.`
      )
  }
  return { thresholds, problems }
}
