import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbr, pbrIn } from './helpers/cli.js';
import { brokenDataset } from './helpers/dataset.js';

const valid = path.join(FIXTURES_DIR, 'valid');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pbr-cli-'));

describe('pbr command line', () => {
  it('--help lists every command of formats.md section 3', () => {
    const r = pbr(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['demo', 'synth', 'validate', 'run', 'assess', 'diff', 'reconcile', 'verify', 'check', 'contract-schema', 'cache']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    }
  });

  // the entry script itself (bin/pbr.js) is run by the --help test above; the usage errors below
  // go through the same main() in this process
  it('an unknown option is a usage error: exit 2, one line', async () => {
    const r = await pbrIn(['validate', '--data', valid, '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(["error: unknown option '--bogus'"]);
  });

  it('a missing required option is a usage error naming it', async () => {
    const r = await pbrIn(['validate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: pbr validate: --data: required: the dataset folder/);
  });

  it('pbr cache list on a cache folder that does not exist yet says it is empty', async () => {
    const dir = path.join(tmp(), 'none');
    const r = await pbrIn(['cache', 'list'], { env: { PBR_CACHE_DIR: dir } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`run cache: ${dir}`);
    expect(r.stdout).toContain('the cache is empty');
    expect((await pbrIn(['cache', 'clear'], { env: { PBR_CACHE_DIR: dir } })).stdout).toBe(`removed 0 items (0 B) from ${dir}\n`);
    expect(existsSync(dir)).toBe(false);
  });

  it('contract-schema prints a JSON Schema', async () => {
    const r = await pbrIn(['contract-schema']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).properties.payments).toBeDefined();
  });
});

describe('pbr validate', () => {
  it('exits 0 on good data and writes validation.json', async () => {
    const out = tmp();
    const r = await pbrIn(['validate', '--data', valid, '--contract', path.join(valid, 'contract.json'), '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('starts.csv: 5 rows read, 5 used, 0 rejected');
    const v = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8'));
    expect(v.ok).toBe(true);
    expect(v.rejects).toEqual([]);
  });

  for (const [name, where] of [
    ['type', 'starts.csv: line 3, column sentence_length_days: not a whole number'],
    ['unknown-person', 'reconvictions.csv: line 4, column person_id: unknown person_id'],
    ['disposal-before-offence', 'reconvictions.csv: line 5, column disposal_date: disposal_date is before offence_date'],
    ['unknown-area', "starts.csv: line 5, column cpa: area 'A9' is not in the contract's areas"],
  ] as const) {
    it(`exits 2 on the ${name} fixture, naming file, line and column`, async () => {
      const dir = brokenDataset(name);
      const out = tmp();
      const r = await pbrIn(['validate', '--data', dir, '--contract', path.join(dir, 'contract.json'), '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stdout).toContain(where);
      expect(r.stderr).toMatch(/^error: 1 row\(s\) rejected; every one is listed in .*validation\.json/);
      const v = JSON.parse(readFileSync(path.join(out, 'validation.json'), 'utf8'));
      expect(v.rejected_rows).toBe(1);
      expect(v.rejects).toHaveLength(1);
    });
  }

  it('a header error is one line naming file, line 1 and the column', async () => {
    const dir = brokenDataset('unknown-column');
    const r = await pbrIn(['validate', '--data', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cohort\.csv: line 1, column 4: unknown column 'pnc_match'/);
  });
});

describe('pbr run on bad data', () => {
  it('exits 2 before computing and leaves no output folder behind', async () => {
    const dir = brokenDataset('enum');
    const parent = tmp();
    const out = path.join(parent, 'run');
    const r = await pbrIn(['run', '--data', dir, '--contract', path.join(dir, 'contract.json'), '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/starts\.csv: line 4, column start_type: not one of CO, SSO, CUSTODY_RELEASE/);
    expect(r.stderr).toMatch(/1 input row\(s\) rejected/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a bad contract key exits 2 naming the key', async () => {
    const parent = tmp();
    const c = path.join(parent, 'c.json');
    writeFileSync(c, JSON.stringify({ contract: 'x', payments: { binary_price: 'lots' } }));
    const r = await pbrIn(['run', '--data', valid, '--contract', c, '--out', path.join(parent, 'out')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/c\.json: payments\.binary_price: expected number/);
    expect(existsSync(path.join(parent, 'out'))).toBe(false);
  });
});
