/**
 * Exact numerators (formats.md section 4, v2): the measures.csv of a run, fed back into
 * `pbr assess` with the run's contract, reproduces every results line of its payments to the penny
 * (the same amounts, bases and rules), annual top-up lines included. On a small synthetic dataset
 * (scale 0.005), measured and paid in process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { parseContract } from '../src/contract/load.js';
import type { RunContext } from '../src/core/context.js';
import { loadDataset } from '../src/validate/load.js';
import { measure, writeMeasureCsvs } from '../src/measure/index.js';
import { pay } from '../src/pay/index.js';
import { writeStatements } from '../src/statements/index.js';
import { runAssess } from '../src/run/assess.js';
import { shared } from './helpers/shared.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-roundtrip-'));
let runLines: string[] = [];
let assessLines: string[] = [];
let topUps = 0;

/** payments.csv rows (our own CSV: quoted fields only where needed) as their text, without the header. */
const body = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').slice(1);

beforeAll(async () => {
  // pbr synth at scale 0.005, seed 20161, shared with other test files (read only)
  const data = (await shared('synth-20161')).data;
  const raw = JSON.parse(readFileSync(path.join(data, 'contract.json'), 'utf8')) as Record<string, unknown>;
  // the synthetic contract, with the annual top-up and the termination watch on, and no fee for service
  (raw.cohort as Record<string, unknown>).top_up = 'financial-year';
  raw.termination = { increase_points: 1, consecutive_periods: 2 };
  raw.fee_for_service = {};
  const contractFile = path.join(root, 'contract.json');
  writeFileSync(contractFile, JSON.stringify(raw));
  const contract = parseContract(raw);
  const db = await Db.open({ threads: 2 });
  const out = path.join(root, 'run');
  try {
    const load = await loadDataset(db, data, contract, { cache: false });
    const ctx: RunContext = {
      db, contract, contractSha256: 'x', asOf: contract.follow_up.as_of!, hasBaselinesFile: load.hasBaselinesFile,
      outDir: out, inputs: load.inputs, rejectedRows: 0, progress: () => {},
    };
    mkdirSync(out, { recursive: true });
    await measure(ctx);
    await writeMeasureCsvs(ctx);
    await pay(ctx);
    await writeStatements(ctx);
  } finally {
    db.close();
  }
  const assessed = path.join(root, 'assess');
  await runAssess({ aggregates: path.join(out, 'measures.csv'), contract: contractFile, out: assessed });
  // no fee for service in this contract: every line of payments.csv is a results line
  runLines = body(path.join(out, 'payments.csv'));
  assessLines = body(path.join(assessed, 'payments.csv'));
  topUps = runLines.filter((l) => /,(binary|frequency)_top_up,/.test(l)).length;
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('measures.csv through pbr assess', () => {
  it('reproduces every line of the run\'s payments.csv, amount, basis and rule, to the penny', () => {
    // the run has lines to reproduce, top-up lines among them
    expect(runLines.length).toBeGreaterThan(10);
    expect(topUps).toBeGreaterThan(0);
    expect(assessLines).toEqual(runLines);
  });

  it('outcomes.csv is measures.csv again, but for the events per 100 (measures.csv has no event count)', () => {
    // every column but reconviction_events_per_100 (the 14th): counts, rates, thresholds, outcomes,
    // exact numerators and the termination watch
    const cut = (l: string) => l.split(',').filter((_, i) => i !== 13).join(',');
    expect(body(path.join(root, 'assess', 'outcomes.csv')).map(cut)).toEqual(body(path.join(root, 'run', 'measures.csv')).map(cut));
  });
});
