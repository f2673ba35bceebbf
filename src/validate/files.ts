import { createReadStream, existsSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { FileDef } from '../schema/inputs.js';

export type FileFormat = 'csv' | 'csv.gz' | 'parquet';

export interface FoundFile {
  def: FileDef;
  path: string;
  file: string;
  format: FileFormat;
  bytes: number;
}

const FORMATS: readonly FileFormat[] = ['csv', 'csv.gz', 'parquet'];

/** Locate NAME.csv / NAME.csv.gz / NAME.parquet in the dataset folder (exactly one may exist). */
export function findInputFile(dataDir: string, def: FileDef): FoundFile | null {
  const found = FORMATS.map((f) => ({ format: f, file: `${def.name}.${f}` })).filter((c) => existsSync(path.join(dataDir, c.file)));
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
  const p = path.join(dataDir, hit.file);
  return { def, path: p, file: hit.file, format: hit.format, bytes: statSync(p).size };
}

/** sha256 of a file, read in 4 MiB chunks (the default 64 KiB doubles the time of a 1 GB extract). */
export function sha256File(p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(p, { highWaterMark: 4 << 20 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** The header line of a CSV (or gzipped CSV) file, without BOM or line ending. */
export function readCsvHeader(f: FoundFile): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = createReadStream(f.path, { highWaterMark: 64 * 1024 });
    const src = f.format === 'csv.gz' ? raw.pipe(createGunzip()) : raw;
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      raw.destroy();
      if (err) {
        reject(new InputError(`${f.path}: cannot read the file (${err.message}); check it is a ${f.format === 'csv.gz' ? 'gzip-compressed ' : ''}CSV file`));
        return;
      }
      let line = buf.toString('utf8');
      const nl = line.search(/\r?\n/);
      if (nl >= 0) line = line.slice(0, nl);
      resolve(line.replace(/^\uFEFF/, ''));
    };
    src.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.includes(0x0a) || buf.length > 1 << 20) finish();
    });
    src.on('end', () => finish());
    src.on('error', (e: Error) => finish(e));
  });
}

/** Split a CSV header line into names (header names never contain commas; quotes are removed). */
export function splitHeader(line: string): string[] {
  return line.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
}
