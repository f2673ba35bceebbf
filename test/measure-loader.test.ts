/**
 * The hand fixture through the real loader (src/validate/load.ts, as `pbr run` does it): every row
 * is valid, and measure + writeMeasureOutputs give the same measures.csv, breakdowns.csv and
 * offender_outcomes.parquet as the test helper's loader.
 */
import { expect, test } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { loadDataset } from '../src/validate/load.js';
import { measure, writeMeasureOutputs } from '../src/measure/index.js';
import type { RunContext } from '../src/core/context.js';
import { HAND_DIR, measureDir, readContract } from './measure-helpers/load.js';

test('hand fixture: the real loader accepts every row and gives the same outputs', async () => {
  const contract = readContract(path.join(HAND_DIR, 'contract.json'));
  const a = mkdtempSync(path.join(os.tmpdir(), 'pbr-loader-a-'));
  const b = mkdtempSync(path.join(os.tmpdir(), 'pbr-loader-b-'));
  const db = await Db.open({ threads: 1 });
  try {
    const load = await loadDataset(db, HAND_DIR, contract);
    expect(load.rejectedRows).toBe(0);
    expect(load.hasBaselinesFile).toBe(false);
    const ctx: RunContext = {
      db, contract, contractSha256: 'test', asOf: contract.follow_up.as_of!, hasBaselinesFile: false,
      outDir: a, inputs: load.inputs, rejectedRows: 0, progress: () => {},
    };
    await measure(ctx);
    await writeMeasureOutputs(ctx);
    const m = await measureDir(HAND_DIR, contract, b);
    try {
      await writeMeasureOutputs(m.ctx);
    } finally {
      m.close();
    }
    for (const f of ['measures.csv', 'breakdowns.csv', 'offender_outcomes.parquet']) {
      expect([f, readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f)))]).toEqual([f, true]);
    }
  } finally {
    db.close();
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
