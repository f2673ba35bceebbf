import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
}

/**
 * Run the built CLI in a process of its own (bin/pbr.js -> dist/, built by `npm test`'s pretest
 * step). For what only a process shows: the entry script, signals, locks held by another process,
 * the process's own memory, umask or time zone.
 */
export function pbr(args: string[], opts: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'pbr.js'), ...args], {
    cwd: opts.cwd ?? PACKAGE_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same command through `main` (src/cli.ts, what bin/pbr.js calls) inside the test's own
 * process: its stdout and stderr captured, `cwd` and `env` set for the call and put back after.
 * It saves starting Node and importing DuckDB, exceljs and vega again (about a second a call).
 * Calls are one at a time: they share process.stdout, the working folder and process.env.
 */
export async function pbrIn(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const { main } = await import('../../src/cli.js');
  const out: string[] = [];
  const err: string[] = [];
  const write = (to: string[]) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    to.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  const saved = { out: process.stdout.write, err: process.stderr.write, cwd: process.cwd(), env: { ...process.env } };
  Object.assign(process.env, { NO_COLOR: '1', ...opts.env });
  process.chdir(opts.cwd ?? PACKAGE_ROOT);
  process.stdout.write = write(out);
  process.stderr.write = write(err);
  let status: number;
  try {
    status = await main(['node', 'pbr', ...args]);
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.chdir(saved.cwd);
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}
