import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { extractRun } from '../audit/extract.js';

const ExtractOptions = z.object({
  run: z.string({ error: "required: a folder written by 'pbr run'" }).min(1),
  area: z.string({ error: "required: the area's code (or its name in the contract)" }).min(1),
  out: z.string({ error: 'required: the folder to write the extract into' }).min(1),
  period: z.string().min(1).optional(),
});

export function register(program: Command): void {
  program
    .command('extract')
    .summary("a provider's per-person files for one area")
    .description(
      "writes one area's per-person results as flat files a spreadsheet opens: outcomes.csv (one row per person and period) and " +
        'offences.csv (one row per listed offence, whether it counted and why), volumes.csv (the area\'s starts from the run\'s ' +
        'volumes.csv, which at national scale is too long for a spreadsheet), and the same as .xlsx workbooks. ' +
        'They hold person-level data: the folder is readable by its owner only. Exit 0; 2 bad input (an unknown area lists the run\'s areas)',
    )
    .option('--run <dir>', "a folder written by 'pbr run'")
    .option('--area <area>', "the area's code, or its name in the contract")
    .option('--out <dir>', 'a new (or empty) folder to write, written whole or not at all')
    .option('--period <label>', "only this period (e.g. 2024Q1); volumes: the starts of the period's dates")
    .action(async (raw: unknown) => {
      const opts = parseOptions(ExtractOptions, raw, 'extract');
      const g = program.opts<{ json?: boolean }>();
      const r = await extractRun(opts);
      if (g.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const name = r.area_name ? ` (${r.area_name})` : '';
      process.stdout.write(`${r.area}${name}${r.period ? ` ${r.period}` : ''}: ${r.files.map((f) => `${f.file} ${f.rows} row(s)`).join(', ')} in ${r.out}\n`);
    });
}
