import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../paths.js';
import { svgToPngAsync } from './render.js';

/**
 * PNGs drawn in worker threads while the main thread lays out the next chart with Vega: the
 * drawing and the PNG encoding (about two thirds of the report's time) leave the main thread.
 * The workers run the compiled dist/report/pngWorker.js; where it is missing (sources run
 * uncompiled) the PNGs are drawn with resvg's own thread pool instead. Either way the bytes are
 * svgToPng's.
 */
export interface PngPool {
  png(svg: string): Promise<Buffer>;
  close(): Promise<void>;
}

const WORKER = path.join(PACKAGE_ROOT, 'dist', 'report', 'pngWorker.js');

export function pngPool(size = 2): PngPool {
  if (!existsSync(WORKER)) return { png: svgToPngAsync, close: async () => {} };
  const waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: unknown) => void }>();
  let next = 0;
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(WORKER);
    w.on('message', (m: { id: number; png: Uint8Array }) => {
      const p = waiting.get(m.id)!;
      waiting.delete(m.id);
      p.resolve(Buffer.from(m.png.buffer, m.png.byteOffset, m.png.byteLength));
    });
    w.on('error', (e) => {
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    });
    return w;
  });
  return {
    png(svg: string): Promise<Buffer> {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        workers[id % size]!.postMessage({ id, svg });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
