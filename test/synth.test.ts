import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../src/db/duckdb.js';
import { parseContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { synthesize, type SynthResult } from '../src/synth/generate.js';
import { pbrIn } from './helpers/cli.js';

/**
 * pbr synth: same seed, same bytes (whatever the thread count), files the engine accepts, and a
 * contract that validates. A small scale (0.005, about 1,200 CRC starts a year) keeps it quick.
 */
const SCALE = 0.005;
const SEED = 424242;
const FILES = ['cohort.csv', 'starts.csv', 'reconvictions.csv', 'service_levels.csv', 'contract.json'];

const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-synth-test-'));
const dir = (name: string) => path.join(root, name);
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let one: SynthResult;
let db: Db;

beforeAll(async () => {
  one = await synthesize({ outDir: dir('one'), scale: SCALE, seed: SEED, threads: 1 });
  db = await Db.open();
});

afterAll(() => {
  db?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('pbr synth: determinism', () => {
  it('two runs with one seed are byte-identical, with 1 and with 4 DuckDB threads', async () => {
    await synthesize({ outDir: dir('four'), scale: SCALE, seed: SEED, threads: 4 });
    for (const f of FILES) expect(sha(path.join(dir('four'), f)), f).toBe(sha(path.join(dir('one'), f)));
  });

  it('another seed gives other data', async () => {
    await synthesize({ outDir: dir('other'), scale: SCALE, seed: SEED + 1, threads: 2 });
    expect(sha(path.join(dir('other'), 'starts.csv'))).not.toBe(sha(path.join(dir('one'), 'starts.csv')));
    expect(sha(path.join(dir('other'), 'reconvictions.csv'))).not.toBe(sha(path.join(dir('one'), 'reconvictions.csv')));
  });

  it('parquet: byte-identical across runs and thread counts, and the same rows as the CSV', async () => {
    await synthesize({ outDir: dir('pq1'), scale: SCALE, seed: SEED, format: 'parquet', threads: 1 });
    await synthesize({ outDir: dir('pq2'), scale: SCALE, seed: SEED, format: 'parquet', threads: 4 });
    for (const name of ['cohort', 'starts', 'reconvictions', 'service_levels']) {
      const a = path.join(dir('pq1'), `${name}.parquet`);
      expect(sha(path.join(dir('pq2'), `${name}.parquet`)), name).toBe(sha(a));
      // every row of the CSV is in the parquet file and vice versa, in the same order
      const csv = path.join(dir('one'), `${name}.csv`);
      const diff = await db.all<{ n: number }>(
        `SELECT count(*)::DOUBLE AS n FROM (
           (SELECT row_number() OVER () AS r, * FROM read_csv(${literal(csv)}, all_varchar = true)
            EXCEPT SELECT row_number() OVER () AS r, COLUMNS(*)::VARCHAR FROM read_parquet(${literal(a)}))
           UNION ALL
           (SELECT row_number() OVER () AS r, COLUMNS(*)::VARCHAR FROM read_parquet(${literal(a)})
            EXCEPT SELECT row_number() OVER () AS r, * FROM read_csv(${literal(csv)}, all_varchar = true)))`,
      );
      expect(diff[0]!.n, name).toBe(0);
    }
    expect(readdirSync(dir('pq1')).sort()).toEqual(['cohort.parquet', 'contract.json', 'reconvictions.parquet', 'service_levels.parquet', 'starts.parquet']);
  });
});

describe('pbr synth: files the engine accepts', () => {
  it('writes the four extracts and contract.json, each CSV with the header of formats.md', () => {
    expect(readdirSync(dir('one')).sort()).toEqual([...FILES].sort());
    const header = (f: string) => readFileSync(path.join(dir('one'), f), 'utf8').split('\n', 1)[0];
    expect(header('cohort.csv')).toBe('person_id,date_of_birth,sex,pnc_matched');
    expect(header('starts.csv')).toBe('start_id,person_id,start_date,start_type,sentence_length_days,cpa,allocation,em_only,ogrs');
    expect(header('reconvictions.csv')).toBe('offence_id,person_id,offence_date,disposal_date,disposal_type,court_event_id,breach');
    expect(header('service_levels.csv')).toBe('cpa,month,measure,achieved,target');
    expect(one.files.map((f) => f.name)).toEqual(['cohort', 'starts', 'reconvictions', 'service_levels']);
  });

  it('rows are written in id order, with YYYY-MM-DD dates, true/false booleans and 4-decimal OGRS', () => {
    const lines = readFileSync(path.join(dir('one'), 'starts.csv'), 'utf8').trimEnd().split('\n').slice(1);
    const ids = lines.map((l) => l.split(',')[0]!);
    expect(ids).toEqual([...ids].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1)));
    for (const l of lines.slice(0, 200)) {
      expect(l).toMatch(/^S\d{9}-\d{3},P\d{9},\d{4}-\d{2}-\d{2},(CO|SSO|CUSTODY_RELEASE),[1-9]\d*,CPA\d\d,(CRC|NPS),(true|false),0\.\d{4}$/);
    }
    const rec = readFileSync(path.join(dir('one'), 'reconvictions.csv'), 'utf8').trimEnd().split('\n').slice(1);
    const rids = rec.map((l) => l.split(',')[0]!);
    expect(rids).toEqual([...rids].sort());
    // a caution and an OTHER disposal have no court event: an empty field
    expect(rec.some((l) => /,CAUTION,,false$/.test(l))).toBe(true);
    expect(rec.some((l) => /,OTHER,,false$/.test(l))).toBe(true);
  });

  it('the engine loads every row of every file with no reject', async () => {
    const contract = parseContract(JSON.parse(readFileSync(one.contractPath, 'utf8')), 'contract.json');
    const load = await loadDataset(db, dir('one'), contract, { cache: false });
    expect(load.rejectedRows).toBe(0);
    for (const f of one.files) {
      const input = load.inputs.find((i) => i.name === f.name)!;
      expect(input.rows_read, f.name).toBe(f.rows);
      expect(input.rows_used, f.name).toBe(f.rows);
    }
  });
});

describe('pbr synth: the contract', () => {
  const contract = () => parseContract(JSON.parse(readFileSync(one.contractPath, 'utf8')), 'contract.json');

  it('validates and lists the 21 areas CPA01-CPA21 with their names, Wales and London among them', () => {
    const c = contract();
    expect(Object.keys(c.areas!)).toEqual(Array.from({ length: 21 }, (_, i) => `CPA${String(i + 1).padStart(2, '0')}`));
    expect(Object.values(c.areas!)).toContain('Wales');
    expect(Object.values(c.areas!)).toContain('London');
    expect(new Set(Object.values(c.areas!)).size).toBe(21);
  });

  it('measures quarterly cohorts Oct 2015 - Mar 2020 against 2011, all final with its as_of', () => {
    const c = contract();
    expect(c.cohort).toEqual({ period: 'quarter', from: '2015-10-01', to: '2020-03-31', top_up: 'none' });
    expect(c.baseline).toEqual({ from: '2011-01-01', to: '2011-12-31' });
    // final needs as_of >= last period end + 12 + 6 months = 2020-03-31 + 18 months = 2021-09-30
    expect(c.follow_up.as_of! >= '2021-09-30').toBe(true);
    expect(c.follow_up.months).toBe(12);
    expect(c.follow_up.waiting_months).toBe(6);
  });

  it('carries the illustrative prices of formats.md and the fee-for-service terms', () => {
    const c = contract();
    expect([c.payments.binary_price, c.payments.deduction_price, c.payments.frequency_price]).toEqual([3200, 3200, 450]);
    expect(c.fee_for_service.learning_curve_discount).toBe(0.02);
    expect(c.fee_for_service.service_credit_rate).toBe(0.005);
    expect(c.fee_for_service.service_credit_cap).toBe(0.05);
    expect(new Set(c.fee_for_service.bands.map((b) => b.start_type))).toEqual(new Set(['CO', 'SSO', 'CUSTODY_RELEASE']));
    expect(Object.keys(c.fee_for_service.areas).sort()).toEqual(Object.keys(c.areas!).sort());
    for (const years of Object.values(c.fee_for_service.areas)) {
      expect(years.length).toBeGreaterThan(0);
      for (const y of years) expect(y.volume_low).toBeLessThan(y.volume_high);
    }
  });

  it('volume ranges sit around each area own volume: some contract years above, some below', async () => {
    const c = contract();
    // weighted volume per area and contract year (method.md section 9), worked out here in SQL
    const years = Object.entries(c.fee_for_service.areas).flatMap(([cpa, ys]) => ys.map((y) => ({ cpa, ...y })));
    const bands = c.fee_for_service.bands;
    const starts = path.join(dir('one'), 'starts.csv');
    const cohort = path.join(dir('one'), 'cohort.csv');
    const yearsFile = path.join(root, 'years.json');
    const bandsFile = path.join(root, 'bands.json');
    writeFileSync(yearsFile, JSON.stringify(years));
    writeFileSync(bandsFile, JSON.stringify(bands.map((b, i) => ({ ...b, i }))));
    const rows = await db.all<{ above: number; below: number; years: number }>(
      `WITH y AS (SELECT cpa, "from"::DATE AS f, "to"::DATE AS t, volume_low AS lo, volume_high AS hi FROM read_json(${literal(yearsFile)})),
            b AS (SELECT start_type, max_length_days AS max_len, weight AS w, i FROM read_json(${literal(bandsFile)})),
            s AS (SELECT s.*, (SELECT w FROM b WHERE b.start_type = s.start_type AND (b.max_len IS NULL OR b.max_len >= s.sentence_length_days)
                               ORDER BY i LIMIT 1) AS w
                  FROM read_csv(${literal(starts)}) s JOIN read_csv(${literal(cohort)}) p USING (person_id)
                  WHERE s.allocation = 'CRC' AND NOT s.em_only AND s.start_date - INTERVAL 18 YEAR >= p.date_of_birth),
            v AS (SELECT y.cpa, y.f, any_value(lo) AS lo, any_value(hi) AS hi, coalesce(sum(s.w), 0) AS wv
                  FROM y LEFT JOIN s ON s.cpa = y.cpa AND s.start_date BETWEEN y.f AND y.t GROUP BY y.cpa, y.f)
       SELECT count(*) FILTER (wv > hi)::DOUBLE AS above, count(*) FILTER (wv < lo)::DOUBLE AS below, count(*)::DOUBLE AS years FROM v`,
    );
    expect(rows[0]!.years).toBe(years.length);
    expect(rows[0]!.above).toBeGreaterThan(0);
    expect(rows[0]!.below).toBeGreaterThan(0);
  });
});

describe('pbr synth: command line', () => {
  it('writes the folder and prints it; --json lists the files and row counts', async () => {
    const out = dir('cli');
    const r = await pbrIn(['--json', '--quiet', 'synth', '--out', out, '--scale', '0.005', '--seed', '7']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.out).toBe(out);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual(['cohort.csv', 'starts.csv', 'reconvictions.csv', 'service_levels.csv']);
    expect(j.files.every((f: { rows: number }) => f.rows > 0)).toBe(true);
    expect(r.stderr).toBe('');
  });

  for (const [args, flag] of [
    [['--scale', '-1'], '--scale'],
    [['--scale', 'big'], '--scale'],
    [['--seed', '1.5'], '--seed'],
    [['--format', 'xlsx'], '--format'],
  ] as const) {
    it(`a bad ${flag} (${args[1]}) is a usage error: exit 2 naming the option`, async () => {
      const r = await pbrIn(['synth', '--out', dir('bad'), ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: pbr synth: ${flag}: `));
    });
  }

  it('--out is required', async () => {
    const r = await pbrIn(['synth']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: pbr synth: --out: required/);
  });
});
