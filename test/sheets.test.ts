import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { csvLine, num, safeText, writeWorkbook } from '../src/core/sheets.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pbr-sheets-'));

describe('safe cells', () => {
  it('text starting with = + - @ tab or CR gets a leading apostrophe', () => {
    expect(['=1+1', '+44', '-(52.3%)', '@SUM', '\tx', '\rx'].map(safeText)).toEqual(["'=1+1", "'+44", "'-(52.3%)", "'@SUM", "'\tx", "'\rx"]);
  });
  it('other text is unchanged', () => {
    expect(safeText('CPA01 =')).toBe('CPA01 =');
  });
  it('a CSV line keeps numbers as numbers and escapes text', () => {
    expect(csvLine(['=cmd', num('-12.50'), -3, null, 'a,b'])).toBe("'=cmd,-12.50,-3,,\"a,b\"\n");
  });
});

describe('workbooks', () => {
  const sheet = {
    name: 'Results',
    columns: [
      { header: 'Period', key: 'period', kind: 'text' as const },
      { header: 'Amount', key: 'amount', kind: 'money' as const },
      { header: 'Final on', key: 'final_on', kind: 'date' as const },
      { header: 'Area', key: 'area', kind: 'text' as const },
    ],
    rows: [{ period: '2019-05', amount: '-1234.50', final_on: '2021-03-31', area: '=EVIL()' }],
  };
  it('numbers are numeric cells, dates are dates, period labels and formulas-to-be are text', async () => {
    const f = path.join(tmp(), 'a.xlsx');
    await writeWorkbook(f, [sheet], '2022-01-31');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    const row = wb.getWorksheet('Results')!.getRow(2);
    expect(row.getCell(1).value).toBe('2019-05');
    expect(row.getCell(2).value).toBe(-1234.5);
    expect((row.getCell(3).value as Date).toISOString()).toBe('2021-03-31T00:00:00.000Z');
    expect(row.getCell(4).value).toBe("'=EVIL()");
  });
  it('the same sheets give the same bytes (no clock in the file)', async () => {
    const a = path.join(tmp(), 'a.xlsx');
    const b = path.join(tmp(), 'b.xlsx');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2030-01-01T10:00:00Z'));
      await writeWorkbook(a, [sheet], '2022-01-31');
      vi.setSystemTime(new Date('2031-06-15T12:34:56Z'));
      await writeWorkbook(b, [sheet], '2022-01-31');
    } finally {
      vi.useRealTimers();
    }
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });
  it('the header row is bold and frozen, and each column keeps its number format', async () => {
    const f = path.join(tmp(), 'a.xlsx');
    await writeWorkbook(f, [sheet], '2022-01-31');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(f);
    const ws = wb.getWorksheet('Results')!;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(2).getCell(2).numFmt).toBe('#,##0.00');
    expect(ws.getRow(2).getCell(3).numFmt).toBe('yyyy-mm-dd');
  });
  it('rows given in batches as they are read (Db.chunks) give the bytes of the same rows given whole, and no scratch file is left', async () => {
    const dir = tmp();
    const rows = Array.from({ length: 5 }, (_, i) => ({ period: `2019-0${i + 1}`, amount: `${i}.25`, final_on: `2021-03-1${i}`, area: `A${i}` }));
    async function* batches() {
      yield rows.slice(0, 2);
      yield rows.slice(2);
    }
    await writeWorkbook(path.join(dir, 'whole.xlsx'), [{ ...sheet, rows }], '2022-01-31');
    await writeWorkbook(path.join(dir, 'batched.xlsx'), [{ ...sheet, rows: batches() }], '2022-01-31');
    expect(readFileSync(path.join(dir, 'batched.xlsx')).equals(readFileSync(path.join(dir, 'whole.xlsx')))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['batched.xlsx', 'whole.xlsx']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path.join(dir, 'batched.xlsx'));
    expect(wb.getWorksheet('Results')!.getRow(6).getCell(1).value).toBe('2019-05');
    expect(wb.getWorksheet('Results')!.rowCount).toBe(6);
  });
  it('a row that cannot be written (a date that is not YYYY-MM-DD) leaves no file and no scratch file', async () => {
    const dir = tmp();
    const bad = { ...sheet, rows: [{ ...sheet.rows[0]!, final_on: '31/03/2021' }] };
    await expect(writeWorkbook(path.join(dir, 'a.xlsx'), [bad], '2022-01-31')).rejects.toThrow("expected YYYY-MM-DD, got '31/03/2021'");
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('safe_cell (queries/output_macros.sql) agrees with safeText', async () => {
  const { Db } = await import('../src/db/duckdb.js');
  it('the same texts escaped the same way', async () => {
    const db = await Db.open();
    try {
      await db.exec('output_macros');
      const texts = ['=1+1', '+44', '-(52.3%)', '@SUM', '\tx', '\rx', 'CPA01', '', 'a=b'];
      const got = await db.all<{ s: string }>(`SELECT safe_cell(unnest($t)) AS s`, { t: texts });
      expect(got.map((r) => r.s)).toEqual(texts.map(safeText));
    } finally {
      db.close();
    }
  });
});
