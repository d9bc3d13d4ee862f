/** Shared by the input tests: the values a workflow gets from action.yml, plus an audience. */
export const AUDIENCE = '//captain.api.mondoo.app/spaces/my-space-123'

export const INPUT_NAMES = [
  'audience',
  'space-id',
  'api-endpoint',
  'issuer',
  'id-token-audience',
  'export-credentials',
  'on-missing-id-token',
  'cnspec-version',
  'releases-url',
  'status',
  'scan',
  'target',
  'args',
  'output',
  'risk-threshold',
  'log-level',
  'credential-mode',
  'wif-config'
] as const

export type InputName = (typeof INPUT_NAMES)[number]

/** The defaults of action.yml, as @actions/core would read them, and the audience users set. */
export const DEFAULTS: Record<InputName, string> = {
  audience: AUDIENCE,
  'space-id': '',
  'api-endpoint': 'https://us.api.mondoo.com',
  issuer: '',
  'id-token-audience': '',
  'export-credentials': 'true',
  'on-missing-id-token': 'fail',
  'cnspec-version': 'latest',
  'releases-url': 'https://releases.mondoo.com',
  status: 'true',
  scan: 'true',
  target: 'local',
  args: '',
  output: 'compact',
  'risk-threshold': '',
  'log-level': 'info',
  // No default in action.yml: "key", or "wif" when wif-config is set.
  'credential-mode': '',
  'wif-config': ''
}

/** A getter like core.getInput: unknown names read as empty, as unset inputs do. */
export function inputs(
  overrides: Partial<Record<InputName, string>> = {}
): (name: string) => string {
  const values: Record<string, string> = { ...DEFAULTS, ...overrides }
  return name => values[name] ?? ''
}
