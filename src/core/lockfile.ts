import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * Lock files: a file created with O_EXCL (only one process can create it) holding the owner's
 * process id. A lock whose process is dead is stale (its owner was killed) and is broken, under a
 * second O_EXCL file so that two processes never both break it and both take it.
 */

/** Is a process of this id running (or is it this process)? */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process id written in a lock file, or null when it is missing or unreadable. */
export function lockOwner(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function create(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Remove the lock at `file` if its owner is dead; true when it was removed (or already gone). */
function breakStale(file: string): boolean {
  const breaker = `${file}.break`;
  if (!create(breaker)) {
    // someone else is breaking it; a breaker left by a killed process is itself stale
    const b = lockOwner(breaker);
    if (b === null || !isAlive(b)) rmSync(breaker, { force: true });
    return false;
  }
  try {
    const owner = lockOwner(file);
    if (owner !== null && isAlive(owner)) return false;
    // move it aside before removing, so a lock taken meanwhile by a live process is never removed
    const aside = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, aside);
    } catch {
      return true; // already gone
    }
    const moved = lockOwner(aside);
    if (moved !== null && moved !== owner && isAlive(moved)) renameSync(aside, file);
    else rmSync(aside, { force: true });
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}

/**
 * Try to take the lock once (breaking a stale one): null when taken, else the live owner's pid.
 * File-system errors (a read-only folder) are thrown to the caller.
 */
export function tryLock(file: string): number | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (create(file)) return null;
    const owner = lockOwner(file);
    if (owner !== null && owner !== process.pid && isAlive(owner)) return owner;
    if (owner === process.pid) return null;
    breakStale(file);
  }
  return lockOwner(file) ?? -1;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Take the lock, waiting up to `waitMs` for a live owner to release it; false if it could not. */
export function lockWithin(file: string, waitMs: number): boolean {
  const until = Date.now() + waitMs;
  for (;;) {
    if (tryLock(file) === null) return true;
    if (Date.now() >= until) return false;
    Atomics.wait(sleeper, 0, 0, 10);
  }
}

/** Release a lock this process holds (nothing if another process holds it now). */
export function unlock(file: string): void {
  if (lockOwner(file) === process.pid) rmSync(file, { force: true });
}
