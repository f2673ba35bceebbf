import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { CheckFailedError } from '../errors.js';
import { checkRun, DEFAULT_HARD, DEFAULT_SOFT, formatCheck } from '../audit/check.js';

const tolerance = z.string().regex(/^(\d+(\.\d*)?|\.\d+)$/, 'expected a decimal >= 0, an absolute tolerance (rates as decimals)');

const CheckOptions = z.object({
  run: z.string({ error: "required: a folder written by 'pbr run'" }).min(1),
  published: z.string({ error: 'required: the published table (CSV: area, period, measure, value)' }).min(1),
  soft: tolerance.default(DEFAULT_SOFT),
  hard: tolerance.default(DEFAULT_HARD),
  out: z.string().min(1).optional(),
});

export function register(program: Command): void {
  program
    .command('check')
    .summary('compares a run with a published table')
    .description(
      'compares a run with a published table (CSV: area, period, measure, value; measure = a column of measures.csv, ' +
        'payment_total, or a payment component; rates as decimals). Verdict per row: match (|run - published| <= soft), ' +
        'rounding (<= hard), MISMATCH (> hard), missing (no such figure in the run). ' +
        'Exit 0 when every row is match or rounding; 1 when any is MISMATCH or missing (checked, and figures differ); 2 bad input',
    )
    .option('--run <dir>', "a folder written by 'pbr run'")
    .option('--published <file>', 'the published table (CSV with header area,period,measure,value)')
    .option('--soft <x>', 'absolute tolerance for a match (absorbs rounding to 3 places of a rate)', DEFAULT_SOFT)
    .option('--hard <y>', 'absolute tolerance for a rounded publication (beyond it: MISMATCH)', DEFAULT_HARD)
    .option('--out <file>', 'also write every row with its verdict as CSV to this file')
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
