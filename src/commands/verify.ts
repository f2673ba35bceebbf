import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { CheckFailedError } from '../errors.js';
import { formatVerify, verifyRun } from '../audit/verify.js';

const VerifyOptions = z.object({
  data: z.string().min(1).optional(),
  contract: z.string().min(1).optional(),
  mapping: z.string().min(1).optional(),
  useCache: z.boolean().default(false),
});

export function register(program: Command): void {
  program
    .command('verify')
    .argument('<run>', "a folder written by 'pbr run'")
    .description(
      'recomputes a run from the inputs, contract and mapping it records (without the run cache) and checks every output ' +
        'hash; a differing CSV output has its differing rows named. Exit 0 only when all match, 1 when anything differs, 2 bad input',
    )
    .option('--data <dir>', 'the dataset folder, when it has moved since the run')
    .option('--contract <file>', 'the contract file, when it has moved since the run')
    .option('--mapping <file>', 'the mapping file of a mapped run, when it has moved since the run')
    .option('--use-cache', 'let the recomputation read and write the run cache (faster; off by default so that a damaged cache cannot make a run verify)')
    .action(async (run: string, raw: unknown) => {
      const opts = parseOptions(VerifyOptions, raw, 'verify');
      const g = program.opts<{ json?: boolean }>();
      const r = await verifyRun(run, opts);
      process.stdout.write(g.json ? `${JSON.stringify(r, null, 2)}\n` : formatVerify(run, r));
      if (!r.ok) {
        throw new CheckFailedError(
          `${run} does not verify: ${r.changedInputs.length} input(s) changed, ${r.differingOutputs.length} output(s) differ`,
        );
      }
    });
}
