import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { CheckFailedError } from '../errors.js';
import { checkRun, DEFAULT_COUNT_TOLERANCE, DEFAULT_HARD, DEFAULT_MONEY_TOLERANCE, DEFAULT_SOFT, formatCheck } from '../audit/check.js';

const CheckOptions = z.object({
  run: z.string({ error: "required: a folder written by 'pbr run' or 'pbr assess'" }).min(1),
  published: z.string({ error: 'required: the published table (CSV, long or wide)' }).min(1),
  // The tolerances are checked (and defaulted) by checkRun, which names the flag.
  soft: z.string().optional(),
  hard: z.string().optional(),
  rateTolerance: z.string().optional(),
  countTolerance: z.string().optional(),
  moneyTolerance: z.string().optional(),
  percent: z.boolean().default(false),
  period: z.string().optional(),
  contract: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
});

export function register(program: Command): void {
  program
    .command('check')
    .summary('compares a run with a published table')
    .description(
      "compares a run (or a 'pbr assess' output folder) with a published table, read as published: long (area, period, measure, value) " +
        'or wide (a row per area, or area and period, a column per measure named as measures.csv names it); areas by code or by the ' +
        "contract's name; rates as decimals or percentages (41.7%, or --percent); pounds may carry £ and thousands commas. Measures: the " +
        'columns of measures.csv (or outcomes.csv), payment_total, and each payment component. Verdict per figure, with the tolerance ' +
        'beside it: match, rounding (a rounded publication, within the tolerance), MISMATCH, missing (no such figure in the run). ' +
        'Exit 0 when every figure is match or rounding; 1 when any is MISMATCH or missing; 2 bad input',
    )
    .option('--run <dir>', "a folder written by 'pbr run' or 'pbr assess'")
    .option('--published <file>', 'the published table (CSV with a header row)')
    .option('--percent', 'every rate of 0-1 in the table is given in percent (41.7 means 0.417)')
    .option('--period <label>', 'the period of every row, for a table without a period column (e.g. 2015Q4)')
    .option('--contract <file>', "the contract, for area names when --run is a 'pbr assess' folder (a run knows its own)")
    .option('--count-tolerance <n>', 'how far a count may be off (a rounded publication); beyond it MISMATCH', DEFAULT_COUNT_TOLERANCE)
    .option('--rate-tolerance <x>', `absolute tolerance for rates, as decimals: beyond it MISMATCH (the same as --hard; default ${DEFAULT_HARD})`)
    .option('--soft <x>', `rates: absolute tolerance for a match (absorbs rounding to 3 places of a rate; default ${DEFAULT_SOFT}, at most the hard one)`)
    .option('--hard <y>', `rates: absolute tolerance for a rounded publication, beyond it MISMATCH (default ${DEFAULT_HARD})`)
    .option('--money-tolerance <x>', 'how far an amount in pounds may be off (0.005: a penny differs)', DEFAULT_MONEY_TOLERANCE)
    .option('--out <file>', 'also write every figure with its verdict and tolerance as CSV to this file')
    .action(async (raw: unknown) => {
      const opts = parseOptions(CheckOptions, raw, 'check');
      const g = program.opts<{ json?: boolean }>();
      const r = await checkRun(opts);
      process.stdout.write(g.json ? `${JSON.stringify(r, null, 2)}\n` : formatCheck(r));
      if (!r.ok) {
        throw new CheckFailedError(`${r.counts.MISMATCH} MISMATCH and ${r.counts.missing} missing row(s) of ${r.rows.length} in ${r.published}`);
      }
    });
}
