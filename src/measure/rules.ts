import { InputError } from '../errors.js';
import type { Contract } from '../contract/schema.js';
import type { Params } from '../db/duckdb.js';
import { significanceZ } from './normal.js';

/**
 * Contract numbers enter SQL as decimal text (bound VARCHAR) and become exact rationals there
 * (qdec in queries/pay_macros.sql): 0.005 is exactly 5/1000, never the binary double nearest to it.
 * The text is JavaScript's shortest round-trip form of the number, which is what the contract file
 * wrote for any number with up to 15 significant digits.
 */
export function decText(x: number | null | undefined): string | null {
  if (x === null || x === undefined) return null;
  const s = String(x);
  if (!/e/i.test(s)) return s;
  return x.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * Contract combinations the mechanism refuses (exit 2 naming the key), checked before anything is
 * measured or assessed:
 * - cohort.top_up (method.md section 12) nets annual results against the contract's quarterly
 *   lines: it needs cohort.period quarter (with year or financial-year periods an annual period
 *   would either be a contract period itself, with the same label, or contain none of them) and
 *   the tr-crc scheme (the only one with binary and frequency lines per period).
 */
export function checkMechanism(c: Contract): void {
  if (c.cohort.top_up !== 'none') {
    if (c.cohort.period !== 'quarter') {
      throw new InputError(
        `cohort.top_up: an annual top-up (${c.cohort.top_up}) nets a year's quarterly results, but cohort.period is '${c.cohort.period}'; ` +
          `set cohort.period to quarter or cohort.top_up to none`,
      );
    }
    if (c.scheme !== 'tr-crc') {
      throw new InputError(`cohort.top_up: an annual top-up applies to the tr-crc scheme only (scheme is '${c.scheme}'); set cohort.top_up to none`);
    }
  }
}

/** The parameters of measure_measures.sql (adjustment, significance, z, termination watch). */
export function decideParams(c: Contract): Params {
  return {
    population: c.population.allocation,
    adjustment: c.adjustment.method,
    significance: c.significance.method,
    z: significanceZ(c.significance.confidence, c.significance.sided),
    term_x: c.termination ? decText(c.termination.increase_points) : null,
    term_k: c.termination ? c.termination.consecutive_periods : null,
  };
}
