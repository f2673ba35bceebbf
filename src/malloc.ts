import { spawn } from 'node:child_process';

/**
 * Under `--memory-limit`, the process's resident memory should stay near DuckDB's limit. DuckDB
 * (as the Node bindings ship it) allocates through glibc's malloc, which keeps freed memory for
 * reuse instead of returning it: each thread gets its own arena, and blocks of 128 KiB and more
 * stop being given back once glibc has raised its mmap threshold (it does so dynamically, up to
 * 32 MiB, after the first such block is freed). glibc reads its settings only at process start,
 * so when the option is given and MALLOC_ARENA_MAX is not set, the command runs again in a child
 * process with BOUNDED_MALLOC: one arena, and a fixed 128 KiB mmap and trim threshold, so DuckDB's
 * 256 KiB buffers go straight back to the system when freed. Measured in BENCHMARKS.md (scale 10
 * at 2 GB: one arena lowered the peak by about 0.6 GB, the fixed thresholds by a further 0.3 GB on
 * the same code, neither slower).
 * Returns the child's exit code, or null when the command should run here.
 *
 * The child inherits stdin/stdout/stderr; SIGINT, SIGTERM and SIGHUP are passed on, and a child
 * ended by a signal ends this process with the same signal.
 */
export const BOUNDED_MALLOC = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
} as const;

export function rerunWithBoundedMalloc(argv: readonly string[]): Promise<number> | null {
  if (process.platform !== 'linux' || process.env.MALLOC_ARENA_MAX !== undefined) return null;
  const args = argv.slice(2);
  if (!args.some((a) => a === '--memory-limit' || a.startsWith('--memory-limit='))) return null;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, ...BOUNDED_MALLOC },
    });
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const forward = (s: NodeJS.Signals) => child.kill(s);
    for (const s of signals) process.on(s, forward);
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}
