/** A failure the user can act on. Its message is shown as is, so it must never hold a secret. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ActionError'
  }
}

/** A bad input value: the message always starts with the input's name. */
export class InputError extends ActionError {
  constructor(
    readonly input: string,
    problem: string
  ) {
    super(`Input "${input}" ${problem}`)
    this.name = 'InputError'
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
