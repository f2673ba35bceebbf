import type { Command } from 'commander';
import { z } from 'zod';
import { isoDateOption, parseOptions } from './options.js';

const RunOptions = z.object({
  data: z.string({ error: 'required: the dataset folder' }).min(1),
  contract: z.string({ error: 'required: the contract file' }).min(1),
  mapping: z.string().min(1).optional(),
  out: z.string().min(1).default('reports/run'),
  asOf: isoDateOption.optional(),
  allowRejects: z.boolean().default(false),
  force: z.boolean().default(false),
  memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "expected a size such as '2GB'").optional(),
  threads: z.coerce.number().int().positive().optional(),
  cache: z.boolean().default(true),
  png: z.boolean().default(false),
  focus: z
    .string()
    .regex(/^\d{4}(Q[1-4]|-\d{2})?$/, "expected a cohort period label such as '2019Q3', '2019' or '2019-20'")
    .optional(),
});

export function register(program: Command): void {
  program
    .command('run')
    .description('the whole calculation: validate, measure, pay, statements, charts, report, manifest')
    .option('--data <dir>', 'dataset folder (cohort, starts, reconvictions, optional service_levels, baselines)')
    .option('--contract <file>', 'contract file (JSON or YAML)')
    .option('--mapping <file>', 'mapping file (YAML or JSON): how the files of --data become the inputs (see pbr map)')
    .option('--out <dir>', 'output folder (written atomically)', 'reports/run')
    .option('--as-of <date>', "results known up to this date (overrides the contract's follow_up.as_of)")
    .option('--allow-rejects', 'compute on the valid rows when some are rejected')
    .option('--force', 'replace an existing output folder')
    .option('--memory-limit <size>', "DuckDB's memory limit, e.g. 2GB (it spills to a temporary folder beyond it)")
    .option('--threads <n>', 'DuckDB threads')
    .option('--no-cache', 'do not reuse (or write) the run cache (outputs of earlier runs, validated inputs)')
    .option('--png', 'also write every chart as a PNG file (charts/*.png); by default charts are SVG only')
    .option('--focus <period>', 'also write the publication pack of this cohort period, e.g. 2019Q3 (pack/index.html)')
    .action(async (raw: unknown) => {
      const opts = parseOptions(RunOptions, raw, 'run');
      const g = program.opts<{ json?: boolean; quiet?: boolean }>();
      // Loaded on use, so the other commands start without the measurement and report modules.
      const { runPipeline } = await import('../run/pipeline.js');
      const result = await runPipeline({
        dataDir: opts.data, contractPath: opts.contract, mappingPath: opts.mapping, outDir: opts.out, asOf: opts.asOf,
        allowRejects: opts.allowRejects, force: opts.force, quiet: g.quiet, memoryLimit: opts.memoryLimit, threads: opts.threads,
        cache: opts.cache, png: opts.png, focus: opts.focus,
      });
      if (g.json) {
        process.stdout.write(`${JSON.stringify({ out: result.outDir, as_of: result.asOf, validation: result.validation, timings: result.timings, peak_rss_mb: result.timings.peak_rss_mb }, null, 2)}\n`);
      } else {
        process.stdout.write(`${result.outDir}/report.html\n`);
      }
    });
}
