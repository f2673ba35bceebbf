import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { runAssess } from '../src/run/assess.js';
import { runPipeline } from '../src/run/pipeline.js';

// manifest.json's `queries` lists the SQL files of the run itself: not those an earlier command in
// the same process read (pbr verify and pbr diff re-run the pipeline in-process, and so do tests).
const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-manifest-queries-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the queries of a run', () => {
  it('a tr-crc run after a Peterborough assessment in the same process lists pay_trcrc, not pay_peterborough', async () => {
    const agg = path.join(FIXTURES_DIR, 'aggregates');
    await runAssess({ aggregates: path.join(agg, 'peterborough.csv'), contract: path.join(agg, 'peterborough.contract.json'), out: path.join(root, 'assess') });
    const hand = path.join(FIXTURES_DIR, 'hand');
    const out = path.join(root, 'run');
    await runPipeline({ dataDir: hand, contractPath: path.join(hand, 'contract.json'), outDir: out, quiet: true, cache: false });
    const queries = Object.keys(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).queries as Record<string, string>);
    // fixtures/hand's contract is tr-crc: its results come from pay_trcrc.sql; the Peterborough
    // scheme's file was read by the assessment only
    expect(queries).toContain('queries/pay_trcrc.sql');
    expect(queries).not.toContain('queries/pay_peterborough.sql');
  });
});
