import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';

/**
 * Atomic output folders: a run writes into a hidden temporary folder beside --out and renames it
 * into place only on success. A killed run leaves the previous output untouched; at worst a
 * `.NAME.tmp-PID` folder beside it, which the next run removes.
 */
export interface StagedOutput {
  target: string;
  staging: string;
  /** Where DuckDB may spill beyond its memory limit, beside the staging folder (the caller removes it). */
  spill: string;
  commit(): void;
  abort(): void;
}

export function stageOutput(target: string, force: boolean): StagedOutput {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  mkdirSync(parent, { recursive: true });
  const base = path.basename(abs);
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
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new InputError(`${target}: --out exists and is not a folder; choose another path`);
    if (readdirSync(abs).length > 0 && !force) {
      throw new InputError(`${target}: --out already holds files (an earlier run?); pass --force to replace it, or choose another folder`);
    }
  }
  const staging = path.join(parent, `.${base}.tmp-${process.pid}`);
  const spill = path.join(parent, `.${base}.spill-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return {
    target: abs,
    staging,
    spill,
    commit() {
      if (existsSync(abs)) {
        const old = path.join(parent, `.${base}.old-${process.pid}`);
        renameSync(abs, old);
        failpoint('mid-commit');
        renameSync(staging, abs);
        rmSync(old, { recursive: true, force: true });
      } else {
        renameSync(staging, abs);
      }
    },
    abort() {
      rmSync(staging, { recursive: true, force: true });
    },
  };
}

/**
 * Test hook for the kill test: PBR_TEST_KILL_AT=<point> makes the process SIGKILL itself there,
 * so every point of a run can be interrupted deterministically.
 */
export function failpoint(point: string): void {
  if (process.env.PBR_TEST_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  if (!Number.isFinite(pid)) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
