import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { scaleOption, seedOption } from './synth.js';
import { makeProgress } from '../core/progress.js';
import { isRunFolder, outputError } from '../core/atomic.js';
import { onInterrupt } from '../core/interrupt.js';
import { tryLock, unlock } from '../core/lockfile.js';
import { InputError } from '../errors.js';
import { ENGINE_VERSION } from '../version.js';
import { DEFAULT_SEED } from '../synth/generate.js';

/** The demo's default size: a tenth of the national caseload (about 27,000 starts a year). */
export const DEMO_SCALE = 0.1;

/** The file that marks a folder as a dataset `pbr demo` wrote (and may replace). */
const DEMO_MARK = 'demo.json';

/** Where the demo keeps its dataset: beside the run, `<out>-data` (so that `pbr verify <out>` can re-run it). */
function demoDataDir(out: string): string {
  return `${path.resolve(out)}-data`;
}

function isDemoData(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, DEMO_MARK), 'utf8')) as { written_by?: unknown }).written_by === 'pbr demo';
  } catch {
    return false;
  }
}

/** The demo replaces only what a demo or a run wrote: refuse anything else before spending time on the data. */
function checkReplaceable(out: string, dataDir: string): void {
  const holdsFiles = (d: string) => existsSync(d) && readdirSync(d).length > 0;
  if (holdsFiles(out) && !isRunFolder(out)) {
    throw new InputError(`${out}: --out holds files that 'pbr run' did not write; the demo replaces only its own run: choose another --out`);
  }
  if (holdsFiles(dataDir) && !isDemoData(dataDir)) {
    throw new InputError(`${dataDir}: holds files that 'pbr demo' did not write, and the demo keeps its dataset there: choose another --out`);
  }
}

const DemoOptions = z.object({
  out: z.string().min(1).default(path.join('reports', 'demo')),
  scale: scaleOption.default(DEMO_SCALE),
  seed: seedOption.default(DEFAULT_SEED),
  threads: z.coerce.number().int().positive().optional(),
});

export function register(program: Command): void {
  program
    .command('demo')
    .description('makes a synthetic national dataset (kept in <out>-data) and runs everything on it')
    .option('--out <dir>', 'output folder of the run (a previous demo there is replaced); the dataset is kept beside it in <dir>-data', path.join('reports', 'demo'))
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
      const out = path.resolve(opts.out);
      const dataDir = demoDataDir(out);
      checkReplaceable(out, dataDir);
      const lock = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.lock`);
      const staging = path.join(path.dirname(dataDir), `.${path.basename(dataDir)}.tmp-${process.pid}`);
      const cleanup = () => {
        rmSync(staging, { recursive: true, force: true });
        unlock(lock);
      };
      const unregister = onInterrupt(cleanup);
      try {
        let owner: number | null;
        try {
          mkdirSync(path.dirname(dataDir), { recursive: true });
          owner = tryLock(lock);
        } catch (e) {
          throw outputError(opts.out, e);
        }
        if (owner !== null) throw new InputError(`${dataDir}: another pbr demo (process ${owner}) is writing this dataset; wait for it to finish`);
        progress(`demo: synthesising the national dataset at scale ${opts.scale} (seed ${opts.seed}) in ${dataDir}`);
        const synth = await synthesize({
          outDir: staging,
          scale: opts.scale,
          seed: opts.seed,
          format: 'csv',
          ...(opts.threads ? { threads: opts.threads } : {}),
          progress,
        });
        writeFileSync(path.join(staging, DEMO_MARK), `${JSON.stringify({ written_by: 'pbr demo', engine: ENGINE_VERSION, scale: opts.scale, seed: opts.seed }, null, 2)}\n`);
        // the previous demo's dataset is replaced only now that the new one is whole
        rmSync(dataDir, { recursive: true, force: true });
        renameSync(staging, dataDir);
        progress('demo: running the whole calculation');
        const result = await runPipeline({
          dataDir,
          contractPath: path.join(dataDir, path.basename(synth.contractPath)),
          outDir: out,
          force: true,
          quiet,
          ...(opts.threads ? { threads: opts.threads } : {}),
        });
        const report = path.join(result.outDir, 'report.html');
        if (g.json) {
          process.stdout.write(`${JSON.stringify({ out: result.outDir, report, data: dataDir, scale: opts.scale, seed: opts.seed }, null, 2)}\n`);
        } else {
          process.stdout.write(`${report}\n`);
        }
      } finally {
        cleanup();
        unregister();
      }
    });
}
