import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable, Transform, pipeline } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';

/**
 * A zip archive (an .xlsx workbook) read through its central directory: every entry found by
 * name, never by streaming the archive front to back. exceljs's streaming reader reads the archive
 * in one pass and can lose an entry under load (exceljs issue #3064: a workbook.xml stored last is
 * lost and the read fails, or worse a part of a sheet); here each entry is its own file range,
 * inflated by Node's zlib and checked against its size and CRC-32 as it is read.
 */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
}

/** A fault of the archive itself; the caller names the file. */
export class ZipError extends Error {
  /** The archive ends before its central directory or an entry's end: a copy cut short. */
  constructor(message: string, readonly cutShort = false) {
    super(message);
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = readSync(fd, b, 0, length, position);
  if (n !== length) throw new ZipError('the archive ends early', true);
  return b;
}

/** Every entry of the archive by name, from its central directory. */
export function zipDirectory(file: string): Map<string, ZipEntry> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = readAt(fd, size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new ZipError('no zip central directory', true);
    const count = tail.readUInt16LE(at + 10);
    const dirSize = tail.readUInt32LE(at + 12);
    const dirOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
      throw new ZipError('a ZIP64 archive (over 4 GB or 65,535 parts), which is not read; save the workbook again from Excel');
    }
    if (dirOffset + dirSize > size) throw new ZipError('the central directory lies beyond the end of the file', true);
    const dir = readAt(fd, dirOffset, dirSize);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) throw new ZipError('a damaged central directory');
      const flags = dir.readUInt16LE(p + 8);
      const nameLength = dir.readUInt16LE(p + 28);
      const skip = nameLength + dir.readUInt16LE(p + 30) + dir.readUInt16LE(p + 32);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
      if (flags & 1) throw new ZipError('the workbook is encrypted (password-protected); save a copy without a password');
      entries.set(name, {
        name,
        method: dir.readUInt16LE(p + 10),
        crc: dir.readUInt32LE(p + 16),
        compressedSize: dir.readUInt32LE(p + 20),
        size: dir.readUInt32LE(p + 24),
        offset: dir.readUInt32LE(p + 42),
      });
      p += 46 + skip;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** Where an entry's data starts: after its local header, whose name and extra field lengths are its own. */
function dataStart(file: string, e: ZipEntry): number {
  const fd = openSync(file, 'r');
  try {
    const h = readAt(fd, e.offset, 30);
    if (h.readUInt32LE(0) !== LOCAL) throw new ZipError(`the part ${e.name} is damaged (no local header)`);
    return e.offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  } finally {
    closeSync(fd);
  }
}

/** The entry's bytes as a stream, inflated and checked: a wrong length or CRC-32 fails the stream. */
export function entryStream(file: string, e: ZipEntry): Readable {
  if (e.method !== 0 && e.method !== 8) throw new ZipError(`the part ${e.name} is compressed by method ${e.method}, which is not read; save the workbook again from Excel`);
  const start = dataStart(file, e);
  const raw: Readable = e.compressedSize === 0 ? Readable.from([]) : createReadStream(file, { start, end: start + e.compressedSize - 1 });
  let crc = 0;
  let length = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      length += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      done(length === e.size && crc >>> 0 === e.crc ? null : new ZipError(`the part ${e.name} is damaged (its ${length === e.size ? 'checksum' : 'length'} does not match)`));
    },
  });
  const fail = (err: Error | null) => {
    if (err) check.destroy(err instanceof ZipError ? err : new ZipError(`the part ${e.name} is damaged (${err.message})`));
  };
  if (e.method === 8) pipeline(raw, createInflateRaw(), check, fail);
  else pipeline(raw, check, fail);
  return check;
}

/** Whether the entry inflates to its recorded length and CRC-32 (ZipError when not). */
export async function checkEntry(file: string, e: ZipEntry): Promise<void> {
  for await (const _ of entryStream(file, e));
}

/** The whole entry, inflated and checked. */
export async function entryBuffer(file: string, e: ZipEntry): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of entryStream(file, e)) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
