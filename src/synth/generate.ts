import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../db/duckdb.js';
import { buildContract, CONTRACT_YEARS, type AreaVolumes } from './contract.js';

/**
 * The synthetic England-and-Wales dataset (issue 3): people, their starts, their proven
 * reoffending and the areas' service-level returns, generated in SQL inside DuckDB from
 * hash(seed, entity, salt) (queries/synth_*.sql), so the same seed and scale give the same bytes.
 *
 * The model, in short:
 * - people enter the caseload uniformly from ENTRY_FROM to HORIZON (a five-year run-in before
 *   the first written year, so 2011 already has repeat starters), in one of 21 areas by weight;
 * - each start has an OGRS score; the 12-month reoffending probability is that score (and after
 *   mid-2015 the area's true change); a conviction may lead to a new start (the chain), so
 *   prolific offenders start again within months;
 * - offences come in episodes, with court events, cautions, conviction lags, breaches and OTHER
 *   disposals; only people matched to the PNC have offences.
 */

/** People entering the caseload per year at scale 1 (tuned so a year has about 267,000 starts). */
export const ENTRIES_PER_YEAR = 162_000;
/** First entry date (the run-in) and the last date any start is generated. */
export const ENTRY_FROM = '2006-01-01';
export const HORIZON = '2021-12-31';
/** The written extracts. */
export const STARTS_FROM = '2011-01-01';
export const STARTS_TO = '2020-12-31';
/** No offence before the first written year can count (offences count after an index start). */
export const OFFENCES_FROM = '2011-01-01';
export const AS_OF = '2022-01-31';
/** Service-level returns: the months of the contract years. */
export const SERVICE_FROM = '2015-02-01';
export const SERVICE_MONTHS = 71;

export const DEFAULT_SEED = 20110101;
export const DEFAULT_SCALE = 1;
export const MAX_SCALE = 50;

export type SynthFormat = 'csv' | 'parquet';

export interface SynthOptions {
  outDir: string;
  scale: number;
  seed: number;
  format?: SynthFormat;
  /** DuckDB threads (default: DuckDB's own choice). */
  threads?: number;
  /** DuckDB memory limit, e.g. '4GB' (it spills to a temporary folder beyond it). */
  memoryLimit?: string;
  progress?: (msg: string) => void;
}

export interface SynthFile {
  name: 'cohort' | 'starts' | 'reconvictions' | 'service_levels';
  file: string;
  path: string;
  rows: number;
}

export interface SynthResult {
  outDir: string;
  contractPath: string;
  scale: number;
  seed: number;
  format: SynthFormat;
  files: SynthFile[];
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Number of people entering over the whole generated span at this scale. */
export function entriesFor(scale: number): number {
  const days = daysBetween(ENTRY_FROM, HORIZON);
  return Math.max(1, Math.round((ENTRIES_PER_YEAR * scale * days) / 365.25));
}

/** The written files; `order` is a numeric key whose order is the byte order of the file's id. */
const OUTPUTS: { name: SynthFile['name']; table: string; columns: string; order: string }[] = [
  { name: 'cohort', table: 'synth_cohort_out', columns: 'person_id, date_of_birth, sex, pnc_matched', order: 'pid' },
  {
    name: 'starts',
    table: 'synth_starts_out',
    columns: 'start_id, person_id, start_date, start_type, sentence_length_days, cpa, allocation, em_only, ogrs',
    order: 'pid, k',
  },
  {
    name: 'reconvictions',
    table: 'synth_reconvictions_out',
    columns: 'offence_id, person_id, offence_date, disposal_date, disposal_type, court_event_id, breach',
    order: 'pid, k, kind, batch, j',
  },
  { name: 'service_levels', table: 'synth_service_levels', columns: 'cpa, month, measure, achieved, target', order: 'cpa, month, measure' },
];

/** Write the synthetic dataset folder and its contract.json. */
export async function synthesize(opts: SynthOptions): Promise<SynthResult> {
  const format: SynthFormat = opts.format ?? 'csv';
  const progress = opts.progress ?? (() => {});
  const outDir = path.resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pbr-synth-duckdb-'));
  const db = await Db.open({
    tempDirectory: tmp,
    ...(opts.threads ? { threads: opts.threads } : {}),
    ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
  });
  try {
    // COPY keeps the ORDER BY only while insertion order is preserved (the default); say so.
    await db.run('SET preserve_insertion_order = true');
    const seed = BigInt(opts.seed);
    const nEntries = entriesFor(opts.scale);
    progress(`synth: scale ${opts.scale}, seed ${opts.seed}: ${nEntries.toLocaleString('en-GB')} people entering ${ENTRY_FROM} - ${HORIZON}`);
    await db.exec('synth_setup', { seed });
    await db.exec('synth_entry', {
      seed,
      n_entries: BigInt(nEntries),
      entry_from: ENTRY_FROM,
      entry_days: daysBetween(ENTRY_FROM, HORIZON),
    });
    await db.exec('synth_chain_init');
    // One statement per generation of the chain (a set operation over everyone at once).
    let generations = 0;
    for (let k = 0; k < 1000; k++) {
      await db.exec('synth_chain_step', { seed, k, horizon: HORIZON });
      const n = Number(await db.scalar('SELECT count(*) FROM synth_chain WHERE k = $k::INTEGER', { k }));
      if (n === 0) break;
      generations = k + 1;
    }
    progress(`synth: ${generations} generations of starts`);
    await db.exec('synth_offence', { seed, starts_from: STARTS_FROM, starts_to: STARTS_TO, offences_from: OFFENCES_FROM, as_of: AS_OF });
    await db.exec('synth_output', { starts_from: STARTS_FROM, starts_to: STARTS_TO });
    await db.exec('synth_service_levels', { seed, from_month: SERVICE_FROM, months: SERVICE_MONTHS });

    const files: SynthFile[] = [];
    for (const o of OUTPUTS) {
      const file = `${o.name}.${format}`;
      const target = path.join(outDir, file);
      for (const ext of ['csv', 'csv.gz', 'parquet']) {
        const other = path.join(outDir, `${o.name}.${ext}`);
        if (other !== target && existsSync(other)) rmSync(other);
      }
      const opt = format === 'csv' ? "(FORMAT csv, HEADER true, DELIMITER ',')" : '(FORMAT parquet)';
      await db.run(`COPY (SELECT ${o.columns} FROM ${o.table} ORDER BY ${o.order}) TO ${literal(target)} ${opt}`);
      const rows = Number(await db.scalar(`SELECT count(*) FROM ${o.table}`));
      files.push({ name: o.name, file, path: target, rows });
      progress(`synth: wrote ${file} (${rows.toLocaleString('en-GB')} rows)`);
    }

    const volumes = await db.allNamed<AreaVolumes>('synth_volumes', {
      allocation: 'CRC',
      min_age: 18,
      year_from: CONTRACT_YEARS[0]!.from,
      year_to: CONTRACT_YEARS[CONTRACT_YEARS.length - 1]!.to,
      co_max: 365,
      sso_max: 365,
      cr_max: 364,
    });
    const areas = await db.all<{ cpa: string; name: string }>('SELECT cpa, name FROM synth_area ORDER BY cpa');
    const contract = buildContract(areas, volumes, AS_OF);
    const contractPath = path.join(outDir, 'contract.json');
    writeFileSync(contractPath, `${JSON.stringify(contract, null, 2)}\n`);
    progress(`synth: wrote contract.json`);
    return { outDir, contractPath, scale: opts.scale, seed: opts.seed, format, files };
  } finally {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
