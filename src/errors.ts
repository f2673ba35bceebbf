/**
 * The engine's error types. The CLI's one error funnel (src/cli.ts) maps them to exit codes:
 * InputError -> 2 (bad input or usage: a one-line message naming file/line/column or contract key
 * and what to do), NotBuiltError -> 1, anything else -> 1 (internal failure, stack under --debug).
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode = 2;
}

export class NotBuiltError extends Error {
  override readonly name = 'NotBuiltError';
  readonly exitCode = 1;
}

/**
 * A check that ran and found differences (verify, check): exit 1 with a plain message, not an
 * internal failure.
 */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
  readonly exitCode = 1;
}

/** Exit code for any thrown value. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof InputError) return 2;
  if (err && typeof err === 'object' && 'code' in err && (err as { code?: unknown }).code === 'commander.error') return 2;
  return 1;
}
