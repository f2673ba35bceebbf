import type { Contract } from '../contract/schema.js';

/** The period kinds a thresholds row may name: the contract's cohort.period, and cohort.top_up's when set. */
export function periodKinds(contract: Contract): string[] {
  const kinds = [contract.cohort.period as string];
  const topUp = (contract.cohort as { top_up?: string }).top_up;
  if (topUp && topUp !== 'none' && !kinds.includes(topUp)) kinds.push(topUp);
  return kinds;
}
