/**
 * significance.method fixed through `pbr run` (method.md section 13): the area-periods without a
 * threshold row are listed in validation.json (missing_thresholds) and on stderr; a contract that
 * asks for fixed thresholds in a dataset without a thresholds file is exit 2 naming the key.
 * On a copy of the hand fixture (fixtures/hand: areas A1, A2, A3; periods 2024Q1, 2024Q2).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbrIn } from './helpers/cli.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'pbr-mech-run-'));
const data = path.join(root, 'data');
const contract = path.join(root, 'fixed.json');

beforeAll(() => {
  cpSync(path.join(FIXTURES_DIR, 'hand'), data, { recursive: true });
  const c = JSON.parse(readFileSync(path.join(data, 'contract.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(contract, JSON.stringify({ ...c, significance: { method: 'fixed' } }));
});

describe('pbr run with significance.method fixed', () => {
  it('without a thresholds file: exit 2 naming significance.method', async () => {
    const r = await pbrIn(['--quiet', 'run', '--data', data, '--contract', contract, '--out', path.join(root, 'none')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: significance\.method: fixed takes its thresholds from a thresholds file/);
  });

  it('lists the area-periods with no threshold row in validation.json and on stderr', async () => {
    // Rows: A1 every period (*), A2 2024Q1 only. Missing: A2 2024Q2, A3 2024Q1, A3 2024Q2 (ALL is never listed).
    writeFileSync(path.join(data, 'thresholds.csv'), 'cpa,period,lower,upper\nA1,*,0.3,0.7\nA2,2024Q1,0.3,0.7\n');
    const out = path.join(root, 'run');
    const r = await pbrIn(['run', '--data', data, '--contract', contract, '--out', out], { env: { NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('thresholds: 3 area-period(s) have no row in the thresholds file, so their outcome is none: A2 2024Q2, A3 2024Q1, A3 2024Q2');
    const v = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8')) as { missing_thresholds: unknown };
    expect(v.missing_thresholds).toEqual([
      { area: 'A2', period: '2024Q2' },
      { area: 'A3', period: '2024Q1' },
      { area: 'A3', period: '2024Q2' },
    ]);
  });
});
