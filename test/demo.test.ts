import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pbrIn } from './helpers/cli.js';
import { shared, type Shared } from './helpers/shared.js';

/**
 * pbr demo: synthesises the national dataset into `<out>-data` (kept, so that `pbr verify` can
 * re-run the demo), runs the whole calculation on it and prints where the report is. A small
 * scale (0.002) keeps the test quick; the default (0.1) is the same code with more rows.
 */
const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-demo-test-'));
// One demo run, as a user types it on a fresh clone (no --out, so reports/demo under the current
// folder), with its own temporary folder: test/helpers/shared.ts makes it once for this file and
// statements-agree, and the tests below read what it printed and wrote.
let cwd: string;
let out: string;
let run: NonNullable<Shared['demo']>;

beforeAll(async () => {
  const s = await shared('demo');
  cwd = s.demo!.cwd;
  out = s.run;
  run = s.demo!;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pbr demo', () => {
  it('ends with the report path on stdout and exit 0, and keeps its dataset beside the run', () => {
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${path.join(out, 'report.html')}\n`);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(existsSync(path.join(out, 'measures.csv'))).toBe(true);
    expect(readdirSync(`${out}-data`).sort()).toEqual(['cohort.csv', 'contract.json', 'demo.json', 'reconvictions.csv', 'service_levels.csv', 'starts.csv']);
    expect(readdirSync(path.dirname(out)).filter((f) => f.startsWith('.'))).toEqual([]);
    // its temporary files are gone
    expect(readdirSync(run.tmp)).toEqual([]);
    // progress went to stderr: the synthesis, then the run
    expect(run.stderr).toMatch(/synth: wrote starts\.csv/);
  });

  it('measures every quarter Oct 2015 - Mar 2020 as final, for the 21 areas and ALL', () => {
    const measures = readFileSync(path.join(out, 'measures.csv'), 'utf8').trimEnd().split('\n');
    const header = measures[0]!.split(',');
    const rows = measures.slice(1).map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    // 18 quarters (2015Q4 .. 2020Q1) x 22 areas (CPA01-CPA21 and ALL) = 396 rows
    expect(rows.length).toBe(396);
    expect(new Set(rows.map((r) => r[col('status')]))).toEqual(new Set(['final']));
    expect(new Set(rows.map((r) => r[col('period')])).size).toBe(18);
  });

  it('never replaces a folder that a demo or a run did not write', async () => {
    const out = path.join(root, 'mine');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const r = await pbrIn(['demo', '--out', out, '--scale', '0.002']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: ${out}: --out holds files that 'pbr run' did not write; the demo replaces only its own run: choose another --out`]);
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });

  it('with no --out it writes reports/demo under the current folder', () => {
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${path.join(cwd, 'reports', 'demo', 'report.html')}\n`);
    expect(existsSync(path.join(cwd, 'reports', 'demo', 'report.html'))).toBe(true);
    expect(existsSync(path.join(cwd, 'reports', 'demo-data', 'starts.csv'))).toBe(true);
  });

  it('pbr verify can re-run the demo: the run records its kept dataset, every input and the contract unchanged', () => {
    // what pbr verify needs before it recomputes (it failed when the demo deleted its dataset)
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const loc = JSON.parse(readFileSync(path.join(out, 'locations.json'), 'utf8')) as { data: string; contract: string };
    expect(loc).toEqual({ data: `${out}-data`, contract: path.join(`${out}-data`, 'contract.json'), mapping: null });
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { contract: { sha256: string }; inputs: { file: string; sha256: string }[] };
    expect(sha(loc.contract)).toBe(m.contract.sha256);
    expect(m.inputs.map((i) => [i.file, sha(path.join(loc.data, i.file))])).toEqual(m.inputs.map((i) => [i.file, i.sha256]));
  });

  it('a bad --scale is a usage error: exit 2', async () => {
    const r = await pbrIn(['demo', '--scale', '0', '--out', path.join(root, 'never')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: pbr demo: --scale: /);
    expect(existsSync(path.join(root, 'never'))).toBe(false);
  });
});
