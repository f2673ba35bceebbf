import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { diffRuns, formatDiff } from '../audit/diff.js';

const DiffOptions = z.object({
  out: z.string().min(1).optional(),
  rerun: z.boolean().default(true),
});

export function register(program: Command): void {
  program
    .command('diff')
    .argument('<run_a>', "the earlier run (a folder written by 'pbr run')")
    .argument('<run_b>', 'the later run')
    .summary('what changed between two runs, and why')
    .description(
      'what changed between two runs, and why: differing inputs (sha256) and contract keys, changed figures and payments ' +
        'per area and period (largest payment impact first), and each area\'s payment change split into a data effect and ' +
        'a contract effect (when both differ, the data of B is rerun with the contract of A, from locations.json). Exit 0',
    )
    .option('--out <file>', 'also write every changed figure and amount as CSV to this file')
    .option('--no-rerun', 'do not rerun the mixed combination when both data and contract differ (attribution unavailable)')
    .action(async (runA: string, runB: string, raw: unknown) => {
      const opts = parseOptions(DiffOptions, raw, 'diff');
      const g = program.opts<{ json?: boolean }>();
      const r = await diffRuns(runA, runB, { out: opts.out, noRerun: !opts.rerun });
      process.stdout.write(g.json ? `${JSON.stringify(r, null, 2)}\n` : formatDiff(r));
    });
}
