import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, errorPath, systemErrorCode } from '../errors.js';
import { onInterrupt } from './interrupt.js';
import { isAlive, tryLock, unlock } from './lockfile.js';
import { protectPersonLevel } from './personLevel.js';

/**
 * Atomic output folders: a run writes into a hidden temporary folder beside --out and renames it
 * into place only on success. A killed run leaves the previous output untouched; at worst a
 * `.NAME.tmp-PID` folder beside it, which the next run removes. While a run writes, it holds the
 * lock `.NAME.lock` beside --out (a second run to the same --out stops with exit 2 naming it),
 * and an interruption (Ctrl-C, SIGTERM, SIGHUP) removes the staging and spill folders.
 */
export interface StagedOutput {
  target: string;
  staging: string;
  /** Where DuckDB may spill beyond its memory limit, beside the staging folder. */
  spill: string;
  /** Person-level files made owner-only, staging opened to the usual mode, renamed into place. */
  commit(): void;
  /** Remove the staging folder (the run failed). */
  abort(): void;
  /** Remove staging (if still there) and spill, release the lock; call once, last. */
  finish(): void;
  /**
   * A failure as the user should see it: a full disk anywhere, or a read-only or forbidden
   * staging or spill folder, becomes one line about --out (exit 2); anything else is unchanged.
   */
  explain(e: unknown): unknown;
}

export interface StageOptions {
  /** Replace an existing folder (only one a pbr run wrote, or an empty one). */
  force: boolean;
  /** Paths --out must neither be nor contain (the data folder, the contract file). */
  protect?: readonly { path: string; what: string }[];
}

/** A folder pbr run wrote: it holds pbr's manifest.json. */
export function isRunFolder(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { engine?: { name?: unknown } };
    return m?.engine?.name === 'pbr-engine';
  } catch {
    return false;
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** Is `inner` the folder `outer` or inside it? */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Refuse an --out that replacing would destroy something the run did not write: the root, the
 * home folder, the current folder, the data folder or the contract file (or any folder holding
 * one of them), or a file. Checked before anything is created beside it.
 */
function checkGuarded(target: string, abs: string, opts: StageOptions): void {
  if (!existsSync(abs)) return;
  if (!statSync(abs).isDirectory()) throw new InputError(`${target}: --out exists and is not a folder; choose another path`);
  const here = real(abs);
  const guarded = [
    { path: path.parse(here).root, what: 'the root folder' },
    { path: os.homedir(), what: 'your home folder' },
    { path: process.cwd(), what: 'the current folder' },
    ...(opts.protect ?? []),
  ];
  for (const g of guarded) {
    if (within(real(g.path), here)) {
      throw new InputError(`${target}: --out is or contains ${g.what}; a run never replaces it: choose a new folder for --out`);
    }
  }
}

/** Refuse a folder with files unless --force, and with --force one that pbr did not write. */
function checkReplaceable(target: string, abs: string, opts: StageOptions): void {
  if (!existsSync(abs) || readdirSync(abs).length === 0) return;
  if (!opts.force) {
    throw new InputError(`${target}: --out already holds files (an earlier run?); pass --force to replace it, or choose another folder`);
  }
  if (!isRunFolder(abs)) {
    throw new InputError(`${target}: --force replaces only a folder written by 'pbr run' (with its manifest.json) or an empty one, and this one is neither; choose another folder for --out`);
  }
}

/** One line for a file-system failure at --out (read-only, no permission, full), else the error itself. */
export function outputError(target: string, e: unknown): unknown {
  const code = systemErrorCode(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new InputError(`${target}: no space left on the disk of --out (nothing was written; the partial output was removed); free some space or choose --out on another disk, and run again`);
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new InputError(`${target}: cannot write --out here (${code === 'EROFS' ? 'read-only file system' : 'permission denied'}); choose a folder you can write to`);
  }
  return e;
}

/**
 * Stage an output folder (a boolean is `force`, as callers wrote it before the options). Call
 * finish() last; if a caller does not, the process's exit removes the spill folder and the lock.
 */
export function stageOutput(target: string, options: StageOptions | boolean): StagedOutput {
  const opts: StageOptions = typeof options === 'boolean' ? { force: options } : options;
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  const lock = path.join(parent, `.${base}.lock`);
  const staging = path.join(parent, `.${base}.tmp-${process.pid}`);
  const spill = path.join(parent, `.${base}.spill-${process.pid}`);
  let locked = false;
  let usualMode = 0o755;
  const release = () => {
    rmSync(staging, { recursive: true, force: true });
    rmSync(spill, { recursive: true, force: true });
    if (locked) unlock(lock);
    locked = false;
  };
  checkGuarded(target, abs, opts);
  const unregister = onInterrupt(release);
  try {
    mkdirSync(parent, { recursive: true });
    const owner = tryLock(lock);
    if (owner !== null) {
      throw new InputError(
        `${target}: another pbr run (process ${owner > 0 ? owner : 'unknown'}) is writing this --out; wait for it to finish or choose another folder ` +
          `(if no pbr is running, remove ${lock})`,
      );
    }
    locked = true;
    // A run killed between the two renames of commit() left the previous output as .NAME.old-PID and
    // no target: put it back first.
    for (const name of readdirSync(parent)) {
      if (name.startsWith(`.${base}.old-`) && !isAlive(Number(name.split('-').pop()))) {
        if (!existsSync(abs)) renameSync(path.join(parent, name), abs);
        else rmSync(path.join(parent, name), { recursive: true, force: true });
      }
    }
    // Remove stale staging folders of killed runs (they are never a finished output).
    for (const name of readdirSync(parent)) {
      if ((name.startsWith(`.${base}.tmp-`) || name.startsWith(`.${base}.spill-`)) && !isAlive(Number(name.split('-').pop()))) {
        rmSync(path.join(parent, name), { recursive: true, force: true });
      }
    }
    checkGuarded(target, abs, opts);
    checkReplaceable(target, abs, opts);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    // While the run writes, nobody else may look in (person-level files are written here before
    // they are made owner-only); the usual mode of a new folder is restored at commit.
    usualMode = statSync(staging).mode & 0o777;
    chmodSync(staging, 0o700);
    mkdirSync(spill, { mode: 0o700 });
    chmodSync(spill, 0o700);
  } catch (e) {
    release();
    unregister();
    throw outputError(target, e);
  }
  return {
    target: abs,
    staging,
    spill,
    commit() {
      protectPersonLevel(staging);
      chmodSync(staging, usualMode);
      if (existsSync(abs)) {
        const old = path.join(parent, `.${base}.old-${process.pid}`);
        renameSync(abs, old);
        failpoint('mid-commit');
        renameSync(staging, abs);
        try {
          rmSync(old, { recursive: true, force: true });
        } catch {
          // the new output is in place; what is left of the old one is removed by the next run
        }
      } else {
        renameSync(staging, abs);
      }
    },
    abort() {
      rmSync(staging, { recursive: true, force: true });
    },
    finish() {
      release();
      unregister();
    },
    explain(e: unknown): unknown {
      const code = systemErrorCode(e);
      if (!code) return e;
      const where = errorPath(e);
      const ours = where !== null && (within(path.resolve(where), staging) || within(path.resolve(where), spill));
      return code === 'ENOSPC' || code === 'EDQUOT' || ours ? outputError(target, e) : e;
    },
  };
}

/**
 * Test hooks, each naming a point of a run (`after-measure`, `before-commit`, `mid-commit`...):
 *   PBR_TEST_KILL_AT=<point>   the process SIGKILLs itself there (the kill tests);
 *   PBR_TEST_STOP_AT=<p1,p2|all> the process stops itself (SIGSTOP) there until a test lets it go
 *                              on (SIGCONT), so one process shows the state at several points;
 *   PBR_TEST_FAIL_AT=<point>:<CODE> a file-system error with that code (ENOSPC...) is thrown there.
 */
export function failpoint(point: string): void {
  const env = process.env;
  if (env.PBR_TEST_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
  const stops = env.PBR_TEST_STOP_AT?.split(',');
  if (stops && (stops.includes(point) || stops.includes('all'))) process.kill(process.pid, 'SIGSTOP');
  const fail = env.PBR_TEST_FAIL_AT?.split(':');
  if (fail && fail[0] === point) {
    const code = fail[1] ?? 'EIO';
    throw Object.assign(new Error(`${code}: injected failure at ${point}`), { code, syscall: 'write' });
  }
}
