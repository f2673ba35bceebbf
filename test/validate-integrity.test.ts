import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { type Db, literal } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { loadContract, parseContract } from '../src/contract/load.js';
import { loadDataset, type RejectRow } from '../src/validate/load.js';
import { describeRejects, summarise, writeValidationJson } from '../src/core/validationReport.js';
import { InputError } from '../src/errors.js';
import { FIXTURES_DIR } from '../src/paths.js';
import { datasetWith } from './helpers/dataset.js';

// Method.md section 11 (end) and the input side of issue 13, without a mapping: nothing an
// extract holds may become a figure silently. fixtures/valid: 4 persons (P001-P004), 5 starts,
// 4 offences; the header is line 1.
const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;
const validFile = (f: string) => readFileSync(path.join(FIXTURES_DIR, 'valid', f), 'utf8');

let db: Db;
beforeEach(async () => {
  db = await testDb();
});
afterEach(() => doneWith(db));

async function rejectsOf(dir: string, c = contract): Promise<RejectRow[]> {
  await loadDataset(db, dir, c);
  return db.all<RejectRow>(`SELECT file, line::INTEGER AS line, "column", value, reason FROM rejects ORDER BY file, line, "column"`);
}

const MARKER = 'looks like a missing-value marker; if it means missing, list it under missing_values in a mapping file (--mapping), otherwise correct it';

describe('missing-value markers in ids, codes and dates are rejected', () => {
  it("a SQL export's NULL in court_event_id is not a court event", async () => {
    // O001 and O002 share court event C1; a NULL in O004 (line 5) would become an event 'NULL'
    const dir = datasetWith('reconvictions.csv', validFile('reconvictions.csv').replace('2016-09-01,CONVICTION,,false', '2016-09-01,CONVICTION,NULL,false'));
    expect(await rejectsOf(dir)).toEqual([{ file: 'reconvictions.csv', line: 5, column: 'court_event_id', value: 'NULL', reason: MARKER }]);
  });

  it('each of NULL, null, NA, N/A, #N/A, None and - in a person_id', async () => {
    const markers = ['NULL', 'null', 'NA', 'N/A', '#N/A', 'None', '-'];
    const lines = markers.map((m, i) => `${m},1980-01-0${i + 1},M,true`);
    const dir = datasetWith('cohort.csv', `${validFile('cohort.csv')}${lines.join('\n')}\n`);
    const r = await rejectsOf(dir);
    // cohort.csv lines 6-12 hold the seven markers (header + 4 persons = lines 1-5)
    expect(r.map((x) => [x.line, x.column, x.value, x.reason])).toEqual(markers.map((m, i) => [6 + i, 'person_id', m, MARKER]));
  });

  it('a marker in a date and in a code column', async () => {
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace('S002,P002,2011-06-30,SSO', 'S002,P002,N/A,SSO').replace('S004,P004,2016-02-10,CO,720,A2', 'S004,P004,2016-02-10,CO,720,None'));
    expect((await rejectsOf(dir)).map((x) => [x.line, x.column, x.value, x.reason])).toEqual([
      [3, 'start_date', 'N/A', MARKER],
      [5, 'cpa', 'None', MARKER],
    ]);
  });
});

describe('area codes', () => {
  const noAreas = parseContract({ contract: 'no-areas', cohort: { period: 'quarter', from: '2016-01-01', to: '2016-03-31' }, follow_up: { as_of: '2018-01-31' } });

  it("a cpa coded ALL (any case) is reserved for all areas together, even when the contract lists no areas", async () => {
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace(',365,A1,CRC,false,0.62', ',365,all,CRC,false,0.62'));
    expect(await rejectsOf(dir, noAreas)).toEqual([
      { file: 'starts.csv', line: 2, column: 'cpa', value: 'all', reason: 'ALL is reserved for all areas together; give the area another code' },
    ]);
  });

  it('a cpa longer than 40 characters is rejected', async () => {
    const long = 'A'.repeat(41);
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace(',365,A1,CRC,false,0.62', `,365,${long},CRC,false,0.62`));
    expect(await rejectsOf(dir, noAreas)).toEqual([{ file: 'starts.csv', line: 2, column: 'cpa', value: long, reason: 'an area code has at most 40 characters' }]);
  });

  it('a cpa of exactly 40 characters is an area', async () => {
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace(',365,A1,CRC,false,0.62', `,365,${'A'.repeat(40)},CRC,false,0.62`));
    expect(await rejectsOf(dir, noAreas)).toEqual([]);
  });
});

describe('files the reader would misread get their own one-line message', () => {
  const loadFails = async (dir: string, re: RegExp) => {
    const err = await loadDataset(db, dir, contract).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toMatch(/\n/);
  };

  it('a truncated .csv.gz is refused, never read as a shorter file', async () => {
    // 120 starts gzipped, cut to its first 957 bytes (the reproduction of issue 13)
    const lines = ['start_id,person_id,start_date,start_type,sentence_length_days,cpa,allocation,em_only,ogrs'];
    for (let i = 0; i < 120; i++) lines.push(`S${1000 + i},P00${1 + (i % 4)},2016-0${1 + (i % 3)}-1${i % 10},CO,${100 + i},A${1 + (i % 2)},CRC,false,0.${10 + (i % 89)}`);
    const gz = gzipSync(`${lines.join('\n')}\n`);
    expect(gz.length).toBeGreaterThan(957);
    const dir = datasetWith('starts.csv.gz', gz.subarray(0, 957));
    rmSync(path.join(dir, 'starts.csv'));
    await loadFails(dir, /starts\.csv\.gz: the compressed file ends early \(truncated.*nothing of it was loaded/);
  });

  it('a whole .csv.gz loads', async () => {
    const dir = datasetWith('starts.csv.gz', gzipSync(validFile('starts.csv')));
    rmSync(path.join(dir, 'starts.csv'));
    const r = await loadDataset(db, dir, contract);
    expect(r.inputs.find((i) => i.name === 'starts')).toMatchObject({ file: 'starts.csv.gz', rows_read: 5, rows_used: 5 });
  });

  it('a NUL byte inside a value names its line', async () => {
    // S003 is on line 4
    await loadFails(datasetWith('starts.csv', validFile('starts.csv').replace('S003', 'S0\u000003')), /starts\.csv: line 4: a NUL byte/);
  });

  it('a UTF-16 file', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(validFile('cohort.csv'), 'utf16le')]);
    await loadFails(datasetWith('cohort.csv', utf16), /cohort\.csv: the file is UTF-16 text; save it as UTF-8/);
  });

  it('CR-only line endings', async () => {
    await loadFails(datasetWith('cohort.csv', validFile('cohort.csv').replace(/\n/g, '\r')), /cohort\.csv: lines end with a carriage return only/);
  });

  it('an empty file', async () => {
    await loadFails(datasetWith('cohort.csv', ''), /cohort\.csv: the file is empty \(not even a header row\)/);
  });

  it('a folder where an input file should be', async () => {
    const dir = datasetWith('starts.csv', '');
    rmSync(path.join(dir, 'starts.csv'));
    mkdirSync(path.join(dir, 'starts.csv'));
    await loadFails(dir, /starts\.csv: is a folder, not a file/);
  });

  it('a symbolic link to a folder where an input file should be', async () => {
    const dir = datasetWith('starts.csv', '');
    rmSync(path.join(dir, 'starts.csv'));
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'starts.csv'));
    await loadFails(dir, /starts\.csv: is a folder, not a file/);
  });
});

describe('line numbers', () => {
  it('stay right after blank lines', async () => {
    // header (1), S001 (2), blank (3), S002 (4), blank (5), blank (6), S003 (7), S004 (8), bad S005 (9)
    const [head, ...rows] = validFile('starts.csv').trimEnd().split('\n');
    const text = [head, rows[0], '', rows[1], '', '', rows[2], rows[3], rows[4]!.replace(',365,', ',0,')].join('\n');
    const dir = datasetWith('starts.csv', `${text}\n`);
    expect(await rejectsOf(dir)).toEqual([{ file: 'starts.csv', line: 9, column: 'sentence_length_days', value: '0', reason: 'must be at least 1' }]);
    expect(await db.all(`SELECT start_id, _line::INTEGER AS line FROM starts ORDER BY _line`)).toEqual([
      { start_id: 'S001', line: 2 },
      { start_id: 'S002', line: 4 },
      { start_id: 'S003', line: 7 },
      { start_id: 'S004', line: 8 },
    ]);
  });

  it('stay right after blank lines in a CR LF file', async () => {
    // the same lines as above, ended by CR LF (a Windows export)
    const [head, ...rows] = validFile('starts.csv').trimEnd().split('\n');
    const text = [head, rows[0], '', rows[1], '', '', rows[2], rows[3], rows[4]!.replace(',365,', ',0,')].join('\r\n');
    const dir = datasetWith('starts.csv', `${text}\r\n`);
    expect(await rejectsOf(dir)).toEqual([{ file: 'starts.csv', line: 9, column: 'sentence_length_days', value: '0', reason: 'must be at least 1' }]);
    expect(await db.all(`SELECT start_id, _line::INTEGER AS line FROM starts ORDER BY _line`)).toEqual([
      { start_id: 'S001', line: 2 },
      { start_id: 'S002', line: 4 },
      { start_id: 'S003', line: 7 },
      { start_id: 'S004', line: 8 },
    ]);
  });

  it('blank lines at the very end change nothing', async () => {
    const dir = datasetWith('starts.csv', `${validFile('starts.csv')}\n\n`);
    const r = await loadDataset(db, dir, contract);
    expect(r.rejectedRows).toBe(0);
    expect(await db.scalar(`SELECT _line::INTEGER FROM starts WHERE start_id = 'S005'`)).toBe(6);
  });
});

describe('values are never echoed raw', () => {
  it('control characters are escaped and long values cut, in validation.json and on the terminal', async () => {
    // a person_id with a terminal escape sequence, 300 characters long, on line 2 of starts.csv
    const evil = `\u001b[31m${'X'.repeat(300)}`;
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace('S001,P001,', `S001,${evil},`));
    const r = await loadDataset(db, dir, contract);
    const summary = summarise(r.inputs, r.rejectedRows, r.rejectCount);
    const out = path.join(dir, 'validation.json');
    await writeValidationJson(db, out, summary);
    const v = JSON.parse(readFileSync(out, 'utf8')) as { rejects: RejectRow[] };
    // \x1b[31m + 300 X: 305 characters escaped, cut to 197 and '...'
    expect(v.rejects[0]!.value).toBe(`\\x1b[31m${'X'.repeat(197 - 8)}...`);
    const lines = await describeRejects(db, summary, 10);
    expect(lines.join('\n')).not.toMatch(/\u001b/);
    // the terminal shows 60 characters: 57 and '...'
    expect(lines.join('\n')).toContain(`(value '\\x1b[31m${'X'.repeat(57 - 8)}...')`);
  });
});

describe('Parquet DOUBLE values', () => {
  it('OGRS such as 1e-05 and 0.30000000000000004 are read as their decimals (rounded to 12 places)', async () => {
    const dir = datasetWith('starts.csv', validFile('starts.csv'));
    rmSync(path.join(dir, 'starts.csv'));
    await db.run(
      `COPY (SELECT * REPLACE (CASE start_id WHEN 'S001' THEN 1e-05 WHEN 'S002' THEN 0.30000000000000004 ELSE CAST(ogrs AS DOUBLE) END AS ogrs)
             FROM read_csv(${literal(path.join(FIXTURES_DIR, 'valid', 'starts.csv'))}, all_varchar = true))
       TO ${literal(path.join(dir, 'starts.parquet'))} (FORMAT parquet)`,
    );
    const r = await loadDataset(db, dir, contract);
    expect(r.rejectedRows).toBe(0);
    expect(await db.all(`SELECT start_id, ogrs::VARCHAR AS ogrs FROM starts WHERE start_id IN ('S001', 'S002') ORDER BY start_id`)).toEqual([
      { start_id: 'S001', ogrs: '0.000010000000' },
      { start_id: 'S002', ogrs: '0.300000000000' },
    ]);
  });

  it('CSV text keeps its rule: an exponent is not a decimal', async () => {
    const dir = datasetWith('starts.csv', validFile('starts.csv').replace(',0.62', ',1e-05'));
    expect((await rejectsOf(dir)).map((x) => [x.line, x.column, x.reason])).toEqual([[2, 'ogrs', 'not a decimal number']]);
  });
});

describe('thresholds.* (method.md section 13)', () => {
  const head = 'cpa,period,lower,upper';
  const thresholds = (rows: string[]) => datasetWith('thresholds.csv', `${[head, ...rows].join('\n')}\n`);

  it('loads into the typed table thresholds with its line numbers', async () => {
    const dir = thresholds(['A1,2016Q1,0.4,0.5', 'A2,*,0.35,0.45']);
    const r = await loadDataset(db, dir, contract);
    expect(r.rejectedRows).toBe(0);
    expect(await db.all(`SELECT cpa, period, lower::VARCHAR AS lower, upper::VARCHAR AS upper, _line::INTEGER AS line FROM thresholds ORDER BY _line`)).toEqual([
      { cpa: 'A1', period: '2016Q1', lower: '0.400000000000', upper: '0.500000000000', line: 2 },
      { cpa: 'A2', period: '*', lower: '0.350000000000', upper: '0.450000000000', line: 3 },
    ]);
  });

  it('a period that is not a label of the contract (quarters) nor *', async () => {
    const r = await rejectsOf(thresholds(['A1,2016,0.4,0.5', 'A1,2016Q5,0.4,0.5']));
    const why = 'not a period label of the contract (quarters such as 2019Q3) nor *';
    expect(r.map((x) => [x.line, x.column, x.value, x.reason])).toEqual([
      [2, 'period', '2016', why],
      [3, 'period', '2016Q5', why],
    ]);
  });

  it('lower above upper', async () => {
    const r = await rejectsOf(thresholds(['A1,2016Q1,0.5,0.4', 'A2,2016Q1,0.4,0.4']));
    // line 3 has lower = upper: a band of zero width is allowed
    expect(r.map((x) => [x.line, x.column, x.reason])).toEqual([[2, 'upper', 'upper is below lower 0.5: the band must have lower <= upper']]);
  });

  it('a repeated (cpa, period) pair', async () => {
    const r = await rejectsOf(thresholds(['A1,2016Q1,0.4,0.5', 'A1,*,0.4,0.5', 'A1,2016Q1,0.3,0.5']));
    expect(r.map((x) => [x.line, x.reason])).toEqual([
      [2, 'duplicate threshold for A1 / 2016Q1 (first on line 2)'],
      [4, 'duplicate threshold for A1 / 2016Q1 (first on line 2)'],
    ]);
  });

  it('an area outside the contract and ALL', async () => {
    const r = await rejectsOf(thresholds(['A9,2016Q1,0.4,0.5', 'ALL,2016Q1,0.4,0.5']));
    expect(r.map((x) => [x.line, x.reason])).toEqual([
      [2, "area 'A9' is not in the contract's areas"],
      [3, 'ALL is reserved for all areas together; give the area another code'],
    ]);
  });
});
