import { closeSync, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { shown } from '../contract/load.js';

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

/**
 * Convert one sheet of a workbook to a CSV file of text (read with exceljs's streaming reader, so
 * a large sheet is never held whole). The first row with a value is the header; each later row
 * with a value becomes a record whose first field is its row number in the sheet, so that rejects
 * name the sheet's own rows. Returns the header and the sheet's name.
 */
/**
 * A whole .xlsx (a zip archive) ends with its central directory; the streaming reader never needs
 * it, so a copy cut short there would read in full while being damaged: refuse it here.
 */
function zipEnds(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(n);
    readSync(fd, tail, 0, n, size - n);
    return tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) >= 0;
  } finally {
    closeSync(fd);
  }
}

export async function sheetToCsv(file: string, sheet: string | null, out: string): Promise<{ header: string[]; sheet: string; rows: number }> {
  const where = (name: string) => `${file} (sheet ${shown(name)})`;
  if (!zipEnds(file)) {
    throw new InputError(`${file}: the workbook ends early (truncated: an incomplete copy or download), or is not an .xlsx file; nothing of it was loaded: copy or export the whole file again`);
  }
  let reader: ExcelJS.stream.xlsx.WorkbookReader;
  try {
    reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { entries: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit' });
  } catch (e) {
    throw new InputError(`${file}: cannot read the workbook (${(e as Error).message.split('\n')[0]}); check it is an .xlsx file`);
  }
  const names: string[] = [];
  const w = createWriteStream(out, { mode: 0o600 });
  let buf = '';
  const flush = async () => {
    if (!w.write(buf)) await once(w, 'drain');
    buf = '';
  };
  let header: string[] | null = null;
  let rows = 0;
  let used: string | null = null;
  try {
    for await (const ws of reader) {
      const name = (ws as unknown as { name?: string }).name ?? `Sheet${names.length + 1}`;
      names.push(name);
      if (used !== null || (sheet !== null && name !== sheet)) continue;
      used = name;
      for await (const row of ws) {
        const values = (row.values as unknown[]) ?? [];
        const cells = values.slice(1).map(cellText);
        while (cells.length > 0 && (cells[cells.length - 1] === null || cells[cells.length - 1] === '')) cells.pop();
        if (cells.length === 0) continue;
        if (header === null) {
          header = cells.map((c) => (c ?? '').trim());
          const gap = header.findIndex((h) => h === '');
          if (gap >= 0) throw new InputError(`${where(name)}: row ${row.number}, column ${gap + 1}: the header cell is empty; give every column a header`);
          buf += `${[SHEET_LINE_COLUMN, ...header].map(quote).join(',')}\n`;
          continue;
        }
        if (cells.length > header.length) {
          throw new InputError(`${where(name)}: row ${row.number}, column ${header.length + 1}: a value beyond the last header column; give it a header or delete it`);
        }
        while (cells.length < header.length) cells.push(null);
        buf += `${row.number},${cells.map(quote).join(',')}\n`;
        rows++;
        if (buf.length > 1 << 20) await flush();
      }
    }
  } catch (e) {
    w.destroy();
    if (e instanceof InputError) throw e;
    const said = String((e as Error).message ?? e).split('\n')[0]!;
    if (/FILE_ENDED|unexpected end/i.test(said)) {
      throw new InputError(`${file}: the workbook ends early (truncated: an incomplete copy or download); nothing of it was loaded: copy or export the whole file again`);
    }
    throw new InputError(`${file}: cannot read the workbook (${shown(said)}); check it is an .xlsx file`);
  }
  if (used === null) {
    w.destroy();
    throw new InputError(
      sheet === null ? `${file}: the workbook has no sheet` : `${file}: no sheet named '${shown(sheet)}' (its sheets: ${names.map(shown).join(', ')}); correct the mapping's sheet`,
    );
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
