import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';

/**
 * sha256 of files, read into a buffer allocated once per file (or once per process): a read stream
 * allocates a new buffer for every chunk (BENCHMARKS.md).
 */
const CHUNK = 8 << 20;

/** sha256 of bytes or text held in memory, as hex. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file; `onChunk` sees every chunk in order (it must copy what it keeps). */
export async function sha256File(p: string, onChunk?: (chunk: Buffer) => void): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(p, 'r');
  try {
    // no larger than the file: a run hashes thousands of small files
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, (await fh.stat()).size)));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      h.update(chunk);
      onChunk?.(chunk);
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** The buffer of sha256FileSync: one for the process (a run's outputs are thousands of small files). */
let syncBuf: Buffer | undefined;

/** sha256 of a file, synchronously (outputs, the manifest, a restored run). */
export function sha256FileSync(p: string): string {
  const h = createHash('sha256');
  const fd = openSync(p, 'r');
  try {
    const buf = (syncBuf ??= Buffer.allocUnsafe(CHUNK));
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
