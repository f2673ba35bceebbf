/**
 * Cleanup on interruption. Whatever a command creates that must not outlive it (the staging and
 * spill folders beside --out, the --out lock, a cache entry being written, the cache's in-use
 * markers) registers a synchronous cleanup here. On SIGINT, SIGTERM or SIGHUP every registered
 * cleanup runs, newest first, and the process exits with 128 + the signal's number (130, 143,
 * 129), as a shell reports a process killed by that signal. The same cleanups run when the
 * process exits any other way with something still registered (an uncaught error, process.exit).
 * SIGKILL cannot be caught: what it leaves is removed by the next run (src/core/atomic.ts).
 */
/**
 * The registry lives on the process, not in this module: signal and exit handlers belong to the
 * process, and a second instance of this module (a test runner that loads src/ afresh for each
 * test file in one process) must add to the same list rather than install its own handlers.
 */
interface Registry {
  cleanups: (() => void)[];
  installed: boolean;
}
const KEY = Symbol.for('pbr-engine.interrupt');
const registry: Registry = ((process as unknown as Record<symbol, Registry | undefined>)[KEY] ??= { cleanups: [], installed: false });
const cleanups = registry.cleanups;

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

function runAll(): void {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      fn();
    } catch {
      // a cleanup that fails must not stop the others
    }
  }
}

function install(): void {
  if (registry.installed) return;
  registry.installed = true;
  for (const [sig, num] of Object.entries(SIGNALS)) {
    process.on(sig as NodeJS.Signals, () => {
      const had = cleanups.length > 0;
      runAll();
      if (had) process.stderr.write(`pbr: interrupted (${sig}); its temporary and partial files were removed\n`);
      process.exit(128 + num);
    });
  }
  process.on('exit', runAll);
}

/** Register a synchronous cleanup; the returned function unregisters it (without running it). */
export function onInterrupt(fn: () => void): () => void {
  install();
  cleanups.push(fn);
  return () => {
    const i = cleanups.lastIndexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}
