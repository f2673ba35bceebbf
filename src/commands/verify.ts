import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { CheckFailedError } from '../errors.js';
import { verifyRun } from '../audit/verify.js';

const VerifyOptions = z.object({ data: z.string().min(1).optional(), contract: z.string().min(1).optional() });

export function register(program: Command): void {
  program
    .command('verify')
    .argument('<run>', "a folder written by 'pbr run'")
    .description('re-runs from the manifest and checks every output hash (exit 0 only when all match, 1 when anything differs)')
    .option('--data <dir>', 'the dataset folder, when it has moved since the run')
    .option('--contract <file>', 'the contract file, when it has moved since the run')
    .action(async (run: string, raw: unknown) => {
      const opts = parseOptions(VerifyOptions, raw, 'verify');
      const g = program.opts<{ json?: boolean }>();
      const r = await verifyRun(run, opts);
      if (g.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        for (const n of r.notes) process.stdout.write(`note: ${n}\n`);
        for (const c of r.changedInputs) process.stdout.write(`input ${c.file}: ${c.why}\n`);
        for (const d of r.differingOutputs) process.stdout.write(`output ${d.file}: ${d.why}\n`);
        if (r.ok) process.stdout.write(`verified: every output of ${run} is reproduced byte for byte from ${r.data}\n`);
      }
      if (!r.ok) {
        throw new CheckFailedError(
          `${run} does not verify: ${r.changedInputs.length} input(s) changed, ${r.differingOutputs.length} output(s) differ`,
        );
      }
    });
}
