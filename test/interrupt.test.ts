import { describe, expect, it, vi } from 'vitest';

// The signal and exit handlers of src/core/interrupt.ts belong to the process: a test runner that
// loads src/ afresh for every test file in one process (vitest.config.ts, isolate false) must not
// add a set per file. Past ten, Node printed a MaxListenersExceededWarning into the stderr of a
// command run in process (test/helpers/cli.ts pbrIn), and a test reading that stderr failed.
describe('interrupt handlers', () => {
  it('are installed once per process, however often the module is loaded', async () => {
    const count = () => ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit'].map((e) => process.listenerCount(e));
    const first = await import('../src/core/interrupt.js');
    first.onInterrupt(() => {})();
    const before = count();
    for (let i = 0; i < 12; i++) {
      vi.resetModules();
      const again = await import('../src/core/interrupt.js');
      again.onInterrupt(() => {})();
    }
    expect(count()).toEqual(before);
  });
});
