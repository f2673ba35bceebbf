import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { InputError } from '../errors.js';
import { sha256File } from '../core/hash.js';
import { shown } from '../contract/load.js';
import type { FileDef } from '../schema/inputs.js';
import type { InputRules } from '../mapping/schema.js';

export type FileFormat = 'csv' | 'csv.gz' | 'parquet' | 'xlsx';

/**
 * One source file of an input. Without a mapping an input has one source, NAME.csv, .csv.gz or
 * .parquet (the input formats of the README); a mapping may give it several, and .xlsx sheets.
 */
export interface Source {
  def: FileDef;
  /** Where to read it (the --data folder joined with `file`). */
  path: string;
  /** Its path relative to --data, with '/' separators (manifest, validation.json). */
  file: string;
  /** How rejects and messages name it: `file`, or `file (sheet NAME)` for a workbook. */
  label: string;
  format: FileFormat;
  bytes: number;
  /** .xlsx: the sheet asked for (null: the first). */
  sheet: string | null;
  /** CSV field separator. */
  delimiter: string;
  /** Hive partition columns from key=value folder names: [name, value]. */
  partitions: [string, string][];
}

/** The name used before this module knew several sources (tests and other modules). */
export type FoundFile = Source;

const CANONICAL: readonly FileFormat[] = ['csv', 'csv.gz', 'parquet'];

export function formatOf(file: string): FileFormat | null {
  const f = file.toLowerCase();
  if (f.endsWith('.csv.gz')) return 'csv.gz';
  if (f.endsWith('.csv')) return 'csv';
  if (f.endsWith('.parquet')) return 'parquet';
  if (f.endsWith('.xlsx')) return 'xlsx';
  return null;
}

/** A path that should be a file but is a folder (or a link to one) is a one-line input error. */
function requireFile(p: string, what: string): number {
  const st = statSync(p);
  if (st.isDirectory()) throw new InputError(`${p}: is a folder, not a file; ${what}`);
  if (!st.isFile()) throw new InputError(`${p}: is not a regular file; ${what}`);
  return st.size;
}

function source(def: FileDef, dataDir: string, file: string, format: FileFormat, extra: Partial<Source> = {}): Source {
  const p = path.join(dataDir, file);
  const bytes = requireFile(p, `give the ${def.name} input a file`);
  return { def, path: p, file, label: file, format, bytes, sheet: null, delimiter: ',', partitions: [], ...extra };
}

/** Locate NAME.csv / NAME.csv.gz / NAME.parquet in the dataset folder (exactly one may exist). */
export function findInputFile(dataDir: string, def: FileDef): Source | null {
  const found = CANONICAL.map((f) => ({ format: f, file: `${def.name}.${f}` })).filter((c) => existsSync(path.join(dataDir, c.file)));
  if (found.length > 1) {
    throw new InputError(`${dataDir}: both ${found.map((f) => f.file).join(' and ')} exist; keep exactly one ${def.name} file`);
  }
  const hit = found[0];
  if (!hit) {
    if (def.required) {
      throw new InputError(`${path.join(dataDir, `${def.name}.csv`)}: required file is missing (${def.meaning}); add ${def.name}.csv, .csv.gz or .parquet to the folder`);
    }
    return null;
  }
  return source(def, dataDir, hit.file, hit.format);
}

/** Every file under `dir` (relative paths with '/', byte order), hidden names skipped. */
export function walkFiles(root: string, rel = '', depth = 0): string[] {
  if (depth > 32) return [];
  const out: string[] = [];
  const names = readdirSync(path.join(root, rel)).filter((n) => !n.startsWith('.'));
  for (const name of names.sort()) {
    const r = rel ? `${rel}/${name}` : name;
    let st;
    try {
      st = statSync(path.join(root, r));
    } catch {
      continue; // a dangling link is no file
    }
    if (st.isDirectory()) out.push(...walkFiles(root, r, depth + 1));
    else if (st.isFile()) out.push(r);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A glob as a regular expression over '/'-separated relative paths: `*`, `**`, `?`. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (p: string) => /[*?]/.test(p);

/**
 * The sources of an input under a mapping: its `files` patterns (names, globs, folders) resolved
 * in --data, in pattern order and byte order within a pattern; without `files`, the section-1 file.
 */
export function resolveSources(dataDir: string, def: FileDef, rules: InputRules | null): Source[] {
  if (!rules || rules.files === null) {
    const f = findInputFile(dataDir, def);
    if (f && rules) f.delimiter = rules.delimiter;
    return f ? [f] : [];
  }
  const where = `${rules.mappingFile}: ${rules.keyPath}.files`;
  let all: string[] | null = null;
  const seen = new Set<string>();
  const out: Source[] = [];
  const add = (file: string, partitions: [string, string][]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const format = formatOf(file);
    if (!format) throw new InputError(`${where}: '${shown(file)}' is not a .csv, .csv.gz, .parquet or .xlsx file; narrow the pattern or convert the file`);
    out.push(source(def, dataDir, file, format, { sheet: format === 'xlsx' ? rules.sheet : null, delimiter: rules.delimiter, partitions }));
  };
  for (const pattern of rules.files!) {
    const clean = pattern.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
    if (clean.split('/').includes('..') || path.isAbsolute(pattern)) {
      throw new InputError(`${where}: '${shown(pattern)}' leaves the --data folder; give paths relative to it`);
    }
    const p = path.join(dataDir, clean);
    if (!isGlob(clean) && existsSync(p) && statSync(p).isDirectory()) {
      // a folder: every source file under it, key=value folder names as partition columns
      const files = walkFiles(p).filter((f) => formatOf(f) !== null);
      if (files.length === 0) throw new InputError(`${where}: the folder '${shown(pattern)}' holds no .csv, .csv.gz, .parquet or .xlsx file`);
      for (const f of files) {
        const parts = f.split('/').slice(0, -1).flatMap((seg): [string, string][] => {
          const m = /^([^=]+)=(.*)$/.exec(seg);
          return m ? [[m[1]!, decodeURIComponent(m[2]!)]] : [];
        });
        add(clean === '' ? f : `${clean}/${f}`, parts);
      }
    } else if (isGlob(clean)) {
      all ??= walkFiles(dataDir);
      const re = globRegExp(clean);
      const hits = all.filter((f) => re.test(f));
      if (hits.length === 0) throw new InputError(`${where}: '${shown(pattern)}' matches no file in ${dataDir}`);
      for (const f of hits) add(f, []);
    } else {
      if (!existsSync(p)) throw new InputError(`${where}: '${shown(pattern)}' does not exist in ${dataDir}`);
      add(clean, []);
    }
  }
  if (rules.sheet !== null && !out.some((s) => s.format === 'xlsx')) {
    throw new InputError(`${rules.mappingFile}: ${rules.keyPath}.sheet: set, but none of the input's files is an .xlsx workbook; remove it or list the workbook under files`);
  }
  return out;
}

/**
 * What the byte scan of a CSV's text found that DuckDB's reader would pass over silently: a NUL
 * byte (the reader keeps it inside a value) and blank lines (the reader skips them, so line numbers
 * counted from the reader's rows would drift after one).
 */
export interface CsvFacts {
  /** Offset of the first NUL byte in the text, or null. */
  nulAt: number | null;
  /** A blank line lies before the last record (blank lines at the very end change nothing). */
  blankLines: boolean;
}

/** Feed the bytes of a CSV's text in order; `facts()` at the end. Native searches only, no per-line loop. */
export class CsvByteScan {
  private offset = 0;
  private tail = Buffer.alloc(0);
  private nulAt: number | null = null;
  private firstBlank: number | null = null;
  private lastContent = -1;

  push(chunk: Buffer): void {
    if (this.nulAt === null) {
      const z = chunk.indexOf(0);
      if (z >= 0) this.nulAt = this.offset + z;
    }
    if (this.firstBlank === null) {
      // a line feed followed by a line feed (or CR LF) starts a blank line; look across the seam too
      const seam = Buffer.concat([this.tail, chunk.subarray(0, 2)]);
      for (const [buf, base] of [[seam, this.offset - this.tail.length], [chunk, this.offset]] as const) {
        // CR LF blank lines are looked for only where there is a CR (a memchr, not a string search)
        const hits = [buf.indexOf('\n\n'), buf.indexOf(0x0d) >= 0 ? buf.indexOf('\n\r\n') : -1].filter((i) => i >= 0);
        if (hits.length > 0 && this.firstBlank === null) this.firstBlank = base + Math.min(...hits);
      }
    }
    let i = chunk.length - 1;
    while (i >= 0 && (chunk[i] === 0x0a || chunk[i] === 0x0d)) i--;
    if (i >= 0) this.lastContent = this.offset + i;
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 2)));
    this.offset += chunk.length;
  }

  facts(): CsvFacts {
    return { nulAt: this.nulAt, blankLines: this.firstBlank !== null && this.firstBlank < this.lastContent };
  }
}

/** The text stream of a CSV source (gunzipped for .csv.gz). */
function textStream(src: Source): { raw: Readable; text: Readable } {
  const raw = createReadStream(src.path, { highWaterMark: 4 << 20 });
  return { raw, text: src.format === 'csv.gz' ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw };
}

/** sha256 of a source file; for a plain .csv the byte scan rides on the same read. */
export async function hashSource(src: Source): Promise<{ sha256: string; facts: CsvFacts | null }> {
  const scan = src.format === 'csv' ? new CsvByteScan() : null;
  try {
    const sha256 = await sha256File(src.path, scan ? (c) => scan.push(c) : undefined);
    return { sha256, facts: scan?.facts() ?? null };
  } catch (e) {
    throw new InputError(`${src.path}: cannot read the file (${(e as Error).message.split('\n')[0]}); check it`);
  }
}

/**
 * Read a .csv.gz to its end: a compressed file that ends early (or is damaged anywhere) is an
 * unreadable file, never a shorter one (method.md section 11). Returns the byte scan's facts.
 */
export function scanCompressed(src: Source): Promise<CsvFacts> {
  return new Promise((resolve, reject) => {
    const { raw, text } = textStream(src);
    const scan = new CsvByteScan();
    const fail = (e: Error) => {
      raw.destroy();
      const early = /unexpected end/i.test(e.message);
      reject(
        new InputError(
          `${src.path}: ${early ? 'the compressed file ends early (truncated: an incomplete copy or download)' : `cannot be decompressed (${e.message.split('\n')[0]})`}; nothing of it was loaded: copy or export the whole file again`,
        ),
      );
    };
    raw.on('error', fail);
    text.on('data', (c: Buffer) => scan.push(c)).on('error', fail).on('end', () => resolve(scan.facts()));
  });
}

/**
 * Line numbers of a CSV's text (header = line 1): the line holding byte `offset` (when given) and
 * the blank lines. Run only when the byte scan found a NUL byte or blank lines.
 */
export function lineFacts(src: Source, offset: number | null): Promise<{ lineOfOffset: number | null; blank: number[] }> {
  return new Promise((resolve, reject) => {
    const { raw, text } = textStream(src);
    let line = 1;
    let pos = 0;
    let lineStart = 0;
    let prevLast = -1;
    let lineOfOffset: number | null = null;
    const blank: number[] = [];
    text.on('data', (c: Buffer) => {
      let from = 0;
      for (;;) {
        const nl = c.indexOf(0x0a, from);
        const stop = nl < 0 ? c.length : nl + 1;
        if (offset !== null && lineOfOffset === null && offset >= pos + from && offset < pos + stop) lineOfOffset = line;
        if (nl < 0) break;
        // the line ending here is blank when it is empty or a lone carriage return
        const len = pos + nl - lineStart;
        const before = nl > 0 ? c[nl - 1] : prevLast;
        if (len === 0 || (len === 1 && before === 0x0d)) blank.push(line);
        line++;
        lineStart = pos + nl + 1;
        from = nl + 1;
      }
      if (c.length > 0) prevLast = c[c.length - 1]!;
      pos += c.length;
    });
    text.on('error', reject);
    raw.on('error', reject);
    text.on('end', () => resolve({ lineOfOffset, blank }));
  });
}

/**
 * The first line of a CSV's text, without BOM or line ending; a file the reader would misread
 * (empty, UTF-16, CR-only line ends) is a one-line error of its own.
 */
export function readCsvHeader(f: Source): Promise<string> {
  return new Promise((resolve, reject) => {
    const { raw, text: src } = textStream(f);
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      raw.destroy();
      if (err) {
        const early = /unexpected end/i.test(err.message);
        reject(
          new InputError(
            early
              ? `${f.path}: the compressed file ends early (truncated); nothing of it was loaded: copy or export the whole file again`
              : `${f.path}: cannot read the file (${err.message.split('\n')[0]}); check it is a ${f.format === 'csv.gz' ? 'gzip-compressed ' : ''}CSV file`,
          ),
        );
        return;
      }
      if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff) || (buf.length >= 2 && (buf[0] === 0 || buf[1] === 0))) {
        reject(new InputError(`${f.path}: the file is UTF-16 text; save it as UTF-8 (in Excel: "CSV UTF-8 (comma delimited)")`));
        return;
      }
      const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
      if (buf.length - start === 0) {
        reject(new InputError(`${f.path}: the file is empty (not even a header row); export it again with its header row`));
        return;
      }
      const nl = buf.indexOf(0x0a, start);
      const cr = buf.indexOf(0x0d, start);
      if (cr >= 0 && (nl < 0 || cr < nl - 1)) {
        reject(new InputError(`${f.path}: lines end with a carriage return only (old Mac format); save the file with Windows (CR LF) or Unix (LF) line endings`));
        return;
      }
      let line = buf.subarray(start, nl < 0 ? buf.length : nl).toString('utf8');
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() === '') {
        reject(new InputError(`${f.path}: line 1 is empty; the header row must be the first line`));
        return;
      }
      resolve(line);
    };
    src.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.includes(0x0a) || buf.length > 1 << 20) finish();
    });
    src.on('end', () => finish());
    src.on('error', (e: Error) => finish(e));
    raw.on('error', (e: Error) => finish(e));
  });
}

/** Split a CSV header line into names: fields separated by `delimiter`, quotes removed, spaces trimmed. */
export function splitHeader(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === delimiter) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}
