import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbr } from './helpers/cli.js';
import { allBytes } from './helpers/outputs.js';

// Issue 7: manifest, byte-identical reruns and atomic outputs (the kill test), on the
// hand-made fixture (fixtures/hand: a dozen people, two areas with results, one empty area).
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-audit-${p}-`));

function copyHand(): string {
  const d = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), d, { recursive: true });
  return d;
}

function run(data: string, out: string, extra: string[] = [], env: Record<string, string> = {}) {
  return pbr(['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, ...extra], { env });
}

let data: string;
let first: string;
beforeAll(() => {
  data = copyHand();
  first = path.join(tmp('run'), 'run');
  const r = run(data, first);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
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

describe('determinism', () => {
  it('a rerun on the same inputs gives byte-identical outputs, manifest included', () => {
    const second = path.join(tmp('run2'), 'run');
    expect(run(data, second).status).toBe(0);
    expect(allBytes(second)).toEqual(allBytes(first));
  });

  it('the same inputs in another folder give the same bytes', () => {
    const moved = copyHand();
    const third = path.join(tmp('run3'), 'run');
    expect(run(moved, third).status).toBe(0);
    expect(allBytes(third)).toEqual(allBytes(first));
  });
});

describe('atomic output', () => {
  it('an existing run at --out is refused without --force', () => {
    const r = run(data, first);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out already holds files .*pass --force/);
  });

  for (const point of ['after-load_validate', 'after-measure', 'after-pay', 'after-render', 'after-manifest', 'before-commit', 'mid-commit']) {
    it(`a run killed (SIGKILL) at ${point} leaves the previous output untouched`, () => {
      const parent = tmp('kill');
      const out = path.join(parent, 'run');
      cpSync(first, out, { recursive: true });
      const before = allBytes(out);
      const r = run(data, out, ['--force'], { PBR_TEST_KILL_AT: point });
      expect(r.status).toBeNull(); // killed by the signal
      if (point === 'mid-commit') {
        // The previous output sits renamed beside the target; the next invocation restores it.
        expect(readdirSync(parent).some((n) => n.startsWith('.run.old-'))).toBe(true);
        const again = run(data, out);
        expect(again.status).toBe(2); // refused: the restored previous run is there
      }
      expect(allBytes(out)).toEqual(before);
      // No half-written folder at the target; the next successful run clears what was left beside it.
      expect(run(data, out, ['--force']).status).toBe(0);
      expect(readdirSync(parent)).toEqual(['run']);
    });
  }

  it('a first run killed before commit leaves nothing at the target', () => {
    const parent = tmp('kill-first');
    const out = path.join(parent, 'run');
    const r = run(data, out, [], { PBR_TEST_KILL_AT: 'after-measure' });
    expect(r.status).toBeNull();
    expect(existsSync(out)).toBe(false);
  });
});
