import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';

/**
 * sha256 of files, read into one reused buffer: a read stream allocates a new buffer for every
 * chunk, which made hashing an extract 2.4 times slower than the hash itself (BENCHMARKS.md).
 */
const CHUNK = 8 << 20;

/** sha256 of a file; `onChunk` sees every chunk in order (it must copy what it keeps). */
export async function sha256File(p: string, onChunk?: (chunk: Buffer) => void): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
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

/** sha256 of a file, synchronously (small outputs and the manifest). */
export function sha256FileSync(p: string): string {
  const h = createHash('sha256');
  const fd = openSync(p, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
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

/**
 * Copy a file and return the sha256 of what was copied, in one pass. The copy is created with the
 * usual permissions (the umask applies), not the source's.
 */
export async function copyHashed(src: string, dest: string): Promise<string> {
  const h = createHash('sha256');
  const from = await open(src, 'r');
  try {
    const to = await open(dest, 'w');
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await from.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        h.update(chunk);
        await to.write(chunk);
      }
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  return h.digest('hex');
}
