import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseContract, loadContract } from '../src/contract/load.js';
import { contractJsonSchema } from '../src/contract/schema.js';
import { InputError } from '../src/errors.js';

describe('contract defaults (method.md)', () => {
  const c = parseContract({ contract: 'x' });
  it('population defaults', () => {
    expect(c.population).toEqual({ allocation: 'CRC', start_types: ['CO', 'SSO', 'CUSTODY_RELEASE'], exclude_em_only: true, min_age: 18, min_custody_days: 2 });
  });
  it('follow-up, proven, baseline, cohort defaults', () => {
    expect(c.follow_up).toEqual({ months: 12, waiting_months: 6, as_of: null });
    expect(c.proven).toEqual({ disposals: ['CONVICTION', 'CAUTION'], exclude_breaches: true });
    expect(c.baseline).toEqual({ from: '2011-01-01', to: '2011-12-31' });
    expect(c.cohort).toEqual({ period: 'quarter', from: '2015-10-01', to: null, top_up: 'none' });
  });
  it('method defaults: additive adjustment, two-sided 95% baseline band, binary-payment hurdle', () => {
    expect(c.scheme).toBe('tr-crc');
    expect(c.adjustment.method).toBe('additive');
    expect(c.significance).toEqual({ method: 'baseline-band', confidence: 0.95, sided: 'two' });
    expect(c.payments.frequency_hurdle).toBe('binary-payment');
    expect(c.payments.binary_price).toBeNull();
  });
  it('scheme defaults: Peterborough thresholds 10% / 7.5%, Doncaster 5 points and 10% at risk', () => {
    expect(c.thresholds).toEqual({ cohort: 0.1, overall: 0.075 });
    expect(c.target_points).toBe(5);
    expect(c.at_risk_share).toBe(0.1);
  });
});

describe('contract errors name the key path', () => {
  const msg = (v: unknown) => {
    try {
      parseContract(v, 'c.json');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  it('a wrong type', () => {
    expect(msg({ contract: 'x', payments: { binary_price: 'lots' } })).toMatch(/^c\.json: payments\.binary_price: expected number/);
  });
  it('a missing contract name', () => {
    expect(msg({})).toMatch(/^c\.json: contract: expected string/);
  });
  it('an unknown key (a typo is not silently ignored)', () => {
    expect(msg({ contract: 'x', follow_up: { month: 12 } })).toMatch(/^c\.json: follow_up: unknown key\(s\) 'month'/);
  });
  it('a bad enumeration', () => {
    expect(msg({ contract: 'x', adjustment: { method: 'logistic' } })).toMatch(/^c\.json: adjustment\.method: /);
  });
  it('an impossible date', () => {
    expect(msg({ contract: 'x', follow_up: { as_of: '2022-02-30' } })).toMatch(/^c\.json: follow_up\.as_of: expected a real calendar date/);
  });
  it('a contract year in an array', () => {
    expect(
      msg({ contract: 'x', fee_for_service: { areas: { A1: [{ from: '2016-01-01', to: '2015-01-01', annual_price: 1, volume_low: 1, volume_high: 2 }] } } }),
    ).toMatch(/^c\.json: fee_for_service\.areas\.A1\[0\]\.to: from must not be after to/);
  });
});

describe('contract files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-contract-'));
  it('YAML and JSON with the same keys give the same contract', () => {
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ contract: 'y', follow_up: { as_of: '2022-01-31' } }));
    writeFileSync(path.join(dir, 'c.yaml'), 'contract: y\nfollow_up:\n  as_of: "2022-01-31"\n');
    expect(loadContract(path.join(dir, 'c.yaml')).contract).toEqual(loadContract(path.join(dir, 'c.json')).contract);
  });
  it('broken JSON syntax is an input error naming the file, line and column', () => {
    // '{"contract": ' is 13 characters: the missing value would start at column 14 of line 1
    writeFileSync(path.join(dir, 'bad.json'), '{"contract": ');
    expect(() => loadContract(path.join(dir, 'bad.json'))).toThrow(/bad\.json: line 1, column 14: not valid JSON \(expected a value \(the text ends too early\)\)/);
  });
  it('the JSON Schema describes every top-level key', () => {
    const s = contractJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['contract', 'scheme', 'population', 'cohort', 'baseline', 'follow_up', 'proven', 'adjustment', 'significance', 'payments', 'fee_for_service', 'areas']));
    expect(s.required).toEqual(['contract']);
  });
});

describe('contract v2 keys and their limits', () => {
  const c = parseContract({ contract: 'x' });
  const msg = (v: unknown) => {
    try {
      parseContract(v, 'c.json');
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  it('v2 defaults: no top-up, no termination watch, fees rounded per month, nothing suppressed, no clause labels', () => {
    expect(c.cohort.top_up).toBe('none');
    expect(c.termination).toBeNull();
    expect(c.fee_for_service.rounding).toBe('per-month');
    expect(c.publication.suppress_below).toBeNull();
    expect(c.clauses).toEqual({});
    expect([c.whole_pilot, c.payment_cap, c.bonus_per_point, c.bonus_cap_points]).toEqual(['pooled', null, null, 5]);
  });
  it("an area coded 'ALL' is refused (it is the all-areas row)", () => {
    expect(msg({ contract: 'x', areas: { ALL: 'Everywhere' } })).toMatch(/^c\.json: areas\.ALL: 'ALL' is reserved/);
  });
  it('an area code longer than 40 characters is refused', () => {
    expect(msg({ contract: 'x', areas: { ['A'.repeat(41)]: 'Long' } })).toMatch(/at most 40 characters/);
  });
  it('an area name longer than 200 characters is refused', () => {
    expect(msg({ contract: 'x', areas: { A1: 'n'.repeat(201) } })).toMatch(/^c\.json: areas\.A1: an area name has at most 200 characters/);
  });
  it('a price above a trillion pounds is refused', () => {
    expect(msg({ contract: 'x', payments: { binary_price: 1e15 } })).toMatch(/^c\.json: payments\.binary_price: expected at most 1e\+12/);
  });
  it('a clause label for a key that prices nothing is refused', () => {
    expect(msg({ contract: 'x', clauses: { 'payments.binary_prize': 'Sch 4' } })).toMatch(/^c\.json: clauses\.payments\.binary_prize: expected a priced contract key/);
  });
  it('a clause label for a contract year of an area is accepted', () => {
    expect(parseContract({ contract: 'x', clauses: { 'fee_for_service.areas.CPA01[0].annual_price': 'Sch 2, 1.1' } }).clauses).toEqual({
      'fee_for_service.areas.CPA01[0].annual_price': 'Sch 2, 1.1',
    });
  });
  it('every key of the JSON Schema has a description (hover text in editors)', () => {
    const missing: string[] = [];
    const walk = (o: unknown, p: string) => {
      if (!o || typeof o !== 'object') return;
      const s = o as Record<string, unknown>;
      for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
        if (!(v as { description?: string }).description) missing.push(`${p}.${k}`);
        walk(v, `${p}.${k}`);
      }
      for (const k of ['items', 'additionalProperties']) walk(s[k], p);
      for (const k of ['anyOf', 'oneOf']) for (const x of (s[k] as unknown[]) ?? []) walk(x, p);
    };
    walk(contractJsonSchema(), '');
    expect(missing).toEqual([]);
  });
});
