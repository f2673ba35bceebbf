import { afterAll, vi } from 'vitest';

// Test files share their worker process (vitest.config.ts: isolate false). Each file still starts
// with the modules of src/ evaluated afresh, as in a process of its own: module state such as the
// SQL files read so far (which manifest.json lists) belongs to one file. Heavy packages in
// node_modules (DuckDB, vega, exceljs) are not re-evaluated: that is the time saved.
vi.resetModules();

// ... and leaves process.env, spies and timers as it found them.
const env = { ...process.env };
afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  vi.restoreAllMocks();
  vi.useRealTimers();
});
