import { recordingSql } from '../db/sql.js';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Db } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { loadContract } from '../contract/load.js';
import { hashDataset, loadDataset } from '../validate/load.js';
import { loadMapping } from '../mapping/load.js';
import { describeRejects, summarise, writeValidationJson, type ValidationSummary } from '../core/validationReport.js';
import { failpoint, stageOutput } from '../core/atomic.js';
import { writeManifest } from '../core/manifest.js';
import { makeProgress } from '../core/progress.js';
import { cacheLimits, cacheRoot, pruneCache, releaseCacheUses, seenInputs, takeCacheNotes, type CacheWrite } from '../cache/store.js';
import { restoreRun, runKey, storeRun } from './runCache.js';
import { measure, missingThresholds, releaseMeasureTables, writeMeasureOutputs } from '../measure/index.js';
import { pay } from '../pay/index.js';
import type { RunContext } from '../core/context.js';

export interface PipelineOptions {
  dataDir: string;
  contractPath: string;
  /** The mapping file (docs/extracts.md): how the files of dataDir become the inputs. */
  mappingPath?: string;
  outDir: string;
  /** Overrides the contract's follow_up.as_of. */
  asOf?: string;
  allowRejects?: boolean;
  force?: boolean;
  quiet?: boolean;
  memoryLimit?: string;
  threads?: number;
  /** Reuse the Parquet cache of validated inputs (default true; PBR_CACHE=off disables). */
  cache?: boolean;
  /** Also write charts/*.png (--png). */
  png?: boolean;
  /** Also write the publication pack of this cohort period (--focus). */
  focus?: string;
}

export interface PipelineResult {
  outDir: string;
  validation: ValidationSummary;
  asOf: string;
  timings: Record<string, number>;
}

/** Resolve as_of: --as-of, else the contract's, else the latest disposal_date of the extract. */
async function resolveAsOf(db: Db, fromOption: string | undefined, fromContract: string | null): Promise<string> {
  if (fromOption) return fromOption;
  if (fromContract) return fromContract;
  const latest = await db.scalar<string | null>(`SELECT strftime(max(disposal_date), '%Y-%m-%d') FROM reconvictions`);
  if (!latest) {
    throw new InputError('follow_up.as_of: the contract sets no as_of and the reconvictions extract has no disposal dates; set follow_up.as_of or pass --as-of');
  }
  return latest;
}

/**
 * Run the cache writes one after another on a second connection (nothing if there are none),
 * timing them into `timings.cache_store_beside`.
 */
async function storeBeside(db: Db, stores: CacheWrite[], timings: Record<string, number>): Promise<void> {
  if (stores.length === 0) return;
  const t = Date.now();
  const side = await db.fork();
  try {
    for (const s of stores) await s(side);
  } finally {
    side.close();
  }
  timings.cache_store_beside = (Date.now() - t) / 1000;
}

/** locations.json (where the inputs are) and timings.json: the two files outside the byte-identical promise. */
function finishRun(dir: string, opts: PipelineOptions, timings: Record<string, number>): void {
  writeFileSync(
    path.join(dir, 'locations.json'),
    `${JSON.stringify({ data: path.resolve(opts.dataDir), contract: path.resolve(opts.contractPath), mapping: opts.mappingPath ? path.resolve(opts.mappingPath) : null }, null, 2)}\n`,
  );
  timings.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
  writeFileSync(path.join(dir, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
}

/** The whole calculation of `pbr run`: validate, measure, pay, report, manifest; atomic output. */
export function runPipeline(opts: PipelineOptions): Promise<PipelineResult> {
  // the manifest lists the SQL files of this run, not of every run this process made before
  return recordingSql(() => pipeline(opts));
}

async function pipeline(opts: PipelineOptions): Promise<PipelineResult> {
  const progress = makeProgress(opts.quiet ?? false);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (stage: string) => {
    const now = Date.now();
    timings[stage] = (now - t) / 1000;
    t = now;
    failpoint(`after-${stage}`);
  };
  const loaded = loadContract(opts.contractPath);
  const mapping = opts.mappingPath ? loadMapping(opts.mappingPath) : null;
  const limits = opts.cache === false ? null : cacheLimits();
  const staged = stageOutput(opts.outDir, {
    force: opts.force ?? false,
    protect: [
      { path: opts.dataDir, what: 'the data folder' },
      { path: opts.contractPath, what: 'the contract file' },
      ...(opts.mappingPath ? [{ path: opts.mappingPath, what: 'the mapping file' }] : []),
    ],
  });
  const cacheNotes = () => {
    for (const n of takeCacheNotes()) progress(n);
  };
  let db: Db | null = null;
  let storing: Promise<void> = Promise.resolve();
  try {
    progress.stage(1, 5, `loading and validating ${opts.dataDir}`);
    const steps: Record<string, number> = {};
    const hashed = await hashDataset(opts.dataDir, mapping);
    steps.hash = (Date.now() - t) / 1000;
    timings['load_validate.hash'] = steps.hash;
    const root = opts.cache === false ? null : cacheRoot();
    const key = root
      ? runKey({
          inputs: hashed.inputs,
          mappingSha256: mapping?.sha256 ?? null,
          contractSha256: loaded.sha256,
          asOf: opts.asOf ?? null,
          allowRejects: opts.allowRejects ?? false,
          png: opts.png ?? false,
          focus: opts.focus ?? null,
        })
      : null;
    if (root && key) {
      const hit = await restoreRun(root, key, staged.staging, staged.target);
      cacheNotes();
      if (hit) {
        timings.from_cache = 1;
        lap('restore');
        finishRun(staged.staging, opts, timings);
        failpoint('before-commit');
        staged.commit();
        progress.done();
        progress(`done (the outputs of an earlier run of the same inputs, contract, options and code, each file checked): ${staged.target}`);
        return { outDir: staged.target, validation: hit.validation, asOf: hit.asOf, timings };
      }
    }
    db = await Db.open({ memoryLimit: opts.memoryLimit, tempDirectory: staged.spill, threads: opts.threads });
    // A new cache entry of the validated inputs (for later runs of them with another contract or
    // as_of) is written on a second connection while payments and the report are made, and only
    // for inputs an earlier run has read (a first run of new inputs pays nothing for it). Under
    // --memory-limit it is written after measure, before payments.
    const stores: CacheWrite[] = [];
    const deferStore = (s: CacheWrite) => void stores.push(s);
    const load = await loadDataset(db, opts.dataDir, loaded.contract, {
      cache: opts.cache, timings: steps, deferStore, mapping, scratchDir: staged.spill, hashed,
      storeLoad: (loadKey) => root !== null && seenInputs(root, loadKey),
    });
    const validation = summarise(load.inputs, load.rejectedRows, load.rejectCount, load.mapping);
    cacheNotes();
    lap('load_validate');
    for (const [k, v] of Object.entries(steps)) timings[`load_validate.${k}`] = v;
    if (load.rejectedRows > 0) {
      for (const l of await describeRejects(db, validation, 10)) progress(l);
      if (!opts.allowRejects) {
        throw new InputError(
          `${load.rejectedRows} input row(s) rejected (first: see above); nothing was computed or written. ` +
            `Fix the data (pbr validate --data ${opts.dataDir}${opts.mappingPath ? ` --mapping ${opts.mappingPath}` : ''} lists every row), or pass --allow-rejects to compute on the rest`,
        );
      }
      progress(`--allow-rejects: computing on the rest (${load.rejectedRows} row(s) left out)`);
    }
    const ctx: RunContext = {
      db,
      contract: loaded.contract,
      contractSha256: loaded.sha256,
      asOf: await resolveAsOf(db, opts.asOf, loaded.contract.follow_up.as_of),
      hasBaselinesFile: load.hasBaselinesFile,
      outDir: staged.staging,
      inputs: load.inputs,
      mapping: load.mapping,
      rejectedRows: load.rejectedRows,
      cache: opts.cache,
      progress,
      ...(opts.png || opts.focus ? { report: { png: opts.png ?? false, focus: opts.focus ?? null } } : {}),
    };
    progress.stage(2, 5, `measuring (as_of ${ctx.asOf})`);
    await measure(ctx);
    await writeMeasureOutputs(ctx);
    await releaseMeasureTables(db);
    lap('measure');
    if (ctx.contract.significance.method === 'fixed') {
      validation.missing_thresholds = await missingThresholds(db);
      const m = validation.missing_thresholds;
      if (m.length > 0) {
        const shown = m.slice(0, 5).map((x) => `${x.area} ${x.period}`).join(', ');
        progress(`thresholds: ${m.length} area-period(s) have no row in the thresholds file, so their outcome is none: ${shown}${m.length > 5 ? ', ...' : ''} (all listed in validation.json, missing_thresholds)`);
      }
    }
    // Under a memory limit the entries are written now, alone: beside pay and the report the
    // Parquet writer's buffers raise the peak (BENCHMARKS.md, "Scale 10 and memory").
    storing = storeBeside(db, stores, timings);
    storing.catch(() => {}); // observed now (never an unhandled rejection), awaited below
    if (opts.memoryLimit) {
      await storing;
      lap('cache_store');
    }
    progress.stage(3, 5, 'deciding payments and writing statements');
    await pay(ctx);
    // the statements and the report (exceljs, vega) are loaded here, not at start: a run restored
    // from the cache, or stopped by bad input, never imports them
    const { writeStatements } = await import('../statements/index.js');
    await writeStatements(ctx, { report: true, volumes: true });
    lap('pay');
    progress.stage(4, 5, 'rendering charts and report');
    const { renderReport } = await import('../report/index.js');
    await renderReport(ctx, { png: opts.png, focus: opts.focus });
    lap('render');
    await storing;
    cacheNotes();
    lap('cache_store_wait');
    progress.stage(5, 5, 'writing validation.json and manifest.json');
    await writeValidationJson(db, path.join(staged.staging, 'validation.json'), validation);
    writeManifest(ctx);
    lap('manifest');
    if (root && key) await storeRun(root, key, staged.staging, { asOf: ctx.asOf, validation }, load.cacheKey);
    lap('run_cache_store');
    // rows handed to JavaScript (summaries, statement lines, chart data), never per-person data
    timings.js_rows_max = db.jsRows.max;
    timings.js_rows_total = db.jsRows.total;
    finishRun(staged.staging, opts, timings);
    failpoint('before-commit');
    staged.commit();
    progress.done();
    progress(`done: ${staged.target}`);
    return { outDir: staged.target, validation, asOf: ctx.asOf, timings };
  } catch (e) {
    progress.done();
    staged.abort();
    throw staged.explain(e);
  } finally {
    await storing.catch(() => {}); // never close the database under a cache write
    db?.close();
    // the cache's limits apply once this run no longer reads its entries
    releaseCacheUses();
    const root = limits ? cacheRoot() : null;
    if (root && limits) pruneCache(root, limits);
    staged.finish();
  }
}
