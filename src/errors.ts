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

/**
 * The operating-system error code behind a failure a user can act on (ENOSPC, EDQUOT, EROFS,
 * EACCES, EPERM, EISDIR...), from a Node error's `code` or from the text of a DuckDB IO error
 * (DuckDB reports the C library's message, not the code); null for anything else.
 */
export function systemErrorCode(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const msg = String((err as { message?: unknown }).message ?? '');
  const known: [RegExp, string][] = [
    [/No space left on device/i, 'ENOSPC'],
    [/Disk quota exceeded/i, 'EDQUOT'],
    [/Read-only file system/i, 'EROFS'],
    [/Permission denied/i, 'EACCES'],
  ];
  for (const [re, c] of known) if (re.test(msg)) return c;
  return null;
}

/** The path an operating-system error is about: a Node error's `path`, or the first quoted path of a DuckDB error. */
export function errorPath(err: unknown): string | null {
  if (!err || typeof err !== 'object') return null;
  const p = (err as { path?: unknown }).path;
  if (typeof p === 'string') return p;
  const m = /"(\/[^"]+)"/.exec(String((err as { message?: unknown }).message ?? ''));
  return m ? m[1]! : null;
}

/**
 * A message as the terminal should see it: control characters (ESC of a terminal escape
 * sequence, carriage returns, NUL...) shown as \xNN so that no value in a message can move the
 * cursor, recolour or rewrite the screen. Newlines are kept only when `keepNewlines`.
 */
export function escapeControls(s: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    keepNewlines && c === '\n' ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
