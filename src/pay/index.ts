import type { RunContext } from '../core/context.js';
import type { Db } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import { doncasterParams, feeParams, feeYearParams, peterboroughParams, trcrcParams } from './params.js';

/**
 * Payments (method.md sections 8-10) for `pbr run`: creates table `payments` (one row per
 * statement line: area, period, component, basis, amount DECIMAL(38,2), rule + sort/helper columns,
 * see queries/pay_create.sql) and `pay_outcomes` (what each results period's statement says).
 *
 * Reads: measures, offender_outcomes, baselines_input (tr-crc); offender_outcomes + measures
 * (peterborough, doncaster); starts, cohort, service_levels, areas (fee for service).
 */
export async function pay(ctx: RunContext): Promise<void> {
  const c = ctx.contract;
  const db = ctx.db;
  ctx.progress('payments');
  await db.exec('pay_macros');
  await db.exec('pay_create');
  if (c.scheme === 'tr-crc') {
    await db.exec('pay_trcrc_input_run', {
      has_baselines_file: ctx.hasBaselinesFile,
      population: c.population.allocation,
      adjustment: c.adjustment.method,
    });
    await db.exec('pay_trcrc', trcrcParams(c));
  } else {
    await db.exec('pay_alt_input_run');
    await payScheme(db, c);
  }
  await db.exec('pay_fee_years', feeYearParams(c));
  await db.exec('pay_fee', feeParams(c, ctx.asOf));
  await db.exec('pay_finish');
}

/** Peterborough or Doncaster outcomes and lines from table assess_input (both data routes). */
export async function payScheme(db: Db, c: Contract): Promise<void> {
  if (c.scheme === 'peterborough') await db.exec('pay_peterborough', peterboroughParams(c));
  else if (c.scheme === 'doncaster') await db.exec('pay_doncaster', doncasterParams(c));
  else throw new Error(`payScheme: scheme ${c.scheme} is not a comparison scheme`);
}
