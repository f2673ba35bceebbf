import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { shown } from '../contract/load.js';
import { ZipError, checkEntry, entryBuffer, entryStream, zipDirectory } from './zip.js';

/** The column of a converted sheet that carries each row's number in the workbook. */
export const SHEET_LINE_COLUMN = '__pbr_sheet_row';

/** A number as the engine's text: its shortest decimal form, never an exponent (1e-7 -> 0.0000001). */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const s = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const sign = m[1]!;
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + Number(m[4]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A date cell as YYYY-MM-DD (with the time of day when it is not midnight, so that it is rejected). */
function dateText(d: Date): string {
  const t = new Date(Math.round(d.getTime() / 1000) * 1000).toISOString();
  return t.endsWith('T00:00:00.000Z') ? t.slice(0, 10) : `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** A cell's value as the engine's text: dates YYYY-MM-DD, numbers decimal, booleans true/false. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return decimalText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return dateText(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
    if ('formula' in o || 'sharedFormula' in o) return cellText(o.result);
    if ('error' in o) return String(o.error);
    if ('text' in o) return cellText(o.text);
  }
  return String(v);
}

const quote = (s: string | null) => (s === null || s === '' ? '' : `"${s.replace(/"/g, '""')}"`);

interface SheetEntry {
  name: string;
  rId: string;
}

/** The parts of exceljs's streaming WorkbookReader used here: its parsers, given streams we open. */
interface ReaderParts {
  model?: { sheets?: SheetEntry[] };
  workbookRels?: { Id: string; Target: string; Type?: string }[];
  _parseRels(s: Readable): Promise<void>;
  _parseWorkbook(s: Readable): Promise<void>;
  _parseSharedStrings(s: Readable): AsyncGenerator<unknown>;
  _parseStyles(s: Readable): Promise<void>;
  _parseWorksheet(s: AsyncIterable<unknown>, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
}

/** A workbook opened for reading: its sheet names in tab order, and the rows of one sheet. */
export interface Workbook {
  names: string[];
  rows(name: string): AsyncGenerator<ExcelJS.Row>;
}

/**
 * Open a workbook through its zip central directory (src/validate/zip.ts): the relationships,
 * the workbook (sheet names), the shared strings and the styles are parsed first, then a sheet's
 * rows are read as a stream when asked for, so a large sheet is never held whole. The XML is
 * parsed by exceljs's own parsers; only the reading of the archive is ours.
 */
export async function openWorkbook(file: string, cells: boolean): Promise<Workbook> {
  const dir = zipDirectory(file);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
    entries: 'emit',
    sharedStrings: cells ? 'cache' : 'ignore',
    hyperlinks: 'ignore',
    styles: cells ? 'cache' : 'ignore',
    worksheets: 'emit',
  }) as unknown as ReaderParts;
  const part = async (name: string): Promise<Readable | null> => {
    const e = dir.get(name);
    return e ? Readable.from([await entryBuffer(file, e)]) : null;
  };
  const rels = await part('xl/_rels/workbook.xml.rels');
  const book = await part('xl/workbook.xml');
  if (!rels || !book) throw new ZipError('no xl/workbook.xml or its relationships (not an .xlsx workbook)');
  await reader._parseRels(rels);
  await reader._parseWorkbook(book);
  const target = (type: string, fallback: string) => {
    const t = reader.workbookRels?.find((r) => r.Type?.endsWith(`/${type}`))?.Target;
    return t === undefined ? fallback : partName(t);
  };
  if (cells) {
    const strings = await part(target('sharedStrings', 'xl/sharedStrings.xml'));
    if (strings) for await (const _ of reader._parseSharedStrings(strings));
    const styles = await part(target('styles', 'xl/styles.xml'));
    if (styles) await reader._parseStyles(styles);
  }
  const sheets = reader.model?.sheets ?? [];
  if (sheets.length === 0) {
    throw new ZipError('xl/workbook.xml names no sheet that can be read (XML with namespace prefixes such as <x:sheet>, as some exporters write it, is not read): open the file in Excel and save it again');
  }
  return {
    names: sheets.map((s) => s.name),
    async *rows(name: string) {
      const sheet = sheets.find((s) => s.name === name);
      const rel = sheet && reader.workbookRels?.find((r) => r.Id === sheet.rId);
      const entry = rel && dir.get(partName(rel.Target));
      if (!entry) throw new ZipError(`the sheet ${name} has no part in the archive`);
      const stream = entryStream(file, entry);
      try {
        for (const { value } of reader._parseWorksheet(stream, /(\d+)\.xml$/.exec(entry.name)?.[1] ?? '1')) yield* value;
      } catch (e) {
        // damaged bytes usually break the XML before the part's checksum is reached: say which
        if (!(e instanceof ZipError)) await checkEntry(file, entry);
        throw e;
      } finally {
        stream.destroy();
      }
    },
  };
}

/** The sheet names of a workbook, in tab order. */
export async function sheetNames(file: string): Promise<string[]> {
  try {
    return (await openWorkbook(file, false)).names;
  } catch (e) {
    throw workbookError(file, e);
  }
}

/** A relationship target as a part name: absolute (`/xl/...`) or relative to xl/. */
function partName(target: string): string {
  return target.startsWith('/') ? target.slice(1) : path.posix.normalize(`xl/${target}`);
}

/**
 * Convert one sheet of a workbook to a CSV file of text. The first row with a value is the
 * header; each later row with a value becomes a record whose first field is its row number in the
 * sheet, so that rejects name the sheet's own rows. Absent a sheet name, the first sheet in tab
 * order. Returns the header, the sheet's name and the rows written.
 */
export async function sheetToCsv(file: string, sheet: string | null, out: string): Promise<{ header: string[]; sheet: string; rows: number }> {
  const where = (name: string) => `${file} (sheet ${shown(name)})`;
  let book: Workbook;
  try {
    book = await openWorkbook(file, true);
  } catch (e) {
    throw workbookError(file, e);
  }
  // openWorkbook refuses a workbook without sheets: the first tab exists
  const used = sheet ?? book.names[0]!;
  if (!book.names.includes(used)) {
    throw new InputError(`${file}: no sheet named '${shown(used)}' (its sheets: ${book.names.map(shown).join(', ')}); correct the mapping's sheet`);
  }
  const w = createWriteStream(out, { mode: 0o600 });
  let buf = '';
  const flush = async () => {
    if (!w.write(buf)) await once(w, 'drain');
    buf = '';
  };
  let header: string[] | null = null;
  let rows = 0;
  try {
    for await (const row of book.rows(used)) {
      const values = (row.values as unknown[]) ?? [];
      const cells = values.slice(1).map(cellText);
      while (cells.length > 0 && (cells[cells.length - 1] === null || cells[cells.length - 1] === '')) cells.pop();
      if (cells.length === 0) continue;
      if (header === null) {
        header = cells.map((c) => (c ?? '').trim());
        const gap = header.findIndex((h) => h === '');
        if (gap >= 0) throw new InputError(`${where(used)}: row ${row.number}, column ${gap + 1}: the header cell is empty; give every column a header`);
        buf += `${[SHEET_LINE_COLUMN, ...header].map(quote).join(',')}\n`;
        continue;
      }
      if (cells.length > header.length) {
        throw new InputError(`${where(used)}: row ${row.number}, column ${header.length + 1}: a value beyond the last header column; give it a header or delete it`);
      }
      while (cells.length < header.length) cells.push(null);
      buf += `${row.number},${cells.map(quote).join(',')}\n`;
      rows++;
      if (buf.length > 1 << 20) await flush();
    }
  } catch (e) {
    w.destroy();
    throw workbookError(file, e);
  }
  if (header === null) {
    w.destroy();
    throw new InputError(`${where(used)}: the sheet is empty (not even a header row)`);
  }
  await flush();
  w.end();
  await once(w, 'close');
  return { header, sheet: used, rows };
}

/** Why a workbook could not be read, as the one-line message of exit 2. */
function workbookError(file: string, e: unknown): InputError {
  if (e instanceof InputError) return e;
  if (e instanceof ZipError && e.cutShort) {
    return new InputError(`${file}: the workbook ends early (truncated: an incomplete copy or download), or is not an .xlsx file; nothing of it was loaded: copy or export the whole file again`);
  }
  if (e instanceof ZipError) return new InputError(`${file}: the workbook is damaged or not an .xlsx file (${e.message}); nothing of it was loaded: copy or export the whole file again`);
  const said = String((e as Error)?.message ?? e).split('\n')[0]!;
  return new InputError(`${file}: cannot read the workbook (${shown(said)}); check it is an .xlsx file`);
}
