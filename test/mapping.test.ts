import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Db } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset, type LoadResult, type RejectRow } from '../src/validate/load.js';
import { loadMapping, parseMapping, type LoadedMapping } from '../src/mapping/load.js';
import { mappingJsonSchema } from '../src/mapping/schema.js';
import { InputError } from '../src/errors.js';
import { FIXTURES_DIR } from '../src/paths.js';

// The mapping file (formats.md section 5), rule by rule, on tiny folders: fixtures/valid (4
// persons P001-P004, 5 starts, 4 offences, areas A1 and A2) with one input given in another shape.
const contract = loadContract(path.join(FIXTURES_DIR, 'valid', 'contract.json')).contract;

let db: Db;
beforeEach(async () => {
  db = await testDb();
});
afterEach(() => doneWith(db));

/** fixtures/valid plus the given files, and the mapping as loadMapping would return it. */
function folder(files: Record<string, string | Buffer>, mapping: unknown): { dir: string; mapping: LoadedMapping } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-mapping-'));
  cpSync(path.join(FIXTURES_DIR, 'valid'), dir, { recursive: true });
  for (const [f, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), bytes);
  }
  const text = JSON.stringify(mapping);
  return { dir, mapping: { mapping: parseMapping(mapping), path: 'mapping.json', file: 'mapping.json', sha256: createHash('sha256').update(text).digest('hex') } };
}

async function load(f: { dir: string; mapping: LoadedMapping }): Promise<LoadResult> {
  return loadDataset(db, f.dir, contract, { mapping: f.mapping });
}

async function rejects(): Promise<RejectRow[]> {
  return db.all<RejectRow>(`SELECT file, line::INTEGER AS line, "column", value, reason FROM rejects ORDER BY file, line, "column"`);
}

async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  expect((e as Error).message).not.toMatch(/\n/);
  return (e as Error).message;
}

const cohortOf = () => db.all(`SELECT person_id, date_of_birth::VARCHAR AS dob, sex, pnc_matched, "group" FROM cohort ORDER BY person_id`);
const VALID_COHORT = [
  { person_id: 'P001', dob: '1980-05-17', sex: 'M', pnc_matched: true, group: 'treatment' },
  { person_id: 'P002', dob: '1992-02-29', sex: 'F', pnc_matched: true, group: 'treatment' },
  { person_id: 'P003', dob: '1975-11-30', sex: 'M', pnc_matched: false, group: 'treatment' },
  { person_id: 'P004', dob: '1999-07-01', sex: 'U', pnc_matched: true, group: 'treatment' },
];
const people = (rows: string[]) => `CRN,DOB,GENDER,PNC,TEAM\n${rows.join('\n')}\n`;
const PEOPLE = ['P001,17/05/1980,Male,Y,T1', 'P002,29/02/1992,Female,Y,T1', 'P003,30/11/1975,Male,N,T2', 'P004,01/07/1999,Not Known,Y,T2'];
const cohortMapping = (extra: Record<string, unknown> = {}, defaults: Record<string, unknown> = {}) => ({
  inputs: {
    cohort: {
      files: 'people.csv',
      columns: { person_id: 'CRN', date_of_birth: 'DOB', sex: 'GENDER', pnc_matched: 'PNC' },
      values: { sex: { Male: 'M', Female: 'F', 'Not Known': 'U' } },
      ignore_columns: ['TEAM'],
      ...extra,
    },
  },
  defaults: { date_formats: ['%d/%m/%Y'], true_values: ['Y'], false_values: ['N'], ...defaults },
});

describe('the mapping file is checked before anything is read', () => {
  it('an unknown key names its path', () => {
    expect(() => parseMapping({ inputs: { cohort: { colums: {} } } }, 'm.yaml')).toThrow(/^m\.yaml: inputs\.cohort: unknown key\(s\) 'colums'/);
  });

  it('a column the input does not have', () => {
    expect(() => parseMapping({ inputs: { cohort: { columns: { person: 'CRN' } } } }, 'm.yaml')).toThrow(
      /^m\.yaml: inputs\.cohort\.columns\.person: not a column of cohort \(its columns: person_id, date_of_birth, sex, pnc_matched, group\)/,
    );
  });

  it('a value mapped to something the engine does not know', () => {
    expect(() => parseMapping({ inputs: { cohort: { values: { sex: { Male: 'MALE' } } } } }, 'm.yaml')).toThrow(
      /^m\.yaml: inputs\.cohort\.values\.sex\.Male: 'MALE' is not a value of sex \(expected one of M, F, U\)/,
    );
  });

  it('a token listed as both true and false', () => {
    expect(() => parseMapping({ defaults: { true_values: ['Y', '1'], false_values: ['N', '1'] } }, 'm.yaml')).toThrow(/^m\.yaml: defaults\.false_values: '1' is listed as both true and false/);
  });

  it('a delimiter of two characters', () => {
    expect(() => parseMapping({ inputs: { starts: { delimiter: ';;' } } }, 'm.yaml')).toThrow(/^m\.yaml: inputs\.starts\.delimiter: a delimiter is one character/);
  });

  it('YAML and JSON files read alike; a syntax error names the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-mapping-file-'));
    writeFileSync(path.join(dir, 'm.yaml'), 'inputs:\n  cohort:\n    columns: { person_id: CRN }\n');
    writeFileSync(path.join(dir, 'm.json'), '{"inputs": {"cohort": {"columns": {"person_id": "CRN"}}}}');
    writeFileSync(path.join(dir, 'bad.yaml'), 'inputs: [\n');
    expect(loadMapping(path.join(dir, 'm.yaml')).mapping).toEqual(loadMapping(path.join(dir, 'm.json')).mapping);
    expect(() => loadMapping(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => loadMapping(path.join(dir, 'none.yaml'))).toThrow(/none\.yaml: cannot read the mapping file; check the path given to --mapping/);
  });

  it('its JSON Schema describes every key', () => {
    const missing: string[] = [];
    const walk = (s: Record<string, unknown>, at: string) => {
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!v.description) missing.push(`${at}${k}`);
        walk(v, `${at}${k}.`);
        if (v.additionalProperties && typeof v.additionalProperties === 'object') walk(v.additionalProperties as Record<string, unknown>, `${at}${k}.*.`);
      }
    };
    const schema = mappingJsonSchema();
    walk(schema, '');
    expect(missing).toEqual([]);
    expect(schema.title).toBe('pbr-engine mapping file');
    expect(Object.keys(schema.properties as object)).toEqual(['$schema', 'inputs', 'defaults']);
  });
});

describe('columns: renames, ignored columns, and nothing dropped unnoticed', () => {
  it('renamed headers, value maps, Y/N and UK dates give the canonical cohort', async () => {
    await load(folder({ 'people.csv': people(PEOPLE) }, cohortMapping()));
    expect(await cohortOf()).toEqual(VALID_COHORT);
  });

  it('a source column neither mapped nor ignored is an error naming it', async () => {
    const msg = await failure(load(folder({ 'people.csv': people(PEOPLE) }, cohortMapping({ ignore_columns: [] }))));
    expect(msg).toMatch(/people\.csv: line 1, column 5: column 'TEAM' is neither mapped nor ignored; map it under inputs\.cohort\.columns or list it in inputs\.cohort\.ignore_columns$/);
  });

  it('a mapped source column missing from the header', async () => {
    const msg = await failure(load(folder({ 'people.csv': people(PEOPLE) }, cohortMapping({ columns: { person_id: 'CRN_NO', date_of_birth: 'DOB', sex: 'GENDER', pnc_matched: 'PNC' }, ignore_columns: ['TEAM', 'CRN'] }))));
    expect(msg).toMatch(/people\.csv: line 1: column 'CRN_NO' \(mapped to person_id in inputs\.cohort\.columns\) is missing from the header/);
  });

  it('an engine column not in columns is looked up by its own name', async () => {
    const text = `person_id,DOB,GENDER,PNC\nP001,17/05/1980,Male,Y\nP002,29/02/1992,Female,Y\nP003,30/11/1975,Male,N\nP004,01/07/1999,Not Known,Y\n`;
    await load(folder({ 'people.csv': text }, cohortMapping({ columns: { date_of_birth: 'DOB', sex: 'GENDER', pnc_matched: 'PNC' }, ignore_columns: [] })));
    expect(await cohortOf()).toEqual(VALID_COHORT);
  });
});

describe('values, tokens and dates', () => {
  it('a value not in values is rejected at its source file, line and column', async () => {
    // P003 (line 4) has GENDER 'Mle'
    await load(folder({ 'people.csv': people(PEOPLE.map((l) => l.replace('P003,30/11/1975,Male', 'P003,30/11/1975,Mle'))) }, cohortMapping()));
    expect((await rejects()).filter((r) => r.file === 'people.csv')).toEqual([{ file: 'people.csv', line: 4, column: 'sex (GENDER)', value: 'Mle', reason: 'not one of M, F, U' }]);
  });

  it('a boolean token not listed is rejected', async () => {
    await load(folder({ 'people.csv': people(PEOPLE.map((l) => l.replace('Male,N,', 'Male,Maybe,'))) }, cohortMapping()));
    expect((await rejects()).filter((r) => r.file === 'people.csv')).toEqual([
      { file: 'people.csv', line: 4, column: 'pnc_matched (PNC)', value: 'Maybe', reason: 'not a boolean: expected true or false' },
    ]);
  });

  it('a timestamp at midnight is a date; any other time of day is rejected', async () => {
    const rows = PEOPLE.map((l) => l.replace('17/05/1980', '1980-05-17 00:00:00').replace('29/02/1992', '1992-02-29 09:30:00'));
    await load(folder({ 'people.csv': people(rows) }, cohortMapping({}, { date_formats: ['%d/%m/%Y', '%Y-%m-%d %H:%M:%S'] })));
    expect((await rejects()).filter((r) => r.file === 'people.csv')).toEqual([
      { file: 'people.csv', line: 3, column: 'date_of_birth (DOB)', value: '1992-02-29 09:30:00', reason: 'has a time of day other than midnight: dates are calendar dates' },
    ]);
    expect(await db.scalar(`SELECT date_of_birth::VARCHAR FROM cohort WHERE person_id = 'P001'`)).toBe('1980-05-17');
  });

  it('a date in none of the formats names them', async () => {
    await load(folder({ 'people.csv': people(PEOPLE.map((l) => l.replace('17/05/1980', '1980.05.17'))) }, cohortMapping()));
    expect((await rejects()).filter((r) => r.file === 'people.csv').map((r) => [r.line, r.reason])).toEqual([[2, 'not a date in any of the date_formats %d/%m/%Y']]);
  });

  it('an impossible date read through a format is rejected (31/02)', async () => {
    await load(folder({ 'people.csv': people(PEOPLE.map((l) => l.replace('17/05/1980', '31/02/1980'))) }, cohortMapping()));
    expect((await rejects()).filter((r) => r.file === 'people.csv').map((r) => [r.line, r.reason])).toEqual([[2, 'not a date in any of the date_formats %d/%m/%Y']]);
  });

  it("NULL declared missing is missing: an offence without a court event; undeclared, it is rejected", async () => {
    const pnc = 'offence_id,person_id,offence_date,disposal_date,disposal_type,court_event_id,breach\nO001,P001,2016-05-01,2016-07-01,CONVICTION,NULL,false\n';
    const mapping = (missing: string[] | undefined) => ({ inputs: { reconvictions: { files: 'pnc.csv', ...(missing ? { missing_values: missing } : {}) } } });
    await load(folder({ 'pnc.csv': pnc }, mapping(['NULL'])));
    expect(await db.all(`SELECT offence_id, court_event_id FROM reconvictions`)).toEqual([{ offence_id: 'O001', court_event_id: null }]);
    await load(folder({ 'pnc.csv': pnc }, mapping(undefined)));
    expect((await rejects()).map((r) => [r.file, r.line, r.column, r.value])).toEqual([['pnc.csv', 2, 'court_event_id', 'NULL']]);
  });

  it("an input's own list replaces the default list", async () => {
    // defaults read Y as true; the cohort's own true_values list only 'yes'
    await load(folder({ 'people.csv': people(PEOPLE) }, cohortMapping({ true_values: ['yes'] })));
    expect((await rejects()).filter((r) => r.file === 'people.csv').map((r) => [r.line, r.column, r.value])).toEqual([
      [2, 'pnc_matched (PNC)', 'Y'],
      [3, 'pnc_matched (PNC)', 'Y'],
      [5, 'pnc_matched (PNC)', 'Y'],
    ]);
  });
});

describe('sources: several files, delimiters, partitions, workbooks', () => {
  const startsHead = 'start_id;person_id;start_date;start_type;sentence_length_days;cpa;allocation;em_only;ogrs';
  const S = [
    'S001;P001;2011-03-15;CO;365;A1;CRC;false;0.62',
    'S002;P002;2011-06-30;SSO;180;A2;CRC;false;0.41',
    'S003;P003;2016-01-04;CUSTODY_RELEASE;90;A1;CRC;false;0.55',
    'S004;P004;2016-02-10;CO;720;A2;NPS;false;0.35',
    'S005;P001;2016-03-31;CO;365;A1;CRC;false;0.60',
  ];
  const startsOf = () => db.all(`SELECT start_id, cpa, ogrs::VARCHAR AS ogrs, _line::INTEGER AS line FROM starts ORDER BY start_id`);

  it('a glob reads several semicolon files as one input; lines are each file\'s own', async () => {
    const f = folder(
      { 'ev/a.csv': `${startsHead}\n${S.slice(0, 2).join('\n')}\n`, 'ev/b.csv': `${startsHead}\n${S.slice(2).join('\n')}\n` },
      { inputs: { starts: { files: 'ev/*.csv', delimiter: ';' } } },
    );
    const r = await load(f);
    expect(r.inputs.filter((i) => i.name === 'starts').map((i) => [i.file, i.rows_read])).toEqual([
      ['ev/a.csv', 2],
      ['ev/b.csv', 3],
    ]);
    expect((await startsOf()).map((s) => [s.start_id, s.line])).toEqual([
      ['S001', 2],
      ['S002', 3],
      ['S003', 2],
      ['S004', 3],
      ['S005', 4],
    ]);
  });

  it('a key repeated across files names the first file', async () => {
    const f = folder(
      { 'ev/a.csv': `${startsHead}\n${S.slice(0, 3).join('\n')}\n`, 'ev/b.csv': `${startsHead}\n${S.slice(2).join('\n')}\n` },
      { inputs: { starts: { files: 'ev/*.csv', delimiter: ';' } } },
    );
    await load(f);
    // S003 is line 4 of a.csv and line 2 of b.csv
    expect((await rejects()).map((r) => [r.file, r.line, r.reason])).toEqual([
      ['ev/a.csv', 4, 'duplicate start_id: 2 rows share it (first on line 4 of ev/a.csv)'],
      ['ev/b.csv', 2, 'duplicate start_id: 2 rows share it (first on line 4 of ev/a.csv)'],
    ]);
  });

  it('a hive-partitioned folder: key=value folder names are columns to map or ignore', async () => {
    const noCpa = (l: string) => l.split(';').filter((_, i) => i !== 5).join(';');
    const head = noCpa(startsHead);
    const files = {
      'tree/cpa=A1/part-0.csv': `${head}\n${[S[0]!, S[2]!, S[4]!].map(noCpa).join('\n')}\n`,
      'tree/cpa=A2/part-0.csv': `${head}\n${[S[1]!, S[3]!].map(noCpa).join('\n')}\n`,
    };
    await load(folder(files, { inputs: { starts: { files: 'tree/', delimiter: ';' } } }));
    expect((await startsOf()).map((s) => [s.start_id, s.cpa])).toEqual([
      ['S001', 'A1'],
      ['S002', 'A2'],
      ['S003', 'A1'],
      ['S004', 'A2'],
      ['S005', 'A1'],
    ]);
    const renamed = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace('cpa=', 'area='), v]));
    const msg = await failure(load(folder(renamed, { inputs: { starts: { files: 'tree/', delimiter: ';' } } })));
    expect(msg).toMatch(/tree\/area=A1\/part-0\.csv: line 1, column 9: column 'area' is neither mapped nor ignored/);
  });

  it('a pattern that matches nothing is named', async () => {
    expect(await failure(load(folder({}, { inputs: { starts: { files: 'events/*.csv' } } })))).toMatch(/^mapping\.json: inputs\.starts\.files: 'events\/\*\.csv' matches no file in /);
  });

  it('a workbook sheet: cells typed by Excel become text, rejects name the sheet and its row', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Notes').addRow(['not data']);
    const ws = wb.addWorksheet('People');
    ws.addRow(['CRN', 'DOB', 'GENDER', 'PNC']);
    ws.addRow(['P001', new Date(Date.UTC(1980, 4, 17)), 'Male', true]);
    ws.addRow(['P002', new Date(Date.UTC(1992, 1, 29)), 'Female', true]);
    ws.addRow([]);
    ws.addRow(['P003', new Date(Date.UTC(1975, 10, 30)), 'Male', false]);
    ws.addRow(['P004', new Date(Date.UTC(1999, 6, 1, 12, 0)), 'Not Known', true]);
    ws.getColumn(2).numFmt = 'yyyy-mm-dd';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-xlsx-'));
    await wb.xlsx.writeFile(path.join(dir, 'people.xlsx'));
    const { readFileSync } = await import('node:fs');
    const xlsx = readFileSync(path.join(dir, 'people.xlsx'));
    const mapping = (sheet: string) => ({
      inputs: { cohort: { files: 'people.xlsx', sheet, columns: { person_id: 'CRN', date_of_birth: 'DOB', sex: 'GENDER', pnc_matched: 'PNC' }, values: { sex: { Male: 'M', Female: 'F', 'Not Known': 'U' } } } },
    });
    const r = await load(folder({ 'people.xlsx': xlsx }, mapping('People')));
    expect(r.inputs[0]).toMatchObject({ name: 'cohort', file: 'people.xlsx', sheet: 'People', rows_read: 4, rows_used: 3, rows_rejected: 1 });
    // P004's date cell holds 12:00 (row 6 of the sheet: the header is row 1, row 4 is empty)
    expect((await rejects()).filter((x) => x.file.startsWith('people'))).toEqual([
      { file: 'people.xlsx (sheet People)', line: 6, column: 'date_of_birth (DOB)', value: '1999-07-01 12:00:00', reason: 'not a date: expected YYYY-MM-DD' },
    ]);
    expect((await cohortOf()).slice(0, 3)).toEqual(VALID_COHORT.slice(0, 3));
    expect(await failure(load(folder({ 'people.xlsx': xlsx }, mapping('Persons'))))).toMatch(/people\.xlsx: no sheet named 'Persons' \(its sheets: Notes, People\)/);
    // a workbook cut short (an incomplete copy) is refused as a whole
    expect(await failure(load(folder({ 'people.xlsx': xlsx.subarray(0, xlsx.length - 100) }, mapping('People'))))).toMatch(/people\.xlsx: the workbook ends early \(truncated/);
  });
});
