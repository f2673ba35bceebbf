import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { codeHash } from '../cache/store.js';
import type { PngPool } from './pngPool.js';

/**
 * PNGs from the run cache: a PNG is a pure function of its SVG text, resvg, the shipped font and
 * the drawing options (src/report/render.ts), so it is kept under png/ in the run cache, named by
 * the sha256 of all of these, and a chart whose SVG is unchanged is not drawn again (a rerun's
 * charts are). The file is the very bytes drawn before. The most recently used MAX_FILES are kept.
 */
const MAX_FILES = 2000;
const require = createRequire(import.meta.url);

function drawingHash(): string {
  const v = (p: string) => (JSON.parse(readFileSync(require.resolve(`${p}/package.json`), 'utf8')) as { version: string }).version;
  return createHash('sha256').update(`${v('@resvg/resvg-js')}\0${v('dejavu-fonts-ttf')}\0${codeHash(['report/render'], [])}`).digest('hex');
}

export function cachedPngs(pool: PngPool, root: string | null): PngPool {
  if (!root) return pool;
  const dir = path.join(root, 'png');
  const salt = drawingHash();
  return {
    async png(svg: string): Promise<Buffer> {
      const file = path.join(dir, `${createHash('sha256').update(salt).update(svg).digest('hex')}.png`);
      try {
        if (existsSync(file)) {
          const png = readFileSync(file);
          const now = new Date();
          utimesSync(file, now, now);
          return png;
        }
      } catch {
        // unreadable: draw it again
      }
      const png = await pool.png(svg);
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${file}.tmp-${process.pid}`;
        writeFileSync(tmp, png);
        renameSync(tmp, file);
      } catch {
        // the cache is an optimisation: a read-only or full disk never fails a run
      }
      return png;
    },
    async close() {
      await pool.close();
      try {
        const files = readdirSync(dir)
          .filter((n) => n.endsWith('.png'))
          .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
          .sort((a, b) => b.t - a.t);
        for (const f of files.slice(MAX_FILES)) rmSync(path.join(dir, f.n), { force: true });
      } catch {
        // nothing cached yet
      }
    },
  };
}
