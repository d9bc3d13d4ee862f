/** Removes the tests' temp folder, and throws when the tests left anything of theirs in it. */
export function removeTempRoot(root: string): void
export default function teardown(): void
