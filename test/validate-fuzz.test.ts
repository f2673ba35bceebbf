import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { InputError } from '../src/errors.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { datasetWith } from './helpers/dataset.js';

// Property: whatever bytes a file holds, loading ends either with the rows used/rejected and
// counted, or with an InputError (exit 2) naming the file. Never another error, never a hang
// (vitest's timeout would catch one). The generator is seeded, so a failure is reproducible.
const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;
const validStarts = readFileSync(path.join(FIXTURES_DIR, 'valid', 'starts.csv'));

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(seed: number): Buffer {
  const r = prng(seed);
  const kind = seed % 5;
  const b = Buffer.from(validStarts);
  switch (kind) {
    case 0: // random bytes after the header
      return Buffer.concat([b.subarray(0, b.indexOf(0x0a) + 1), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 400) }, () => Math.floor(r() * 256)))]);
    case 1: // truncated at a random byte
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: // random bytes flipped in place
      for (let i = 0; i < 1 + r() * 8; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    case 3: // UTF-16 with a BOM
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8'), 'utf16le')]);
    default: // Latin-1 text with accented ids, CRLF line ends and a stray quote
      return Buffer.from(b.toString('utf8').replace(/S00/g, 'Sé0').replace(/\n/g, '\r\n').replace('CO,365', 'CO,"365'), 'latin1');
  }
}

let db: Db;
beforeAll(async () => {
  db = await Db.open();
});
afterAll(() => db.close());

describe('loader fuzz: random bytes, truncation, wrong encodings', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed} (${['random bytes', 'truncated', 'flipped bytes', 'UTF-16', 'Latin-1/CRLF/quote'][seed % 5]})`, async () => {
      const dir = datasetWith('starts.csv', mutate(seed));
      try {
        const r = await loadDataset(db, dir, contract);
        const starts = r.inputs.find((i) => i.name === 'starts')!;
        expect(starts.rows_used + starts.rows_rejected).toBe(starts.rows_read);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as Error).message).toMatch(/starts\.csv/);
        expect((e as Error).message).not.toMatch(/\n/);
      }
    });
  }
});
