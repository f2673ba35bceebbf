import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbrIn } from './helpers/cli.js';
import { allBytes } from './helpers/outputs.js';
import { childrenOf, processesUsing, startPbr, untilStopped } from './helpers/process.js';
import { stageOutput } from '../src/core/atomic.js';
import { shared } from './helpers/shared.js';

// Issue 7: manifest, byte-identical reruns and atomic outputs (the kill test), on the
// hand-made fixture (fixtures/hand: a dozen people, two areas with results, one empty area).
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-audit-${p}-`));

function copyHand(): string {
  const d = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), d, { recursive: true });
  return d;
}

function run(data: string, out: string, extra: string[] = [], env: Record<string, string> = {}) {
  return pbrIn(['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, ...extra], { env });
}

let data: string;
let first: string;
beforeAll(async () => {
  // `pbr --quiet run` on a copy of fixtures/hand (exit 0, nothing on stderr), shared with other
  // test files: copied here, as the tests below run into it
  const hand = await shared('hand');
  data = hand.data;
  first = path.join(tmp('run'), 'run');
  cpSync(hand.run, first, { recursive: true });
});

describe('manifest.json', () => {
  it('records versions, the contract and its sha256, every input with sha256 and row counts, as_of, SQL and output hashes', () => {
    const m = JSON.parse(readFileSync(path.join(first, 'manifest.json'), 'utf8'));
    expect(m.engine.name).toBe('pbr-engine');
    expect(m.duckdb).toMatch(/^v1\.5\./);
    expect(m.contract.name).toBe('hand-fixture');
    expect(m.contract.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.contract.resolved.follow_up).toEqual({ months: 12, waiting_months: 6, as_of: '2025-10-31' });
    expect(m.as_of).toBe('2025-10-31');
    expect(m.inputs.map((i: { file: string }) => i.file)).toEqual(['cohort.csv', 'starts.csv', 'reconvictions.csv']);
    // cohort.csv has 21 rows after its header (22 lines), starts 26, reconvictions 31.
    expect(m.inputs.map((i: { rows_read: number; rows_used: number; rows_rejected: number }) => [i.rows_read, i.rows_used, i.rows_rejected])).toEqual([
      [21, 21, 0],
      [26, 26, 0],
      [31, 31, 0],
    ]);
    expect(Object.keys(m.queries).every((q) => q.startsWith('queries/') && q.endsWith('.sql'))).toBe(true);
    expect(Object.keys(m.queries)).toEqual(expect.arrayContaining(['queries/validate_macros.sql']));
    for (const f of ['measures.csv', 'payments.csv', 'offender_outcomes.parquet', 'report.html', 'validation.json']) {
      expect(m.outputs[f]).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('holds no clock and no absolute path', () => {
    const text = readFileSync(path.join(first, 'manifest.json'), 'utf8');
    expect(text).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
    expect(text).not.toContain(data);
    expect(text).not.toContain(os.tmpdir());
  });
});

describe('atomic output', () => {
  it('an existing run at --out is refused without --force', async () => {
    const r = await run(data, first);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out already holds files .*pass --force/);
  });

  // One run replacing an earlier one stops itself (SIGSTOP) at each point in turn. A stopped
  // process writes nothing more, exactly as a process killed by SIGKILL there: so the folder at
  // each stop is what a kill at that point leaves, and it is copied aside before the run goes on.
  // Then, for each copy, the next run's start (stageOutput) must find the previous output whole.
  const POINTS = ['after-load_validate', 'after-measure', 'after-pay', 'after-render', 'after-manifest', 'before-commit', 'mid-commit'];
  const snapshots = new Map<string, string>();
  let before: Record<string, string>;
  let childPid = 0;
  let rerun: string;
  beforeAll(async () => {
    const parent = tmp('stops');
    rerun = path.join(parent, 'run');
    cpSync(first, rerun, { recursive: true });
    before = allBytes(rerun);
    const moved = copyHand();
    const r = startPbr(['--quiet', 'run', '--data', moved, '--contract', path.join(moved, 'contract.json'), '--out', rerun, '--force'], {
      PBR_TEST_STOP_AT: POINTS.join(','),
    });
    childPid = r.pid;
    for (const point of POINTS) {
      expect(await untilStopped(r), `${point}: ${r.stderr()}`).toBe(true);
      // the run starts no other process that could go on writing after it is killed
      expect(childrenOf(r.pid)).toEqual([]);
      const snap = path.join(tmp(`at-${point}`), 'parent');
      cpSync(parent, snap, { recursive: true });
      snapshots.set(point, snap);
      process.kill(r.pid, 'SIGCONT');
    }
    expect((await r.exited).status).toBe(0);
  });

  for (const point of POINTS) {
    it(`a run killed at ${point} leaves the previous output untouched, and the next run clears what it left`, () => {
      const parent = snapshots.get(point)!;
      const out = path.join(parent, 'run');
      if (point === 'mid-commit') {
        // between the two renames: the previous output sits beside the target as .run.old-PID
        expect(existsSync(out)).toBe(false);
        expect(readdirSync(parent)).toContain(`.run.old-${childPid}`);
      } else {
        expect(allBytes(out)).toEqual(before);
      }
      expect(readdirSync(parent)).toContain(`.run.tmp-${childPid}`);
      // the next run's start: the previous output is put back whole, and the rest is removed
      const next = stageOutput(out, { force: true });
      next.abort();
      next.finish();
      expect(allBytes(out)).toEqual(before);
      expect(readdirSync(parent)).toEqual(['run']);
    });
  }

  it('determinism: that rerun, on the same inputs copied to another folder, wrote byte-identical outputs, manifest included', () => {
    expect(allBytes(rerun)).toEqual(allBytes(first));
    expect(readdirSync(path.dirname(rerun))).toEqual(['run']);
  });

  it('a first run killed (SIGKILL) before commit leaves nothing at the target, and no process using --out', async () => {
    const parent = tmp('kill-first');
    const out = path.join(parent, 'run');
    // under --memory-limit (which once re-ran the process in a child that outlived a kill)
    const r = startPbr(['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, '--memory-limit', '1GB'], {
      PBR_TEST_STOP_AT: 'after-measure',
    });
    expect(await untilStopped(r)).toBe(true);
    expect(childrenOf(r.pid)).toEqual([]);
    process.kill(r.pid, 'SIGKILL');
    expect((await r.exited).signal).toBe('SIGKILL');
    expect(processesUsing(parent)).toEqual([]);
    expect(existsSync(out)).toBe(false);
    // what is left beside it is hidden and removed by the next run
    expect(readdirSync(parent).every((n) => n.startsWith('.run.'))).toBe(true);
  });
});
