import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { codeHash, readBlob, writeBlob } from '../cache/store.js';
import type { PngPool } from './pngPool.js';

/**
 * PNGs from the run cache: a PNG is a pure function of its SVG text, resvg, the shipped font and
 * the drawing options (src/report/render.ts), so it is kept under png/ in the run cache, named by
 * the sha256 of all of these, and a chart whose SVG is unchanged is not drawn again (a rerun's
 * charts are). The file is the very bytes drawn before; the cache's limits apply to it.
 */
const require = createRequire(import.meta.url);

function drawingHash(): string {
  const v = (p: string) => (JSON.parse(readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version;
  return createHash('sha256').update(`${v('@resvg/resvg-js')}\0${v('dejavu-fonts-ttf')}\0${codeHash(['report/render'], [])}`).digest('hex');
}

export function cachedPngs(pool: PngPool, root: string | null): PngPool {
  if (!root) return pool;
  const salt = drawingHash();
  return {
    async png(svg: string): Promise<Buffer> {
      // checked against its sha256 by the store: a damaged PNG is drawn again, never used
      const name = createHash('sha256').update(salt).update(svg).digest('hex');
      const cached = readBlob(root, 'png', name);
      if (cached) return cached;
      const png = await pool.png(svg);
      writeBlob(root, 'png', name, png);
      return png;
    },
    close: () => pool.close(),
  };
}
