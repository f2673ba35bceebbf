import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { extractRun } from '../src/audit/extract.js';
import { InputError } from '../src/errors.js';
import { pbrIn } from './helpers/cli.js';
import { shared } from './helpers/shared.js';
import { tmpDir, writeOutcomes, writeRun, type Row } from './audit-diff-runfolder.js';

// pbr extract (issue 17, item 5) on one run of the hand-made fixture (fixtures/hand), shared with
// other test files. Area A1 (contract name 'North') has, by hand from fixtures/hand/starts.csv (CRC,
// eligible, index start = earliest eligible start of the period):
//   2011Q1 B1 (SB1a); 2011Q2 B2; 2011Q3 B1 (SB1b), B3; 2011Q4 B4 (baseline periods)
//   2024Q1 P01, P02, P03, P10 (P04 EM-only; P06's index S06b is in A2; P08 is 17)
//   2024Q2 P06 (S06c), P13, P14 (P07's index is S07B, byte order before S07a, in A2)
// = 12 rows of outcomes.csv. P01's listed offences (test/measure-hand.test.ts), by offence date:
//   O01f 2023-06-01 before_index, O01a 2024-01-31 on_index_date, O01d 2024-06-10 counted,
//   O01b 2025-01-31 counted (last day of the window), O01c 2025-02-01 after_window.
let run: string;

beforeAll(async () => {
  // a run of a copy of fixtures/hand with its contract, shared with other test files (extract only reads it)
  run = (await shared('hand')).run;
});

const csvRows = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

function column(rows: string[][], name: string): string[] {
  const i = rows[0]!.indexOf(name);
  return rows.slice(1).map((r) => r[i]!);
}

describe('pbr extract', () => {
  it('outcomes.csv: one row per person and period of the area, cohort and baseline periods', async () => {
    const out = path.join(tmpDir('ext'), 'x');
    const r = await extractRun({ run, area: 'A1', out });
    expect(r.files).toEqual([
      { file: 'outcomes.csv', rows: 12 },
      { file: 'outcomes.xlsx', rows: 12 },
      { file: 'offences.csv', rows: r.files[2]!.rows },
      { file: 'offences.xlsx', rows: r.files[2]!.rows },
      { file: 'volumes.csv', rows: 16 },
      { file: 'volumes.xlsx', rows: 16 },
    ]);
    const rows = csvRows(path.join(out, 'outcomes.csv'));
    expect(rows[0]!.slice(0, 8)).toEqual(['population', 'period', 'period_start', 'period_end', 'is_cohort', 'is_baseline', 'area', 'person_id']);
    const p = column(rows, 'period');
    const who = column(rows, 'person_id');
    expect(p.map((x, i) => `${x} ${who[i]}`)).toEqual([
      '2011Q1 B1',
      '2011Q2 B2',
      '2011Q3 B1',
      '2011Q3 B3',
      '2011Q4 B4',
      '2024Q1 P01',
      '2024Q1 P02',
      '2024Q1 P03',
      '2024Q1 P10',
      '2024Q2 P06',
      '2024Q2 P13',
      '2024Q2 P14',
    ]);
    expect(new Set(column(rows, 'area'))).toEqual(new Set(['A1']));
  });

  it('offences.csv: one row per listed offence with its reason', async () => {
    const out = path.join(tmpDir('ext'), 'x');
    await extractRun({ run, area: 'A1', out });
    const rows = csvRows(path.join(out, 'offences.csv'));
    expect(rows[0]).toEqual(['population', 'period', 'period_start', 'area', 'person_id', 'offence_id', 'offence_date', 'disposal_date', 'disposal_type', 'court_event_id', 'breach', 'counted', 'reason']);
    const i = (n: string) => rows[0]!.indexOf(n);
    const p01 = rows.filter((r) => r[i('person_id')] === 'P01' && r[i('period')] === '2024Q1').map((r) => [r[i('offence_id')], r[i('offence_date')], r[i('counted')], r[i('reason')]]);
    expect(p01).toEqual([
      ['O01f', '2023-06-01', 'false', 'before_index'],
      ['O01a', '2024-01-31', 'false', 'on_index_date'],
      ['O01d', '2024-06-10', 'true', 'counted'],
      ['O01b', '2025-01-31', 'true', 'counted'],
      ['O01c', '2025-02-01', 'false', 'after_window'],
    ]);
    // Only A1's people: P09 (A2) is not there.
    expect(rows.some((r) => r[i('person_id')] === 'P09')).toBe(false);
  });

  it('the workbooks hold the same rows: numbers as numbers, dates as dates, labels as text', async () => {
    const out = path.join(tmpDir('ext'), 'x');
    await extractRun({ run, area: 'A1', out });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(out, 'outcomes.xlsx'));
    const ws = wb.getWorksheet('outcomes')!;
    expect(ws.rowCount).toBe(13); // header + 12
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const cell = (row: number, name: string) => ws.getRow(row).getCell(header.indexOf(name) + 1).value;
    // Row 7 is 2024Q1 P01: start S01 on 2024-01-31, CO of 365 days, ogrs 0.4.
    expect(cell(7, 'person_id')).toBe('P01');
    expect(cell(7, 'period')).toBe('2024Q1');
    expect(cell(7, 'index_date')).toEqual(new Date('2024-01-31T00:00:00Z'));
    expect(cell(7, 'sentence_length_days')).toBe(365);
    expect(cell(7, 'ogrs')).toBe(0.4);
    const off = new ExcelJS.Workbook();
    await off.xlsx.readFile(path.join(out, 'offences.xlsx'));
    expect(off.getWorksheet('offences')!.rowCount).toBe(csvRows(path.join(out, 'offences.csv')).length);
  });

  it('the folder is readable by its owner only (0700, files 0600) whatever the umask', async () => {
    const before = process.umask(0o000);
    try {
      const out = path.join(tmpDir('ext'), 'x');
      await extractRun({ run, area: 'A1', out });
      expect(statSync(out).mode & 0o777).toBe(0o700);
      for (const f of ['outcomes.csv', 'outcomes.xlsx', 'offences.csv', 'offences.xlsx', 'volumes.csv', 'volumes.xlsx', 'extract.json']) {
        expect([f, statSync(path.join(out, f)).mode & 0o777]).toEqual([f, 0o600]);
      }
    } finally {
      process.umask(before);
    }
  });

  it("an area by the contract's name, and --period for one period only", async () => {
    // South is A2; in 2024Q1 A2 has P06 (S06b), P09, P11 (S11b: S11a is one day), P12.
    const out = path.join(tmpDir('ext'), 'x');
    const r = await extractRun({ run, area: 'south', out, period: '2024Q1' });
    expect([r.area, r.area_name, r.period]).toEqual(['A2', 'South', '2024Q1']);
    expect(column(csvRows(path.join(out, 'outcomes.csv')), 'person_id')).toEqual(['P06', 'P09', 'P11', 'P12']);
  });

  it("volumes.csv: the area's rows of the run's volumes.csv, byte for byte and in its order", async () => {
    // fixtures/hand's A1 has 16 starts (SB1a-SB4 in 2011, S01-S14 in 2024, A2's aside); its
    // contract has no fee bands, so none counts. The run's file is the reference: the extract is
    // its header and its A1 lines, as they are.
    const out = path.join(tmpDir('ext'), 'x');
    await extractRun({ run, area: 'A1', out });
    const mine = readFileSync(path.join(out, 'volumes.csv'), 'utf8');
    const all = readFileSync(path.join(run, 'volumes.csv'), 'utf8').split('\n');
    expect(mine).toBe(`${[all[0], ...all.filter((l) => l.split(',')[1] === 'A1')].join('\n')}\n`);
    expect(column(csvRows(path.join(out, 'volumes.csv')), 'start_id')).toEqual([
      'SB1a', 'SB2', 'SB1b', 'SB3', 'SB4', 'S04', 'S01', 'S06a', 'S10', 'S02', 'S08', 'S03', 'S07a', 'S14', 'S06c', 'S13',
    ]);
  });

  it('volumes with --period: the starts from the period\'s first day to its last', async () => {
    // A1's starts in 2024Q1 (2024-01-01 to 2024-03-31), by date: S04 01-10, S01 01-31, S06a 02-10,
    // S10 02-28, S02 and S08 02-29, S03 03-15; S07a (04-03) is in 2024Q2.
    const out = path.join(tmpDir('ext'), 'x');
    const r = await extractRun({ run, area: 'A1', out, period: '2024Q1' });
    expect(r.files.find((f) => f.file === 'volumes.csv')).toEqual({ file: 'volumes.csv', rows: 7 });
    expect(column(csvRows(path.join(out, 'volumes.csv')), 'start_id')).toEqual(['S04', 'S01', 'S06a', 'S10', 'S02', 'S08', 'S03']);
  });

  it('volumes.xlsx: counted starts with their band and weight as numbers, dates as dates, months as text', async () => {
    // The demo's contract has fee bands; a counted start of CPA01's volumes.csv, e.g.
    // `S000000303-001,CPA01,2015-02-13,2015-02,CUSTODY_RELEASE,34,true,5,1.1,2015-02-01/2016-01-31,`
    // is a row with the date 2015-02-13, 34, 'true', band 5 and weight 1.1 as numbers.
    const demo = (await shared('demo')).run;
    const out = path.join(tmpDir('ext'), 'x');
    await extractRun({ run: demo, area: 'CPA01', out });
    const text = csvRows(path.join(out, 'volumes.csv'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(out, 'volumes.xlsx'));
    const ws = wb.getWorksheet('volumes')!;
    expect(ws.rowCount).toBe(text.length);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(text[0]);
    const counted = text.findIndex((r) => r[6] === 'true');
    expect(counted).toBeGreaterThan(0);
    const row = (ws.getRow(counted + 1).values as unknown[]).slice(1);
    const t = text[counted]!;
    // (a counted start has no reason: its cell is empty)
    expect(row).toEqual([t[0], t[1], new Date(`${t[2]}T00:00:00Z`), t[3], t[4], Number(t[5]), 'true', Number(t[7]), Number(t[8]), t[9]]);
    expect(typeof row[8]).toBe('number');
    // the rows are the CSV's, in its order
    expect((ws.getColumn(1).values as unknown[]).slice(2)).toEqual(text.slice(1).map((r) => r[0]));
  });

  it('an unknown area is an input error listing the run\'s areas', async () => {
    await expect(extractRun({ run, area: 'A9', out: path.join(tmpDir('ext'), 'x') })).rejects.toThrow(InputError);
    await expect(extractRun({ run, area: 'A9', out: path.join(tmpDir('ext'), 'x') })).rejects.toThrow(/--area A9: not an area of this run; .* one of A1, A2, A3$/);
  });

  it('an existing folder at --out that holds files is never replaced', async () => {
    const out = path.join(tmpDir('ext'), 'x');
    mkdirSync(out);
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    await expect(extractRun({ run, area: 'A1', out })).rejects.toThrow(/already holds files/);
    expect(readFileSync(path.join(out, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('--out inside the run folder (or the run folder itself) is refused', async () => {
    await expect(extractRun({ run, area: 'A1', out: path.join(run, 'extract') })).rejects.toThrow(/is the run folder, inside it or around it/);
    await expect(extractRun({ run, area: 'A1', out: run })).rejects.toThrow(/is the run folder, inside it or around it/);
  });

  it('the CLI: an unknown area exits 2 with one line', async () => {
    const r = await pbrIn(['--quiet', 'extract', '--run', run, '--area', 'Nowhere', '--out', path.join(tmpDir('ext'), 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["error: --area Nowhere: not an area of this run; give the code or the contract's name of one of A1, A2, A3"]);
  });
});

describe('pbr extract on a run written before offender_offences.parquet', () => {
  // Old runs hold the offences as a nested list of offender_outcomes.parquet; an offence's area is
  // its person's. A person id that starts with '=' is written as text (a leading apostrophe).
  const off = (id: string, counted: boolean, reason: string) =>
    `{'offence_id': '${id}', 'offence_date': DATE '2024-05-01', 'disposal_date': DATE '2024-09-01', 'disposal_type': 'CONVICTION', 'court_event_id': NULL, 'breach': false, 'counted': ${counted}, 'reason': '${reason}'}`;
  const OUTCOMES = [
    `('2024Q1', DATE '2024-01-01', 'A1', '=P01', 'S01', DATE '2024-02-01', true, true, NULL, true, 1, [${off('O1', true, 'counted')}, ${off('O2', false, 'breach')}])`,
    `('2024Q1', DATE '2024-01-01', 'A2', 'P02', 'S02', DATE '2024-02-01', true, true, NULL, true, 1, [${off('O3', true, 'counted')}])`,
  ].join(',\n');
  const MEASURES: Row[] = [
    { population: 'CRC', area: 'A1', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 1, measurable: 1, reoffenders: 1 },
    { population: 'CRC', area: 'A2', period: '2024Q1', period_start: '2024-01-01', status: 'final', eligible: 1, measurable: 1, reoffenders: 1 },
  ];

  it("the nested list is unnested: A1's two offences, the person id made safe for a spreadsheet", async () => {
    const old = writeRun(path.join(tmpDir('ext-old'), 'run'), { measures: MEASURES, payments: [] });
    await writeOutcomes(old, OUTCOMES);
    const out = path.join(tmpDir('ext'), 'x');
    await extractRun({ run: old, area: 'A1', out });
    const rows = csvRows(path.join(out, 'offences.csv'));
    const i = (n: string) => rows[0]!.indexOf(n);
    expect(rows.slice(1).map((r) => [r[i('area')], r[i('person_id')], r[i('offence_id')], r[i('reason')]])).toEqual([
      ['A1', "'=P01", 'O1', 'counted'],
      ['A1', "'=P01", 'O2', 'breach'],
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(out, 'outcomes.xlsx'));
    const ws = wb.getWorksheet('outcomes')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(ws.getRow(2).getCell(header.indexOf('person_id') + 1).value).toBe("'=P01");
  });

  it('a run without volumes.csv (written before it existed) gives no volumes files', async () => {
    const old = writeRun(path.join(tmpDir('ext-old'), 'run'), { measures: MEASURES, payments: [] });
    await writeOutcomes(old, OUTCOMES);
    const out = path.join(tmpDir('ext'), 'x');
    const r = await extractRun({ run: old, area: 'A1', out });
    expect(r.files.map((f) => f.file)).toEqual(['outcomes.csv', 'outcomes.xlsx', 'offences.csv', 'offences.xlsx']);
    expect(existsSync(path.join(out, 'volumes.csv'))).toBe(false);
  });
});
