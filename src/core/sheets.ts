import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import JSZip from 'jszip';

/**
 * Cells people open in a spreadsheet: every CSV and workbook the engine writes goes through here
 * (CSV files written by DuckDB's COPY use the same rule, macro safe_cell in
 * queries/output_macros.sql).
 *
 * Safe text: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be
 * read by a spreadsheet as a formula; it is written with a leading apostrophe, so that it shows
 * as the text it is (`=HYPERLINK(...)` is written `'=HYPERLINK(...)`). Numbers are numbers, never
 * text, so `-12.50` stays a number.
 */
export function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** A number given as its exact decimal text (DuckDB's DECIMAL as text): written as it is. */
export class Num {
  constructor(readonly text: string) {}
}

/** A CSV cell: text (made safe), a number, exact numeric text (`num('-12.50')`), or empty. */
export type Cell = string | number | bigint | Num | null | undefined;

export function num(text: string | null | undefined): Num | null {
  return text === null || text === undefined ? null : new Num(text);
}

function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = v instanceof Num ? v.text : typeof v === 'string' ? safeText(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record (comma-separated, quoted where needed, `\n` ended). */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}

/** The kind of a workbook column: how its cells are typed and shown. */
export type ColumnKind =
  /** text (made safe), e.g. a period label `2019-05`: never turned into a date or a number */
  | 'text'
  /** a whole number */
  | 'integer'
  /** pounds with 2 decimals (given as exact decimal text or a number) */
  | 'money'
  /** a rate or share shown as a percentage with 1 decimal (the cell holds the decimal, 0.417) */
  | 'percent'
  /** a plain decimal shown with up to 6 decimals */
  | 'decimal'
  /** a calendar date given as `YYYY-MM-DD`, stored as an Excel date */
  | 'date';

export interface SheetColumn {
  header: string;
  key: string;
  kind: ColumnKind;
  width?: number;
}

export interface Sheet {
  /** At most 31 characters, none of `\ / ? * [ ] :` (Excel's rules). */
  name: string;
  columns: readonly SheetColumn[];
  /** The rows, or batches of them as they are read (Db.chunks), so that a long sheet is never held whole. */
  rows: readonly Record<string, unknown>[] | AsyncIterable<readonly Record<string, unknown>[]>;
}

const NUM_FMT: Record<ColumnKind, string | undefined> = {
  text: '@',
  integer: '#,##0',
  money: '#,##0.00',
  percent: '0.0%',
  decimal: '0.######',
  date: 'yyyy-mm-dd',
};

function cellValue(kind: ColumnKind, v: unknown): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  switch (kind) {
    case 'text':
      return safeText(String(v));
    case 'date': {
      const s = String(v);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`workbook date cell: expected YYYY-MM-DD, got '${s}'`);
      return new Date(`${s}T00:00:00Z`);
    }
    default: {
      const n = typeof v === 'number' ? v : Number(v instanceof Num ? v.text : String(v));
      if (!Number.isFinite(n)) throw new Error(`workbook ${kind} cell: not a number: '${String(v)}'`);
      return n;
    }
  }
}

/** Excel's sheet-name rules: at most 31 characters, none of \ / ? * [ ] : */
export function sheetName(s: string): string {
  return s.replace(/[\\/?*[\]:]/g, '_').slice(0, 31);
}

/**
 * Write a workbook: one sheet per entry, a bold header row frozen at the top, every cell typed by
 * its column's kind (numbers as numbers, dates as dates, labels as text). The file is the same
 * bytes for the same sheets: the document's dates are `date` (the run's as_of, say) and the zip
 * entries carry that date too, never the clock.
 *
 * exceljs's streaming writer writes each row as it comes (a long sheet is never held whole),
 * stored, not deflated, to a scratch file beside `file`; fixedDates then compresses each entry
 * once, as it re-dates it (BENCHMARKS.md, "Workbooks written as a stream").
 */
export async function writeWorkbook(file: string, sheets: readonly Sheet[], date: string): Promise<void> {
  const when = new Date(`${date}T00:00:00Z`);
  // loaded on use: most commands that read this module (and a run restored from the cache) write
  // no workbook, and the package takes a good part of a second to import
  const { default: Excel } = await import('exceljs');
  const stored = `${file}.stored`;
  try {
    const wb = new Excel.stream.xlsx.WorkbookWriter({ filename: stored, useStyles: true, useSharedStrings: false, zip: { store: true } });
    wb.creator = 'pbr-engine';
    wb.lastModifiedBy = 'pbr-engine';
    wb.created = when;
    wb.modified = when;
    for (const s of sheets) {
      const ws = wb.addWorksheet(sheetName(s.name), { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = s.columns.map((c) => ({
        header: c.header,
        key: c.key,
        width: c.width ?? Math.min(60, Math.max(10, c.header.length + 2)),
        style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {},
      }));
      ws.getRow(1).font = { bold: true };
      // the rows given whole are one batch
      const batches = Symbol.asyncIterator in s.rows ? s.rows : [s.rows];
      for await (const batch of batches) {
        for (const r of batch) ws.addRow(Object.fromEntries(s.columns.map((c) => [c.key, cellValue(c.kind, r[c.key])]))).commit();
      }
      ws.commit();
    }
    await wb.commit();
    writeFileSync(file, await fixedDates(readFileSync(stored), when));
  } finally {
    rmSync(stored, { force: true });
  }
}

/** The zip again with every entry dated `when` (JSZip stamps entries with the clock). */
async function fixedDates(buf: Buffer, when: Date): Promise<Buffer> {
  const src = await JSZip.loadAsync(buf);
  const out = new JSZip();
  for (const [name, entry] of Object.entries(src.files)) {
    if (entry.dir) continue;
    out.file(name, await entry.async('uint8array'), { date: when, createFolders: false });
  }
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 }, platform: 'UNIX' });
}
