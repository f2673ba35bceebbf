import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

/**
 * Running the CLI as a live process a test can watch, stop, continue and kill (the fault tests).
 * Linux: the state of a process is read from /proc.
 */
export interface Running {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has ended: its exit code, or the signal that ended it. */
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

export function startPbr(args: string[], env: Record<string, string> = {}, opts: { uid?: number; gid?: number } = {}): Running {
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'pbr.js'), ...args], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...opts,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (status, signal) => resolve({ status, signal }));
  });
  return { child, pid: child.pid!, stdout: () => out, stderr: () => err, exited };
}

/** The one-letter state of a process (R running, S sleeping, T stopped...), or null when it is gone. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until the process stops itself (PBR_TEST_STOP_AT) or ends; true when it is stopped.
 * A polling loop, not a timing assertion: it waits as long as the run takes.
 */
export async function untilStopped(r: Running): Promise<boolean> {
  let ended = false;
  void r.exited.then(() => (ended = true));
  for (;;) {
    const s = procState(r.pid);
    if (s === 'T' || s === 't') return true;
    if (s === null || s === 'Z' || ended) return false;
    await pause(25);
  }
}

/** Processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(n));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Processes with an open file or their working folder inside `dir` (this test process excluded). */
export function processesUsing(dir: string): number[] {
  const hits = new Set<number>();
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    const inside = (p: string) => p === dir || p.startsWith(`${dir}/`);
    try {
      if (inside(readlinkSync(`/proc/${n}/cwd`))) hits.add(Number(n));
      for (const fd of readdirSync(`/proc/${n}/fd`)) {
        try {
          if (inside(readlinkSync(`/proc/${n}/fd/${fd}`))) hits.add(Number(n));
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // not ours to read, or gone
    }
  }
  return [...hits];
}
