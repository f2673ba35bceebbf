import type { FunnelRow } from './data.js';
import { dec, DASH, int, pct } from './format.js';

/**
 * Small cells (method.md section 15, `publication.suppress_below`): in report.html and the
 * publication pack a count of people below the threshold is shown as `<N`, and every rate computed
 * from such a count as `*`. measures.csv, payments.csv and the statements keep the exact figures.
 *
 * Which counts a figure is computed from:
 * - binary rate r / n, adjusted rate, significance band, difference from the baseline: n and r;
 * - expected rate (mean OGRS over n): n;
 * - reoffences per reoffender k / r: r;
 * - baseline rates: the baseline's measurable count B_n;
 * - a cumulative share (reoffenders by month m / n): both counts;
 * - a concentration share (of the top reoffenders' reoffences): the reoffenders and the top count.
 * Counts of offences (k) and of areas are not counts of people and are shown as they are.
 */
export class Cells {
  /** `below`: publication.suppress_below (null: nothing is suppressed). */
  constructor(readonly below: number | null) {}

  /** True when this count of people is shown as `<N`. A missing count hides nothing. */
  small(count: number | null | undefined): boolean {
    return this.below !== null && count !== null && count !== undefined && count < this.below;
  }

  /** True when a figure computed from these counts of people must be shown as `*`. */
  hides(...counts: (number | null | undefined)[]): boolean {
    return counts.some((c) => this.small(c));
  }

  /** A count of people: `<N` when small, else the count with thousands separators. */
  count(n: number | null | undefined): string {
    return this.small(n) ? `&lt;${this.below}` : int(n);
  }

  /** A rate as a percentage, `*` when it is computed from a small count. */
  pct(x: number | null | undefined, from: (number | null | undefined)[], dp = 1): string {
    return this.hides(...from) ? '*' : pct(x, dp);
  }

  /** A plain decimal, `*` when it is computed from a small count. */
  dec(x: number | null | undefined, from: (number | null | undefined)[], dp = 2): string {
    return this.hides(...from) ? '*' : dec(x, dp);
  }

  /** Any already formatted figure, `*` when it is computed from a small count (DASH stays DASH). */
  text(s: string, from: (number | null | undefined)[]): string {
    return s !== DASH && this.hides(...from) ? '*' : s;
  }

  /** The value itself for a chart, or null (left out) when it is computed from a small count. */
  value<T>(x: T | null, from: (number | null | undefined)[]): T | null {
    return this.hides(...from) ? null : x;
  }

  /** A sentence for the reader when something is suppressed. */
  note(): string {
    return this.below === null
      ? ''
      : `Counts of fewer than ${this.below} people are shown as &lt;${this.below} and the rates computed from them as *, so that no small group can be recognised (publication.suppress_below); measures.csv, payments.csv and the statements keep the exact figures.`;
  }
}

/** Funnel rows with the figures of small cells left out (null: not drawn). */
export function visibleFunnel(rows: FunnelRow[], cells: Cells): FunnelRow[] {
  return rows.map((r) => {
    const nr = [r.measurable, r.reoffenders];
    return { ...r, adjusted: cells.value(r.adjusted, nr), lower: cells.value(r.lower, nr), upper: cells.value(r.upper, nr), baseline: cells.value(r.baseline, [r.baseline_measurable]) };
  });
}
