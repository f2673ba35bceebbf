import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Db } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset, type RejectRow } from '../src/validate/load.js';
import { InputError } from '../src/errors.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { brokenDataset } from './helpers/dataset.js';

// fixtures/valid: 4 persons, 5 starts, 4 offences, areas A1 and A2 in the contract.
// Each fixtures/broken/NAME replaces one file of it with one deliberate fault (one per rule of
// method.md section 11). Line numbers count the header as line 1.
const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;

let db: Db;
beforeEach(async () => {
  db = await testDb();
});
afterEach(() => doneWith(db));

async function rejectsOf(dir: string): Promise<RejectRow[]> {
  await loadDataset(db, dir, contract);
  return db.all<RejectRow>(`SELECT file, line::INTEGER AS line, "column", value, reason FROM rejects ORDER BY file, line, "column"`);
}

describe('valid data', () => {
  it('uses every row and rejects none', async () => {
    const r = await loadDataset(db, path.join(FIXTURES_DIR, 'valid'), contract);
    expect(r.rejectedRows).toBe(0);
    expect(r.inputs.map((i) => [i.file, i.rows_read, i.rows_used, i.rows_rejected])).toEqual([
      ['cohort.csv', 4, 4, 0],
      ['starts.csv', 5, 5, 0],
      ['reconvictions.csv', 4, 4, 0],
    ]);
  });

  it('types the columns: dates, booleans, integers, exact decimals, empty court_event_id as missing', async () => {
    await loadDataset(db, path.join(FIXTURES_DIR, 'valid'), contract);
    const [s] = await db.all(`SELECT start_date::VARCHAR AS d, sentence_length_days AS n, em_only, ogrs::VARCHAR AS ogrs, _line::INTEGER AS line FROM starts WHERE start_id = 'S002'`);
    expect(s).toEqual({ d: '2011-06-30', n: 180, em_only: false, ogrs: '0.410000000000', line: 3 });
    const [o] = await db.all(`SELECT court_event_id, breach FROM reconvictions WHERE offence_id = 'O003'`);
    expect(o).toEqual({ court_event_id: null, breach: false });
    const [c] = await db.all(`SELECT "group", pnc_matched FROM cohort WHERE person_id = 'P003'`);
    expect(c).toEqual({ group: 'treatment', pnc_matched: false });
  });

  it("lists the contract's areas in file order", async () => {
    await loadDataset(db, path.join(FIXTURES_DIR, 'valid'), contract);
    expect(await db.all(`SELECT cpa, name, area_order FROM areas ORDER BY area_order`)).toEqual([
      { cpa: 'A1', name: 'Area One', area_order: 1 },
      { cpa: 'A2', name: 'Area Two', area_order: 2 },
    ]);
  });
});

describe('each broken fixture is reported with file, line, column and reason', () => {
  const cases: [string, RejectRow[]][] = [
    ['type', [{ file: 'starts.csv', line: 3, column: 'sentence_length_days', value: 'six months', reason: 'not a whole number' }]],
    [
      'missing',
      [
        { file: 'cohort.csv', line: 3, column: 'sex', value: null, reason: 'missing required value' },
        { file: 'reconvictions.csv', line: 4, column: 'person_id', value: 'P002', reason: 'person_id refers to a rejected row of cohort.csv (line 3)' },
        { file: 'starts.csv', line: 3, column: 'person_id', value: 'P002', reason: 'person_id refers to a rejected row of cohort.csv (line 3)' },
      ],
    ],
    ['enum', [{ file: 'starts.csv', line: 4, column: 'start_type', value: 'LICENCE', reason: 'not one of CO, SSO, CUSTODY_RELEASE' }]],
    [
      'duplicate',
      [
        { file: 'reconvictions.csv', line: 3, column: 'offence_id', value: 'O002', reason: 'duplicate offence_id: 2 rows share it (first on line 3)' },
        { file: 'reconvictions.csv', line: 6, column: 'offence_id', value: 'O002', reason: 'duplicate offence_id: 2 rows share it (first on line 3)' },
      ],
    ],
    ['unknown-person', [{ file: 'reconvictions.csv', line: 4, column: 'person_id', value: 'P999', reason: 'unknown person_id: not in cohort.csv' }]],
    ['unknown-area', [{ file: 'starts.csv', line: 5, column: 'cpa', value: 'A9', reason: "area 'A9' is not in the contract's areas" }]],
    [
      'disposal-before-offence',
      [{ file: 'reconvictions.csv', line: 5, column: 'disposal_date', value: '2016-05-31', reason: 'disposal_date is before offence_date 2016-06-01' }],
    ],
    [
      'date-range',
      [
        { file: 'cohort.csv', line: 4, column: 'date_of_birth', value: '1899-12-31', reason: 'date outside 1900-2100' },
        { file: 'starts.csv', line: 4, column: 'person_id', value: 'P003', reason: 'person_id refers to a rejected row of cohort.csv (line 4)' },
      ],
    ],
    [
      'boolean',
      [
        { file: 'cohort.csv', line: 5, column: 'pnc_matched', value: 'yes', reason: 'not a boolean: expected true or false' },
        { file: 'starts.csv', line: 5, column: 'person_id', value: 'P004', reason: 'person_id refers to a rejected row of cohort.csv (line 5)' },
      ],
    ],
    ['ogrs-range', [{ file: 'starts.csv', line: 4, column: 'ogrs', value: '1.2', reason: 'must be between 0 and 1' }]],
    ['bad-date', [{ file: 'starts.csv', line: 6, column: 'start_date', value: '2016-02-30', reason: 'not a real calendar date' }]],
    [
      'too-many-columns',
      [
        {
          file: 'reconvictions.csv',
          line: 6,
          column: '(row)',
          value: 'O005,P004,2016-06-01,2016-09-01,CONVICTION,C7,false,extra',
          reason: 'too many columns: Expected Number of Columns: 7 Found: 8',
        },
      ],
    ],
  ];
  for (const [name, expected] of cases) {
    it(name, async () => {
      expect(await rejectsOf(brokenDataset(name))).toEqual(expected);
    });
  }

  it('encoding: a row that is not UTF-8 is rejected at its line', async () => {
    const r = await rejectsOf(brokenDataset('encoding'));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ file: 'cohort.csv', line: 6, column: 'person_id' });
    expect(r[0]!.reason).toMatch(/^invalid encoding: .*not utf-8 encoded/);
  });

  it('line numbers after a rejected row still match the file', async () => {
    // too-many-columns puts the bad row last; here a reader-rejected row sits before good ones.
    const dir = brokenDataset('too-many-columns');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const p = path.join(dir, 'reconvictions.csv');
    const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
    // header, O001, O002, BAD, O003, O004 (bad row moved to line 4)
    const bad = lines.pop()!;
    lines.splice(3, 0, bad);
    writeFileSync(p, `${lines.join('\n')}\n`);
    await loadDataset(db, dir, contract);
    const rows = await db.all(`SELECT offence_id, _line::INTEGER AS line FROM reconvictions ORDER BY _line`);
    expect(rows).toEqual([
      { offence_id: 'O001', line: 2 },
      { offence_id: 'O002', line: 3 },
      { offence_id: 'O003', line: 5 },
      { offence_id: 'O004', line: 6 },
    ]);
  });

  it('line numbers after two consecutive rejected rows and one more still match the file', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = brokenDataset('type');
    writeFileSync(
      path.join(dir, 'reconvictions.csv'),
      [
        'offence_id,person_id,offence_date,disposal_date,disposal_type,court_event_id,breach',
        'O001,P001,2011-05-01,2011-07-01,CONVICTION,C1,false', // line 2
        'BAD1,P001', // line 3: too few fields
        'BAD2,P001,2011-05-01', // line 4: too few fields
        'O002,P001,2011-05-02,2011-07-01,CONVICTION,C1,false', // line 5
        'BAD3,P002,x,y,z,w,v,u', // line 6: too many fields
        'O003,P002,2012-01-15,2012-03-01,CAUTION,,false', // line 7
        '',
      ].join('\n'),
    );
    await loadDataset(db, dir, contract);
    expect(await db.all(`SELECT offence_id, _line::INTEGER AS line FROM reconvictions ORDER BY _line`)).toEqual([
      { offence_id: 'O001', line: 2 },
      { offence_id: 'O002', line: 5 },
      { offence_id: 'O003', line: 7 },
    ]);
    expect(await db.all(`SELECT DISTINCT line::INTEGER AS line FROM rejects WHERE file = 'reconvictions.csv' ORDER BY line`)).toEqual([
      { line: 3 },
      { line: 4 },
      { line: 6 },
    ]);
  });

  it('missing-column: a required column absent from the header stops at line 1', async () => {
    await expect(loadDataset(db, brokenDataset('missing-column'), contract)).rejects.toThrow(
      /cohort\.csv: line 1: required column 'pnc_matched' is missing from the header/,
    );
  });

  it('unknown-column: a column the format does not know stops at line 1 with its position', async () => {
    await expect(loadDataset(db, brokenDataset('unknown-column'), contract)).rejects.toThrow(
      /cohort\.csv: line 1, column 4: unknown column 'pnc_match'/,
    );
  });

  it('a missing required file is named', async () => {
    const { rmSync } = await import('node:fs');
    const dir = brokenDataset('type');
    rmSync(path.join(dir, 'reconvictions.csv'));
    await expect(loadDataset(db, dir, contract)).rejects.toThrow(InputError);
    await expect(loadDataset(db, dir, contract)).rejects.toThrow(/reconvictions\.csv: required file is missing/);
  });
});
