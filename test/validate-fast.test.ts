import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, literal } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { loadContract } from '../src/contract/load.js';
import { loadAndValidate, planDataset, prepareDataset, type PreparedInput } from '../src/validate/load.js';
import { tryFastLoad } from '../src/validate/fast.js';
import { loadMapping, type LoadedMapping } from '../src/mapping/load.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { InputError } from '../src/errors.js';
import { brokenDataset, datasetWith } from './helpers/dataset.js';

// The loader's fast path (src/validate/fast.ts) must accept exactly the datasets the full check
// rejects nothing of, and then build the same typed tables, row for row.
const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;
const TABLES = ['cohort', 'starts', 'reconvictions', 'service_levels', 'baselines_input', 'thresholds', 'areas'];

let db: Db;
beforeEach(async () => {
  db = await testDb();
  await db.execMacros('validate_macros');
});
afterEach(() => doneWith(db));

/** The folder's inputs, ready to read (headers checked), as loadDataset prepares them. */
function found(dir: string, mapping: LoadedMapping | null = null): Promise<PreparedInput[]> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pbr-fast-sheets-'));
  return prepareDataset(db, planDataset(dir, mapping), new Map(), () => scratch);
}
const hashes = (dir: string, mapping: LoadedMapping | null = null) =>
  new Map(planDataset(dir, mapping).flatMap((p) => p.sources.map((s) => [s.file, 'x'] as [string, string])));

async function tables(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = await db.all(`SELECT * FROM ${t} ORDER BY ALL`);
  return out;
}

async function bothPaths(dir: string, c = contract, mapping: LoadedMapping | null = null) {
  const fast = await tryFastLoad(db, await found(dir, mapping), c, hashes(dir, mapping));
  const fastTables = fast ? await tables() : null;
  const full = await loadAndValidate(db, await found(dir, mapping), c, hashes(dir, mapping));
  return { fast, fastTables, full, fullTables: await tables() };
}

describe('clean data: the fast path builds what the full check builds', () => {
  it('fixtures/valid', async () => {
    const r = await bothPaths(path.join(FIXTURES_DIR, 'valid'));
    expect(r.full.rejectedRows).toBe(0);
    expect(r.fast).toEqual(r.full);
    expect(r.fastTables).toEqual(r.fullTables);
  });

  it('fixtures/hand (every boundary case of measurement)', async () => {
    const dir = path.join(FIXTURES_DIR, 'hand');
    const c = loadContract(path.join(dir, 'contract.json')).contract;
    const r = await bothPaths(dir, c);
    expect(r.full.rejectedRows).toBe(0);
    expect(r.fastTables).toEqual(r.fullTables);
  });

  it('fixtures/extracts through its mapping (a workbook, part files, a gzipped part): the same tables, the same line numbers', async () => {
    const dir = path.join(FIXTURES_DIR, 'extracts');
    const c = loadContract(path.join(FIXTURES_DIR, 'hand', 'contract.json')).contract;
    const r = await bothPaths(dir, c, loadMapping(path.join(dir, 'mapping.yaml')));
    expect(r.full.rejectedRows).toBe(0);
    expect(r.fast).not.toBeNull();
    expect(r.fastTables).toEqual(r.fullTables);
  });

  it('the same dataset as Parquet files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-fast-parquet-'));
    cpSync(path.join(FIXTURES_DIR, 'valid', 'contract.json'), path.join(dir, 'contract.json'));
    for (const t of ['cohort', 'starts', 'reconvictions']) {
      const src = path.join(FIXTURES_DIR, 'valid', `${t}.csv`);
      await db.run(`COPY (FROM read_csv(${literal(src)}, all_varchar = true)) TO ${literal(path.join(dir, `${t}.parquet`))} (FORMAT parquet)`);
    }
    const r = await bothPaths(dir);
    expect(r.full.rejectedRows).toBe(0);
    expect(r.fastTables).toEqual(r.fullTables);
  });

  it('line numbers: the header is line 1, so the third start is on line 4', async () => {
    await tryFastLoad(db, await found(path.join(FIXTURES_DIR, 'valid')), contract, hashes(path.join(FIXTURES_DIR, 'valid')));
    expect(await db.scalar(`SELECT _line::INTEGER FROM starts WHERE start_id = 'S003'`)).toBe(4);
  });

  it('a valid baselines file and service levels', async () => {
    const dir = datasetWith(
      'baselines.csv',
      'cpa,population,baseline_measurable,baseline_binary_rate,baseline_expected_rate,baseline_frequency_rate\nA1,CRC,100,0.45,0.5,\nALL,CRC,200,0.4,0.45,3.1\n',
    );
    const sl = datasetWith('service_levels.csv', 'cpa,month,measure,achieved,target\nA1,2016-01,contact,0.95,0.9\n');
    for (const d of [dir, sl]) {
      const r = await bothPaths(d);
      expect(r.full.rejectedRows).toBe(0);
      expect(r.fast).not.toBeNull();
      expect(r.fastTables).toEqual(r.fullTables);
    }
  });
});

describe('the duplicate screen (hashes of the keys) and the exact count behind it', () => {
  // hash(key) % 1 is 0 for every key: every file with two or more rows "collides", so only the
  // exact count can let the dataset through
  it('when every hash collides, unique keys still load on the fast path', async () => {
    const dir = path.join(FIXTURES_DIR, 'valid');
    const fast = await tryFastLoad(db, await found(dir), contract, hashes(dir), { screenModulo: 1 });
    expect(fast).not.toBeNull();
    expect(fast!.inputs.find((i) => i.name === 'reconvictions')!.rows_used).toBeGreaterThan(1);
  });

  it('when every hash collides, a repeated offence_id still sends the dataset to the full check', async () => {
    const dir = brokenDataset('duplicate');
    expect(await tryFastLoad(db, await found(dir), contract, hashes(dir), { screenModulo: 1 })).toBeNull();
  });
});

describe('anything the full check would reject sends the dataset to it', () => {
  const broken = readdirSync(path.join(FIXTURES_DIR, 'broken')).sort();
  for (const name of broken) {
    it(`fixtures/broken/${name}`, async () => {
      const dir = brokenDataset(name);
      let fast: unknown;
      try {
        fast = await tryFastLoad(db, await found(dir), contract, hashes(dir));
      } catch (e) {
        // header faults are one-line errors found before either path reads a row
        expect(e).toBeInstanceOf(InputError);
        await expect(found(dir)).rejects.toThrow((e as Error).message);
        return;
      }
      expect(fast).toBeNull();
      expect((await loadAndValidate(db, await found(dir), contract, hashes(dir))).rejectedRows).toBeGreaterThan(0);
    });
  }

  it('a valid thresholds file loads on the fast path; a repeated (cpa, period) or lower above upper does not', async () => {
    const ok = datasetWith('thresholds.csv', 'cpa,period,lower,upper\nA1,2016Q1,0.4,0.5\nA2,*,0.3,0.3\n');
    const r = await bothPaths(ok);
    expect(r.full.rejectedRows).toBe(0);
    expect(r.fast).not.toBeNull();
    expect(r.fastTables).toEqual(r.fullTables);
    for (const rows of ['A1,2016Q1,0.4,0.5\nA1,2016Q1,0.3,0.5', 'A1,2016Q1,0.5,0.4', 'A1,2016-17,0.4,0.5']) {
      const dir = datasetWith('thresholds.csv', `cpa,period,lower,upper\n${rows}\n`);
      expect(await tryFastLoad(db, await found(dir), contract, hashes(dir))).toBeNull();
    }
  });

  it('a duplicate (cpa, population) baseline', async () => {
    const dir = datasetWith('baselines.csv', 'cpa,population,baseline_measurable,baseline_binary_rate,baseline_expected_rate\nA1,CRC,100,0.45,0.5\nA1,CRC,90,0.4,0.5\n');
    expect(await tryFastLoad(db, await found(dir), contract, hashes(dir))).toBeNull();
  });

  it('a baseline for an area outside the contract', async () => {
    const dir = datasetWith('baselines.csv', 'cpa,population,baseline_measurable,baseline_binary_rate,baseline_expected_rate\nZZ,CRC,100,0.45,0.5\n');
    expect(await tryFastLoad(db, await found(dir), contract, hashes(dir))).toBeNull();
  });

  it('an offence of a person missing from the cohort', async () => {
    const dir = datasetWith('reconvictions.csv', 'offence_id,person_id,offence_date,disposal_date,disposal_type,court_event_id,breach\nO1,P999,2016-05-01,2016-06-01,CONVICTION,,false\n');
    expect(await tryFastLoad(db, await found(dir), contract, hashes(dir))).toBeNull();
  });
});
