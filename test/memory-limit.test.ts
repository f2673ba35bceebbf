import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbrIn } from './helpers/cli.js';
import { allBytes } from './helpers/outputs.js';
import { shared } from './helpers/shared.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pbr-memlimit-'));
const hand = path.join(FIXTURES_DIR, 'hand');

// --memory-limit is a setting of the run's database (there is no second process to start any more),
// so these run in the test's process like the other CLI tests
describe('--memory-limit', () => {
  it('a run under --memory-limit exits 0 and writes the same bytes as one without', async () => {
    // the run without: `pbr run` on fixtures/hand (a copy), shared with other test files
    const a = (await shared('hand')).run;
    const b = path.join(tmp(), 'run');
    const args = (out: string) => ['--quiet', 'run', '--data', hand, '--contract', path.join(hand, 'contract.json'), '--out', out];
    const r = await pbrIn([...args(b), '--memory-limit', '1GB']);
    expect(r.status, r.stderr).toBe(0);
    expect(allBytes(b)).toEqual(allBytes(a));
  });

  it('bad input under --memory-limit exits 2 with a one-line message', async () => {
    const r = await pbrIn(['run', '--data', path.join(FIXTURES_DIR, 'broken', 'type'), '--contract', path.join(hand, 'contract.json'), '--out', path.join(tmp(), 'run'), '--memory-limit=1GB']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: /);
  });
});
