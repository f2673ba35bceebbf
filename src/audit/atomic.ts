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
  commit(): void;
  abort(): void;
}

export function stageOutput(target: string, force: boolean): StagedOutput {
  const abs = path.resolve(target);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new InputError(`${target}: --out exists and is not a folder; choose another path`);
    if (readdirSync(abs).length > 0 && !force) {
      throw new InputError(`${target}: --out already holds files (an earlier run?); pass --force to replace it, or choose another folder`);
    }
  }
  const parent = path.dirname(abs);
  mkdirSync(parent, { recursive: true });
  const base = path.basename(abs);
  // Remove stale staging folders of killed runs (they are never a finished output).
  for (const name of readdirSync(parent)) {
    if (name.startsWith(`.${base}.tmp-`) || name.startsWith(`.${base}.old-`)) {
      const pid = Number(name.split('-').pop());
      if (!Number.isFinite(pid) || !isAlive(pid)) rmSync(path.join(parent, name), { recursive: true, force: true });
    }
  }
  const staging = path.join(parent, `.${base}.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return {
    target: abs,
    staging,
    commit() {
      if (existsSync(abs)) {
        const old = path.join(parent, `.${base}.old-${process.pid}`);
        renameSync(abs, old);
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

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
