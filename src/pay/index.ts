import type { RunContext } from '../core/context.js';
import type { Db } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import { InputError } from '../errors.js';
import { doncasterParams, feeParams, feeYearParams, peterboroughParams, trcrcParams } from './params.js';

/**
 * Payments (method.md sections 8-10) for `pbr run`: creates table `payments` (one row per
 * statement line: area, period, component, basis, amount DECIMAL(38,2), rule + sort/helper columns,
 * see queries/pay_create.sql) and `pay_outcomes` (what each results period's statement says).
 *
 * Reads: measures (tr-crc: its exact columns); offender_outcomes + measures (peterborough,
 * doncaster); starts, cohort, service_levels, areas (fee for service).
 */
export async function pay(ctx: RunContext): Promise<void> {
  const c = ctx.contract;
  const db = ctx.db;
  ctx.progress('payments');
  await db.execMacros('pay_macros');
  await db.exec('pay_create');
  if (c.scheme === 'tr-crc') {
    await db.exec('pay_trcrc_input_run', { adjustment: c.adjustment.method });
    await payTrcrc(db, c);
  } else {
    await db.exec('pay_alt_input_run');
    await payScheme(db, c);
  }
  await db.exec('pay_fee_years', feeYearParams(c));
  await db.exec('pay_fee', feeParams(c, ctx.asOf));
  await db.exec('pay_finish');
}

/**
 * tr-crc results lines and outcomes from table pay_trcrc_input (both data routes): each period's
 * section 8 amounts, the annual top-up lines (method.md section 12), the caps, then the final lines
 * into `payments` and one pay_outcomes row per area and period.
 */
export async function payTrcrc(db: Db, c: Contract): Promise<void> {
  const p = trcrcParams(c);
  await db.exec('pay_trcrc', p);
  await db.exec('pay_top_up');
  await db.exec('pay_trcrc_finish', p);
}

/** Peterborough or Doncaster outcomes and lines from table assess_input (both data routes). */
export async function payScheme(db: Db, c: Contract): Promise<void> {
  if (c.scheme === 'peterborough') await db.exec('pay_peterborough', peterboroughParams(c));
  else if (c.scheme === 'doncaster') {
    await db.exec('pay_doncaster', doncasterParams(c));
    // a missed final cohort refunds a share of its period's contract value: the map must name it
    const unpriced = await db.all<{ period: string }>(
      `SELECT DISTINCT period FROM dn_words WHERE outcome = 'target_missed' AND status = 'final' AND value IS NULL ORDER BY period`,
    );
    if (c.contract_value !== null && unpriced.length > 0) {
      const labels = unpriced.map((u) => u.period);
      throw new InputError(
        `contract_value: no value for cohort period${labels.length > 1 ? 's' : ''} ${labels.map((l) => `'${l}'`).join(', ')}, ` +
          `which missed the target and refunds at_risk_share of it; add ${labels.map((l) => `"${l}": AMOUNT`).join(', ')} to contract_value`,
      );
    }
  } else throw new Error(`payScheme: scheme ${c.scheme} is not a comparison scheme`);
}
