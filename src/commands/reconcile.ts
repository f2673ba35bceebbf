import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { formatReconcile, reconcile } from '../audit/reconcile.js';

const ReconcileOptions = z.object({
  run: z.string({ error: "required: a folder written by 'pbr run'" }).min(1),
  expected: z.string({ error: "required: the provider's CSV (person_id, period, in_cohort, reoffender, reoffences)" }).min(1),
  area: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
});

export function register(program: Command): void {
  program
    .command('reconcile')
    .summary("a provider's expected outcomes against a run, per person")
    .description(
      "a provider's expected outcomes against a run, per person: each disagreement with the engine's reason codes, the " +
        "count of each kind, and the estimated effect on the area's outcome and payment. Exit 0 (a report, agreeing or " +
        'not); 2 when the file is bad',
    )
    .option('--run <dir>', "a folder written by 'pbr run'")
    .option('--expected <file>', 'CSV with columns person_id, period, in_cohort, reoffender, reoffences (booleans true/false)')
    .option('--area <code>', "compare only the engine's cohort of this area (a provider's file for one area)")
    .option('--out <file>', 'also write every disagreement as CSV to this file')
    .action(async (raw: unknown) => {
      const opts = parseOptions(ReconcileOptions, raw, 'reconcile');
      const g = program.opts<{ json?: boolean }>();
      const r = await reconcile(opts);
      process.stdout.write(g.json ? `${JSON.stringify(r, null, 2)}\n` : formatReconcile(r));
    });
}
