import type { ContractInput } from '../contract/schema.js';

/**
 * The contract that goes with the synthetic dataset: the TR-CRC defaults of method.md, the
 * illustrative prices of the example in docs/contract.md, and fee-for-service contract years per area whose volume
 * ranges sit around the area's own synthetic volume (so some years land above, some below).
 */

/** Fee-for-service weights: longer orders and sentences are more work. */
export const FEE_BANDS = [
  { start_type: 'CO', max_length_days: 365, weight: 1.0 },
  { start_type: 'CO', max_length_days: null, weight: 1.3 },
  { start_type: 'SSO', max_length_days: 365, weight: 0.9 },
  { start_type: 'SSO', max_length_days: null, weight: 1.2 },
  { start_type: 'CUSTODY_RELEASE', max_length_days: 364, weight: 1.1 },
  { start_type: 'CUSTODY_RELEASE', max_length_days: null, weight: 1.4 },
] as const;

/** Contract years from the TR go-live (1 Feb 2015); the last one ends with the data (11 months). */
export const CONTRACT_YEARS: readonly { from: string; to: string; months: number }[] = [
  { from: '2015-02-01', to: '2016-01-31', months: 12 },
  { from: '2016-02-01', to: '2017-01-31', months: 12 },
  { from: '2017-02-01', to: '2018-01-31', months: 12 },
  { from: '2018-02-01', to: '2019-01-31', months: 12 },
  { from: '2019-02-01', to: '2020-01-31', months: 12 },
  { from: '2020-02-01', to: '2020-12-31', months: 11 },
];

/** Pounds per weighted start a year (illustrative, like every price here). */
export const PRICE_PER_WEIGHTED_START = 2000;
/** Half-width of the volume range around the expected volume. */
export const VOLUME_TOLERANCE = 0.04;

export interface AreaVolumes {
  cpa: string;
  contract_year: number | string;
  start_type: string;
  is_long: boolean;
  starts: number | string;
}

function weightTenths(startType: string, isLong: boolean): number {
  const band = FEE_BANDS.find((b) => b.start_type === startType && (isLong ? b.max_length_days === null : b.max_length_days !== null));
  return band ? Math.round(band.weight * 10) : 0;
}

export function buildContract(areas: { cpa: string; name: string }[], volumes: AreaVolumes[], asOf: string): ContractInput {
  // weighted volume (in tenths, exact integers) per area and contract year
  const w = new Map<string, number[]>();
  for (const a of areas) w.set(a.cpa, CONTRACT_YEARS.map(() => 0));
  for (const v of volumes) {
    const y = Number(v.contract_year);
    const row = w.get(v.cpa);
    if (!row || y < 0 || y >= CONTRACT_YEARS.length) continue;
    row[y] = row[y]! + Number(v.starts) * weightTenths(v.start_type, v.is_long);
  }
  const feeAreas: Record<string, { from: string; to: string; annual_price: number; volume_low: number; volume_high: number }[]> = {};
  for (const a of areas) {
    const row = w.get(a.cpa)!;
    // the area's typical annual weighted volume: the mean of its years, each made annual
    const annual = row.reduce((s, x, i) => s + (x / 10) * (12 / CONTRACT_YEARS[i]!.months), 0) / CONTRACT_YEARS.length;
    const price = Math.round((annual * PRICE_PER_WEIGHTED_START) / 1000) * 1000;
    feeAreas[a.cpa] = CONTRACT_YEARS.map((y) => {
      const expected = (annual * y.months) / 12;
      return {
        from: y.from,
        to: y.to,
        annual_price: price,
        volume_low: Math.round(expected * (1 - VOLUME_TOLERANCE)),
        volume_high: Math.round(expected * (1 + VOLUME_TOLERANCE)),
      };
    });
  }
  return {
    contract: 'synthetic-tr-crc-national',
    description:
      'Synthetic England and Wales TR-CRC contract for the synthetic dataset written by pbr synth. ' +
      'Every figure and price is illustrative; no real person or real contract is described.',
    scheme: 'tr-crc',
    population: { allocation: 'CRC', start_types: ['CO', 'SSO', 'CUSTODY_RELEASE'], exclude_em_only: true, min_age: 18, min_custody_days: 2 },
    cohort: { period: 'quarter', from: '2015-10-01', to: '2020-03-31' },
    baseline: { from: '2011-01-01', to: '2011-12-31' },
    follow_up: { months: 12, waiting_months: 6, as_of: asOf },
    proven: { disposals: ['CONVICTION', 'CAUTION'], exclude_breaches: true },
    adjustment: { method: 'additive' },
    significance: { method: 'baseline-band', confidence: 0.95, sided: 'two' },
    payments: {
      binary_price: 3200,
      deduction_price: 3200,
      frequency_price: 450,
      frequency_hurdle: 'binary-payment',
      cap_per_period: null,
      deduction_cap_per_period: null,
    },
    fee_for_service: {
      bands: FEE_BANDS.map((b) => ({ ...b })),
      learning_curve_discount: 0.02,
      service_credit_rate: 0.005,
      service_credit_cap: 0.05,
      areas: feeAreas,
    },
    areas: Object.fromEntries(areas.map((a) => [a.cpa, a.name])),
  };
}
