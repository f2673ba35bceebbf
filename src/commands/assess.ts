import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type GlobalFlags } from './options.js';
import { runAssess } from '../run/assess.js';

const AssessOptions = z.object({
  aggregates: z.string().min(1, 'required: the aggregates CSV file'),
  contract: z.string().min(1, 'required: the contract file'),
  out: z.string().min(1).default('reports/assess'),
});

export function register(program: Command): void {
  program
    .command('assess')
    .description('outcomes and payments from published counts (an aggregates CSV) when no person-level data exists')
    .requiredOption('--aggregates <file>', 'CSV: area, period, group, measurable, reoffenders, reoffences, reconviction_events, expected_rate, baseline_* (a column the scheme does not need may be absent)')
    .requiredOption('--contract <file>', 'contract file (JSON or YAML)')
    .option('--out <dir>', 'output folder (outcomes.csv, payments.csv, statements/)', 'reports/assess')
    .action(async (raw: unknown) => {
      const opts = parseOptions(AssessOptions, raw, 'assess');
      const flags = program.opts<GlobalFlags>();
      const progress = flags.quiet ? () => {} : (m: string) => process.stderr.write(`assess: ${m}\n`);
      const r = await runAssess({ ...opts, progress });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const head = ['area', 'period', 'status', 'outcome', 'amount (GBP)'];
      const rows = r.outcomes.map((o) => [o.area, o.period, o.status, o.outcome, o.amount]);
      rows.push(['total', '', '', '', r.total]);
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
      const fmt = (row: string[]) => row.map((v, i) => (i === 4 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
      process.stdout.write(`${r.contract} (${r.scheme}): outcomes and payments in ${r.out}\n`);
      process.stdout.write(`${fmt(head)}\n${rows.map(fmt).join('\n')}\n`);
    });
}
