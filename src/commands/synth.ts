import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { makeProgress } from '../core/progress.js';
import { DEFAULT_SCALE, DEFAULT_SEED, MAX_SCALE } from '../synth/generate.js';

/** --scale and --seed, shared with `pbr demo`. */
export const scaleOption = z.coerce
  .number({ error: 'expected a number such as 0.1' })
  .finite('expected a number such as 0.1')
  .positive('expected a number above 0')
  .max(MAX_SCALE, `expected at most ${MAX_SCALE}`);
export const seedOption = z.coerce
  .number({ error: 'expected a whole number such as 42' })
  .int('expected a whole number such as 42')
  .min(0, 'expected a whole number from 0')
  .max(Number.MAX_SAFE_INTEGER, 'expected a smaller whole number');

const SynthOptions = z.object({
  out: z.string({ error: 'required: the folder to write the dataset to' }).min(1),
  scale: scaleOption.default(DEFAULT_SCALE),
  seed: seedOption.default(DEFAULT_SEED),
  format: z.enum(['csv', 'parquet'], { error: "expected 'csv' or 'parquet'" }).default('csv'),
  threads: z.coerce.number().int().positive().optional(),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "expected a size such as '4GB'").optional(),
});

export function register(program: Command): void {
  program
    .command('synth')
    .description('writes a synthetic England-and-Wales dataset folder and a matching contract file')
    .option('--out <dir>', 'folder to write cohort, starts, reconvictions, service_levels and contract.json to')
    .option('--scale <f>', `size relative to the national caseload (1 = about 267,000 starts a year)`, String(DEFAULT_SCALE))
    .option('--seed <n>', 'seed of the pseudo-random numbers (same seed and scale, same bytes)', String(DEFAULT_SEED))
    .option('--format <csv|parquet>', 'file format of the extracts', 'csv')
    .option('--threads <n>', 'DuckDB threads')
    .option('--memory-limit <size>', 'the memory synth may use, e.g. 4GB: DuckDB works within three quarters of it and spills to a temporary folder beyond that')
    .action(async (raw: unknown) => {
      const opts = parseOptions(SynthOptions, raw, 'synth');
      const g = program.opts<{ json?: boolean; quiet?: boolean }>();
      const { synthesize } = await import('../synth/generate.js');
      const result = await synthesize({
        outDir: opts.out,
        scale: opts.scale,
        seed: opts.seed,
        format: opts.format,
        ...(opts.threads ? { threads: opts.threads } : {}),
        ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
        progress: makeProgress(g.quiet ?? false),
      });
      if (g.json) {
        process.stdout.write(
          `${JSON.stringify(
            {
              out: result.outDir,
              contract: result.contractPath,
              scale: result.scale,
              seed: result.seed,
              format: result.format,
              files: result.files.map((f) => ({ name: f.name, file: f.file, rows: f.rows })),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        process.stdout.write(`${result.outDir}\n`);
      }
    });
}
