import { readFileSync } from 'node:fs';
import path from 'node:path';
import { outputHashes } from '../../src/core/manifest.js';

/** Every output's sha256 of a run folder, and manifest.json itself: equal when two runs wrote the same bytes. */
export function allBytes(dir: string): Record<string, string> {
  const h = outputHashes(dir);
  h['manifest.json'] = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  return h;
}
