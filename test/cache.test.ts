import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { datasetWith } from './helpers/dataset.js';

const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;
let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'pbr-cache-'));
  process.env.PBR_CACHE = 'on';
  process.env.PBR_CACHE_DIR = root;
});
afterEach(() => {
  process.env.PBR_CACHE = 'off';
  delete process.env.PBR_CACHE_DIR;
});

async function load(dir: string) {
  const db = await Db.open();
  try {
    const r = await loadDataset(db, dir, contract);
    const starts = await db.all(`SELECT start_id, start_date::VARCHAR AS d, ogrs::VARCHAR AS ogrs, _line::INTEGER AS line FROM starts ORDER BY _line`);
    const rejects = await db.all(`SELECT file, line::INTEGER AS line, "column", reason FROM rejects ORDER BY line`);
    return { r, starts, rejects };
  } finally {
    db.close();
  }
}

describe('Parquet cache of validated inputs', () => {
  it('a second load of unchanged inputs restores the same tables and counts from one cache entry', async () => {
    const dir = datasetWith('notes.txt', 'unused');
    const first = await load(dir);
    expect(readdirSync(root)).toHaveLength(1);
    const second = await load(dir);
    expect(readdirSync(root)).toHaveLength(1);
    expect(second.starts).toEqual(first.starts);
    expect(second.r.inputs.map((i) => [i.file, i.sha256, i.rows_used])).toEqual(first.r.inputs.map((i) => [i.file, i.sha256, i.rows_used]));
  });

  it('a changed input makes a new entry, with the new row and its reject', async () => {
    const dir = datasetWith('notes.txt', 'unused');
    await load(dir);
    appendFileSync(path.join(dir, 'starts.csv'), 'S006,P004,2016-03-01,CO,0,A2,CRC,false,0.3\n');
    const changed = await load(dir);
    expect(readdirSync(root)).toHaveLength(2);
    expect(changed.rejects).toEqual([{ file: 'starts.csv', line: 7, column: 'sentence_length_days', reason: 'must be at least 1' }]);
  });
});
