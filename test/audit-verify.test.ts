import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';
import { formatVerify, verifyRun } from '../src/audit/verify.js';
import { csvRowDifferences } from '../src/audit/verifyRows.js';
import { sha256Of } from '../src/core/manifest.js';
import { InputError } from '../src/errors.js';
import { pbrIn } from './helpers/cli.js';

// pbr verify (issues 7 and 13) on ONE run of the hand-made fixture (fixtures/hand: a dozen people,
// two areas with results, one empty area), made in-process, with a contract that prices
// deductions at 1000 so that payments.csv has a line: A1 2024Q1 (final) n = 4, r = 3, a = 0.8125,
// B = 0.5, deduction -(0.8125 - 0.5) * 4 * 1000 = -1250.00 (test/measure-hand.test.ts).
// Each test copies the run folder before touching it.
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-verify-${p}-`));

let data: string;
let run: string;

beforeAll(async () => {
  data = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
  const c = JSON.parse(readFileSync(path.join(data, 'contract.json'), 'utf8'));
  c.payments = { deduction_price: 1000 };
  writeFileSync(path.join(data, 'contract.json'), JSON.stringify(c, null, 2));
  run = path.join(tmp('run'), 'run');
  await runPipeline({ dataDir: data, contractPath: path.join(data, 'contract.json'), outDir: run, quiet: true, cache: false });
});

function copyRun(): string {
  const d = path.join(tmp('copy'), 'run');
  cpSync(run, d, { recursive: true });
  return d;
}

/** Rewrite an output and its hash in the manifest, as a run that computed it so would have written it. */
function forge(dir: string, file: string, edit: (text: string) => string): void {
  const p = path.join(dir, file);
  writeFileSync(p, edit(readFileSync(p, 'utf8')));
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  m.outputs[file] = sha256Of(p);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
}

function editJson(file: string, edit: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8'));
  edit(v);
  writeFileSync(file, JSON.stringify(v, null, 2));
}

const saved = { cache: process.env.PBR_CACHE, dir: process.env.PBR_CACHE_DIR };
afterEach(() => {
  for (const [k, v] of [['PBR_CACHE', saved.cache], ['PBR_CACHE_DIR', saved.dir]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('pbr verify', () => {
  it('a run verifies: every output reproduced, recomputed without the run cache', async () => {
    // The cache switched on (as for a user), in an empty folder: verify must neither read nor write it.
    const cacheDir = tmp('cache');
    process.env.PBR_CACHE = 'on';
    process.env.PBR_CACHE_DIR = cacheDir;
    const r = await verifyRun(run);
    expect(r.changedInputs).toEqual([]);
    expect(r.differingOutputs).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.cache).toBe('not used');
    expect(readdirSync(cacheDir)).toEqual([]);
    expect(formatVerify(run, r)).toMatch(/^verified: every output of .* is reproduced byte for byte .*\(recomputed without the run cache\)\n$/);
  });

  it('an output computed wrongly (as from a damaged cache, its manifest hash matching) fails, naming the differing rows; a file changed after the run is named too', async () => {
    const dir = copyRun();
    // report.html changed after the run, its manifest hash left alone.
    appendFileSync(path.join(dir, 'report.html'), '\n');
    // measures.csv line 2 is CRC,A1,2024Q1: reoffenders 3 -> 2 and binary_rate 0.750000 -> 0.500000.
    forge(dir, 'measures.csv', (t) => t.replace('CRC,A1,2024Q1,2024-01-01,2024-03-31,final,4,4,3,5,0.750000,', 'CRC,A1,2024Q1,2024-01-01,2024-03-31,final,4,4,2,5,0.500000,'));
    // payments.csv: the one deduction line -1250.00 -> -1250.01.
    forge(dir, 'payments.csv', (t) => t.replace(',-1250.00,', ',-1250.01,'));
    const r = await verifyRun(dir);
    expect(r.ok).toBe(false);
    expect(r.changedInputs).toEqual([]);
    expect(r.differingOutputs.map((d) => [d.file, d.why])).toEqual([
      ['measures.csv', 'the recomputation gives different bytes'],
      ['payments.csv', 'the recomputation gives different bytes'],
      ['report.html', 'changed since the run (differs from the manifest)'],
    ]);
    const measures = r.differingOutputs.find((d) => d.file === 'measures.csv')!;
    expect(measures.why).toBe('the recomputation gives different bytes');
    expect(measures.rows).toEqual({
      key_columns: ['population', 'area', 'period'],
      header: null,
      total: 1,
      rows: [
        {
          key: [{ column: 'population', value: 'CRC' }, { column: 'area', value: 'A1' }, { column: 'period', value: '2024Q1' }],
          line_run: 2,
          line_recomputed: 2,
          values: [{ column: 'reoffenders', run: '2', recomputed: '3' }, { column: 'binary_rate', run: '0.500000', recomputed: '0.750000' }],
          more_values: 0,
        },
      ],
    });
    const payments = r.differingOutputs.find((d) => d.file === 'payments.csv')!;
    expect(payments.rows!.rows.map((x) => [x.key.map((k) => k.value), x.values])).toEqual([
      [['A1', '2024Q1', 'binary_deduction'], [{ column: 'amount', run: '-1250.01', recomputed: '-1250.00' }]],
    ]);
    const text = formatVerify(dir, r);
    expect(text).toContain('output measures.csv: the recomputation gives different bytes\n  population CRC, area A1, period 2024Q1 (line 2): reoffenders 2 in the run, 3 recomputed; binary_rate 0.500000 in the run, 0.750000 recomputed\n');
    expect(text).toContain('  area A1, period 2024Q1, component binary_deduction (line 2): amount -1250.01 in the run, -1250.00 recomputed\n');
  });

  it('a garbage locations.json is a one-line input error saying to pass --data and --contract', async () => {
    const dir = copyRun();
    writeFileSync(path.join(dir, 'locations.json'), '{"data": "/x", "contr');
    const p = verifyRun(dir);
    await expect(p).rejects.toThrow(InputError);
    await expect(verifyRun(dir)).rejects.toThrow(/locations\.json: not valid JSON .*; say where the run's inputs are with --data DIR --contract FILE/);
  });

  it('a locations.json of the wrong shape is an input error too', async () => {
    const dir = copyRun();
    writeFileSync(path.join(dir, 'locations.json'), '["/x"]');
    await expect(verifyRun(dir)).rejects.toThrow(/locations\.json: not a JSON object; say where/);
  });

  it('a missing locations.json is an input error saying to pass --data and --contract', async () => {
    const dir = copyRun();
    rmSync(path.join(dir, 'locations.json'));
    await expect(verifyRun(dir)).rejects.toThrow(/locations\.json is missing; say where the run's inputs are with --data DIR --contract FILE/);
  });

  it('the CLI: a garbage locations.json exits 2 with one line', async () => {
    const dir = copyRun();
    writeFileSync(path.join(dir, 'locations.json'), '\u0000garbage');
    const r = await pbrIn(['verify', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--data DIR --contract FILE');
  });
});

describe('pbr verify with a mapping file (issue 14)', () => {
  /** A run folder whose manifest records a mapping (sha256 of `recorded`) and whose locations.json points at `file`. */
  function mappedRun(recorded: string, file: string | null): string {
    const dir = copyRun();
    editJson(path.join(dir, 'manifest.json'), (m) => {
      m.mapping = { file: 'mapping.yaml', sha256: sha256Of(recorded) };
    });
    editJson(path.join(dir, 'locations.json'), (l) => {
      if (file !== null) l.mapping = file;
    });
    return dir;
  }

  it('a changed input row and a mapping file changed since the run are both named as changed inputs', async () => {
    const d = tmp('data-changed');
    cpSync(data, d, { recursive: true });
    const p = path.join(d, 'reconvictions.csv');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/\n([^\n]+)\n$/, (_m, last: string) => `\n${last.replace(/CONVICTION|CAUTION/, 'OTHER')}\n`));
    const before = path.join(d, 'before.yaml');
    const now = path.join(d, 'mapping.yaml');
    writeFileSync(before, 'inputs: {}\n');
    writeFileSync(now, 'inputs: {}\n# edited\n');
    const r = await verifyRun(mappedRun(before, now), { data: d });
    expect(r.ok).toBe(false);
    expect(r.mapping).toBe(now);
    expect(r.changedInputs).toEqual([
      { file: 'mapping.yaml', why: 'mapping changed since the run (sha256 differs)' },
      { file: 'reconvictions.csv', why: 'changed since the run (sha256 differs)' },
    ]);
  });

  it('with --data, --contract and --mapping a garbage locations.json is not read; the same bytes elsewhere are no change', async () => {
    const d = tmp('mapping-moved');
    const f = path.join(d, 'mapping.yaml');
    writeFileSync(f, 'inputs: {}\n');
    const dir = mappedRun(f, path.join(d, 'gone.yaml'));
    writeFileSync(path.join(dir, 'locations.json'), 'garbage');
    const moved = path.join(d, 'moved.yaml');
    cpSync(f, moved);
    const r = await verifyRun(dir, { data, contract: path.join(data, 'contract.json'), mapping: moved });
    expect(r.mapping).toBe(moved);
    expect(r.changedInputs).toEqual([]);
  });

  it('a mapping file that is gone is a missing input (not recomputed)', async () => {
    const d = tmp('mapping-gone');
    const f = path.join(d, 'mapping.yaml');
    writeFileSync(f, 'inputs: {}\n');
    const dir = mappedRun(f, f);
    rmSync(f);
    const r = await verifyRun(dir);
    expect(r.changedInputs).toEqual([{ file: f, why: 'missing' }]);
    expect(r.notes).toContain('not recomputed: an input is missing');
  });

  it('a mapped run whose locations.json names no mapping asks for --mapping', async () => {
    const d = tmp('mapping-none');
    const f = path.join(d, 'mapping.yaml');
    writeFileSync(f, 'inputs: {}\n');
    await expect(verifyRun(mappedRun(f, null))).rejects.toThrow(/read its data through a mapping file .*; pass --mapping FILE/);
  });
});

describe('the differing rows of a CSV output', () => {
  function files(a: string, b: string): [string, string] {
    const d = tmp('rows');
    writeFileSync(path.join(d, 'a.csv'), a);
    writeFileSync(path.join(d, 'b.csv'), b);
    return [path.join(d, 'a.csv'), path.join(d, 'b.csv')];
  }
  const head = 'population,area,period,eligible,measurable,reoffenders,reoffences,binary_rate\n';

  it('rows pair on the key; a row on one side only is named as such; at most 3 values per row, then a count', async () => {
    const [a, b] = files(
      head + 'CRC,A1,Q1,4,4,3,5,0.75\nCRC,A2,Q1,4,3,2,5,0.666667\nCRC,A3,Q1,0,0,0,0,\n',
      // A1 same; A2 differs in 4 fields (eligible, measurable, reoffenders, binary_rate); A3 gone; A4 new (line 4)
      head + 'CRC,A1,Q1,4,4,3,5,0.75\nCRC,A2,Q1,5,4,3,5,0.75\nCRC,A4,Q1,1,1,1,1,1\n',
    );
    const r = await csvRowDifferences(a, b, 'measures.csv');
    expect(r.total).toBe(3);
    expect(r.rows.map((x) => [x.key.map((k) => k.value).join(' '), x.line_run, x.line_recomputed, x.values.map((v) => v.column), x.more_values])).toEqual([
      ['CRC A2 Q1', 3, 3, ['eligible', 'measurable', 'reoffenders'], 1],
      ['CRC A3 Q1', 4, null, [], 0],
      ['CRC A4 Q1', null, 4, [], 0],
    ]);
  });

  it('at most 20 rows are listed; the total counts them all', async () => {
    // 25 areas, every binary_rate differs: 20 listed (lines 2-21), total 25.
    const rows = (rate: string) => Array.from({ length: 25 }, (_, i) => `CRC,A${String(i).padStart(2, '0')},Q1,1,1,1,1,${rate}\n`).join('');
    const [a, b] = files(head + rows('0.5'), head + rows('0.6'));
    const r = await csvRowDifferences(a, b, 'measures.csv');
    expect(r.total).toBe(25);
    expect(r.rows.map((x) => x.line_run)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });

  it('a file without a known key pairs rows by position', async () => {
    const [a, b] = files('x,y\n1,2\n3,4\n', 'x,y\n1,2\n3,5\n');
    const r = await csvRowDifferences(a, b, 'volumes.csv');
    expect(r.key_columns).toEqual([]);
    expect(r.rows).toEqual([{ key: [], line_run: 3, line_recomputed: 3, values: [{ column: 'y', run: '4', recomputed: '5' }], more_values: 0 }]);
  });

  it('different headers are said, not compared row by row', async () => {
    const [a, b] = files('x,y\n1,2\n', 'x,z\n1,2\n');
    const r = await csvRowDifferences(a, b, 'payments.csv');
    expect(r.header).toBe('the columns differ: run x,y; recomputed x,z');
  });
});

