import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sheetNames, sheetToCsv } from '../src/validate/xlsx.js';
import { zipDirectory } from '../src/validate/zip.js';
import { InputError } from '../src/errors.js';
import { FIXTURES_DIR } from '../src/paths.js';

// Workbooks are read through the zip central directory (src/validate/zip.ts), not exceljs's
// one-pass stream, which loses a part under load (exceljs #3064: CI once failed reading
// fixtures/extracts/offenders.xlsx with "Cannot read properties of undefined (reading 'sheets')").
const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-xlsx-read-'));
const BOOK = path.join(dir, 'book.xlsx');

beforeAll(async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Notes').addRow(['exported 2026-11-30']);
  const ws = wb.addWorksheet('People');
  ws.addRow(['CRN', 'NAME', 'AGE']);
  for (let i = 1; i <= 300; i++) ws.addRow([`P${String(i).padStart(3, '0')}`, `name ${i % 7}`, 20 + (i % 50)]);
  await wb.xlsx.writeFile(BOOK);
});

const csv = async (file: string, sheet: string | null) => {
  const out = path.join(mkdtempSync(path.join(dir, 'out-')), 'sheet.csv');
  const r = await sheetToCsv(file, sheet, out);
  return { ...r, text: readFileSync(out, 'utf8') };
};

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected the read to fail');
}

/** A copy of the workbook with one byte of a part's compressed data changed. */
function damaged(part: string): string {
  const buf = readFileSync(BOOK);
  const e = zipDirectory(BOOK).get(part)!;
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  buf[start + Math.floor(e.compressedSize / 2)]! ^= 0x20;
  const file = path.join(mkdtempSync(path.join(dir, 'bad-')), 'book.xlsx');
  writeFileSync(file, buf);
  return file;
}

describe('reading a workbook', () => {
  it('the sheet names come in tab order', async () => {
    expect(await sheetNames(BOOK)).toEqual(['Notes', 'People']);
  });

  it('the named sheet is read whole: a header and 300 rows, each with its row number', async () => {
    const r = await csv(BOOK, 'People');
    expect(r.rows).toBe(300);
    const lines = r.text.trimEnd().split('\n');
    expect(lines[1]).toBe('2,"P001","name 1","21"');
    expect(lines[300]).toBe('301,"P300","name 6","20"');
  });

  it('without a sheet name the first tab is read', async () => {
    expect((await csv(BOOK, null)).sheet).toBe('Notes');
  });

  it('twenty reads at once give the same rows', async () => {
    const texts = await Promise.all(Array.from({ length: 20 }, () => csv(BOOK, 'People').then((r) => r.text)));
    expect(new Set(texts).size).toBe(1);
  });

  it('a workbook written by openpyxl (pandas\' to_excel) reads by its sheet names', async () => {
    // fixtures/workbooks/openpyxl.xlsx: sheets Notes and People, written by openpyxl 3 (absolute
    // part names in its relationships, strings inline, no shared strings, workbook.xml late);
    // exceljs's own stream reader named these sheets Sheet1 and Sheet2
    const file = path.join(FIXTURES_DIR, 'workbooks', 'openpyxl.xlsx');
    expect(await sheetNames(file)).toEqual(['Notes', 'People']);
    const r = await csv(file, 'People');
    expect(r.text).toBe('"__pbr_sheet_row","CRN","DOB","NAME"\n2,"P001","1980-05-17","a"\n3,"P002","1992-02-29","b"\n');
  });

  it('a workbook whose XML uses namespace prefixes is refused with what to do', async () => {
    // as some .NET exporters write it: <x:workbook><x:sheets><x:sheet .../>
    const JSZip = (await import('jszip')).default;
    const zip = await JSZip.loadAsync(readFileSync(BOOK));
    const xml = await zip.file('xl/workbook.xml')!.async('string');
    zip.file('xl/workbook.xml', xml.replace(/<(\/?)(?![?!])/g, '<$1x:').replace('<x:workbook ', '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '));
    const file = path.join(mkdtempSync(path.join(dir, 'prefixed-')), 'book.xlsx');
    writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    expect(await failure(csv(file, 'People'))).toMatch(/book\.xlsx: the workbook is damaged or not an \.xlsx file \(xl\/workbook\.xml names no sheet that can be read .*open the file in Excel and save it again\)/);
  });

  it('a sheet part damaged inside is refused, naming the part', async () => {
    expect(await failure(csv(damaged('xl/worksheets/sheet2.xml'), 'People'))).toMatch(/book\.xlsx: the workbook is damaged or not an \.xlsx file \(the part xl\/worksheets\/sheet2\.xml is damaged/);
  });

  it('a damaged shared-strings part is refused before any row is read', async () => {
    expect(await failure(csv(damaged('xl/sharedStrings.xml'), 'People'))).toMatch(/the part xl\/sharedStrings\.xml is damaged/);
  });

  it('a file that is not a zip archive is refused', async () => {
    const file = path.join(dir, 'text.xlsx');
    writeFileSync(file, 'CRN,NAME\nP001,x\n');
    expect(await failure(csv(file, null))).toMatch(/text\.xlsx: the workbook ends early \(truncated: an incomplete copy or download\), or is not an \.xlsx file/);
  });
});
