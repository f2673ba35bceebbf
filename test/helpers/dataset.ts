import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../../src/paths.js';

/** A temporary copy of fixtures/valid with the files of fixtures/broken/NAME laid over it. */
export function brokenDataset(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pbr-broken-${name}-`));
  cpSync(path.join(FIXTURES_DIR, 'valid'), dir, { recursive: true });
  const over = path.join(FIXTURES_DIR, 'broken', name);
  for (const f of readdirSync(over)) cpSync(path.join(over, f), path.join(dir, f));
  return dir;
}

/** A temporary copy of fixtures/valid with one file replaced by the given bytes. */
export function datasetWith(file: string, bytes: Buffer | string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-data-'));
  cpSync(path.join(FIXTURES_DIR, 'valid'), dir, { recursive: true });
  writeFileSync(path.join(dir, file), bytes);
  return dir;
}
