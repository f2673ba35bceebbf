import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { scaleOption, seedOption } from './synth.js';
import { makeProgress } from '../core/progress.js';
import { DEFAULT_SEED } from '../synth/generate.js';

/** The demo's default size: a tenth of the national caseload (about 27,000 starts a year). */
export const DEMO_SCALE = 0.1;

const DemoOptions = z.object({
  out: z.string().min(1).default(path.join('reports', 'demo')),
  scale: scaleOption.default(DEMO_SCALE),
  seed: seedOption.default(DEFAULT_SEED),
  threads: z.coerce.number().int().positive().optional(),
});

export function register(program: Command): void {
  program
    .command('demo')
    .description('makes the synthetic national dataset and runs everything on it')
    .option('--out <dir>', 'output folder of the run (replaced if it exists)', path.join('reports', 'demo'))
    .option('--scale <f>', 'size of the synthetic dataset relative to the national caseload', String(DEMO_SCALE))
    .option('--seed <n>', 'seed of the synthetic dataset', String(DEFAULT_SEED))
    .option('--threads <n>', 'DuckDB threads')
    .action(async (raw: unknown) => {
      const opts = parseOptions(DemoOptions, raw, 'demo');
      const g = program.opts<{ json?: boolean; quiet?: boolean }>();
      const quiet = g.quiet ?? false;
      const progress = makeProgress(quiet);
      const { synthesize } = await import('../synth/generate.js');
      const { runPipeline } = await import('../run/pipeline.js');
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pbr-demo-data-'));
      try {
        progress(`demo: synthesising the national dataset at scale ${opts.scale} (seed ${opts.seed}) in ${dataDir}`);
        const synth = await synthesize({
          outDir: dataDir,
          scale: opts.scale,
          seed: opts.seed,
          format: 'csv',
          ...(opts.threads ? { threads: opts.threads } : {}),
          progress,
        });
        progress('demo: running the whole calculation');
        const result = await runPipeline({
          dataDir,
          contractPath: synth.contractPath,
          outDir: path.resolve(opts.out),
          force: true,
          quiet,
          ...(opts.threads ? { threads: opts.threads } : {}),
        });
        const report = path.join(result.outDir, 'report.html');
        if (g.json) {
          process.stdout.write(`${JSON.stringify({ out: result.outDir, report, scale: opts.scale, seed: opts.seed }, null, 2)}\n`);
        } else {
          process.stdout.write(`${report}\n`);
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
}
