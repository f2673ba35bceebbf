import { spawn } from 'node:child_process';

/**
 * Under `--memory-limit`, the process's resident memory should stay near DuckDB's limit. DuckDB
 * (as the Node bindings ship it) allocates through glibc's malloc, which gives each thread its own
 * arena and keeps freed pages in them: at national scale x10 with a 2 GB limit that added about
 * 1.2 GB of resident memory over the limit. glibc reads MALLOC_ARENA_MAX only at process start, so
 * when the option is given and the variable is not set, the command runs again in a child process
 * with MALLOC_ARENA_MAX=1 (measured in BENCHMARKS.md: peak resident memory about 0.6 GB lower,
 * and no slower). Returns the child's exit code, or null when the command should run here.
 *
 * The child inherits stdin/stdout/stderr; SIGINT, SIGTERM and SIGHUP are passed on, and a child
 * ended by a signal ends this process with the same signal.
 */
export function rerunWithBoundedMalloc(argv: readonly string[]): Promise<number> | null {
  if (process.platform !== 'linux' || process.env.MALLOC_ARENA_MAX !== undefined) return null;
  const args = argv.slice(2);
  if (!args.some((a) => a === '--memory-limit' || a.startsWith('--memory-limit='))) return null;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
      stdio: 'inherit',
      env: { ...process.env, MALLOC_ARENA_MAX: '1' },
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
