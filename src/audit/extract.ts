import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Db, ident, literal } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { shown } from '../contract/load.js';
import { stageOutput } from '../core/atomic.js';
import { writeWorkbook, type ColumnKind, type SheetColumn } from '../core/sheets.js';
import { loadRunCsvs, loadRunOutcomes, loadRunVolumes, runManifest } from './diffRunFiles.js';

/**
 * `pbr extract --run RUN --area AREA --out DIR`: a provider's per-person view of one area as flat
 * files a spreadsheet opens, so that it can build its expected outcomes without Parquet tools:
 * outcomes.csv (one row per person and period, from offender_outcomes.parquet) and offences.csv
 * (one row per listed offence with its reason, from offender_offences.parquet, or from an old
 * run's nested list), and the same as outcomes.xlsx and offences.xlsx; with volumes.csv and
 * volumes.xlsx, the area's rows of the run's volumes.csv (every start with its contract year and
 * band, or why it does not count), which at national scale has more rows than a spreadsheet
 * holds. The files hold person-level data: the folder is readable by its owner only (0700, files
 * 0600) whatever the umask.
 */

/** Excel's row limit, header included. */
const MAX_SHEET_ROWS = 1_048_576;

export interface ExtractOptions {
  run: string;
  /** The area's code, or its name in the run's contract. */
  area: string;
  out: string;
  /** Only this period (a label of offender_outcomes.parquet, e.g. 2024Q1). */
  period?: string;
}

export interface ExtractResult {
  run: string;
  area: string;
  area_name: string | null;
  period: string | null;
  out: string;
  files: { file: string; rows: number }[];
}

/** The run's areas (measures.csv, ALL aside, in file order) with their contract names. */
async function runAreas(db: Db, run: string): Promise<{ code: string; name: string | null }[]> {
  const m = runManifest(run);
  const names = ((m.contract.resolved as { areas?: Record<string, unknown> } | null)?.areas ?? {}) as Record<string, unknown>;
  await loadRunCsvs(db, run, 'x_');
  const codes = await db.all<{ area: string }>(`SELECT area FROM x_measures WHERE area <> 'ALL' GROUP BY area ORDER BY min(rowid)`);
  return codes.map((c) => ({ code: c.area, name: typeof names[c.area] === 'string' ? (names[c.area] as string) : null }));
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

/** The area a user named: a code of the run, else a contract name that one area has (case and spaces aside). */
function pickArea(given: string, areas: { code: string; name: string | null }[]): { code: string; name: string | null } {
  const byCode = areas.find((a) => a.code === given);
  if (byCode) return byCode;
  const byName = areas.filter((a) => a.name !== null && norm(a.name) === norm(given));
  if (byName.length === 1) return byName[0]!;
  // Every code, each escaped (codes are at most 40 characters), so that the line lists them all.
  const list = areas.map((a) => shown(a.code)).join(', ') || '(none)';
  if (byName.length > 1) throw new InputError(`--area ${shown(given)}: a name several areas share; give the code: one of ${list}`);
  throw new InputError(`--area ${shown(given)}: not an area of this run; give the code or the contract's name of one of ${list}`);
}

/** A workbook column's kind from a DuckDB type: numbers as numbers, dates as dates, everything else text. */
function kindOf(type: string): ColumnKind {
  if (type === 'DATE') return 'date';
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER)$/.test(type)) return 'integer';
  if (/^(DECIMAL|DOUBLE|FLOAT|REAL)/.test(type)) return 'decimal';
  return 'text';
}

async function columnsOf(db: Db, table: string): Promise<{ name: string; type: string }[]> {
  const rows = await db.all<{ column_name: string; column_type: string }>(`SELECT column_name, column_type FROM (DESCRIBE ${ident(table)})`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/**
 * One table as a CSV (COPY, text columns through safe_cell so that a spreadsheet shows them as
 * text) and as a workbook (writeWorkbook: numbers as numbers, dates as dates). Returns the rows.
 * `csvFrom`, when given, is a table of the same rows as the text to write as they are (volumes.csv
 * as the run wrote it) and the CSV's order is its `_n`.
 */
async function writeTable(db: Db, table: string, order: string[], dir: string, base: string, sheet: string, date: string, csvFrom?: string): Promise<number> {
  const cols = (await columnsOf(db, table)).filter((c) => c.name !== '_n');
  const rows = Number(await db.scalar(`SELECT count(*) FROM ${ident(table)}`));
  if (rows + 1 > MAX_SHEET_ROWS) {
    throw new InputError(`${base}: ${rows} rows are more than a spreadsheet holds (${MAX_SHEET_ROWS - 1}); extract one period at a time with --period`);
  }
  const orderBy = order.map(ident).join(', ');
  const names = cols.map((c) => ident(c.name)).join(', ');
  const select = cols.map((c) => (c.type === 'VARCHAR' ? `safe_cell(${ident(c.name)}) AS ${ident(c.name)}` : ident(c.name))).join(', ');
  const csv = path.join(dir, `${base}.csv`);
  const csvSelect = csvFrom ? `SELECT ${names} FROM ${ident(csvFrom)} ORDER BY _n` : `SELECT ${select} FROM ${ident(table)} ORDER BY ${orderBy}`;
  await db.run(`COPY (${csvSelect}) TO ${literal(csv)} (HEADER, DELIMITER ',')`);
  chmodSync(csv, 0o600);
  const columns: SheetColumn[] = cols.map((c) => ({ header: c.name, key: c.name, kind: kindOf(c.type) }));
  // Read a chunk at a time as the workbook is written (an area's offences are some 250,000 rows
  // at national scale); booleans as the words the CSV has.
  const cells = cols.map((c) => (c.type === 'BOOLEAN' ? `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}` : ident(c.name))).join(', ');
  const batches = db.chunks<Record<string, unknown>>(`SELECT ${cells} FROM ${ident(table)} ORDER BY ${orderBy}`);
  const xlsx = path.join(dir, `${base}.xlsx`);
  await writeWorkbook(xlsx, [{ name: sheet, columns, rows: batches }], date);
  chmodSync(xlsx, 0o600);
  return rows;
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export async function extractRun(opts: ExtractOptions): Promise<ExtractResult> {
  const manifest = runManifest(opts.run);
  // Person-level files never go into a run folder (beside what may be published), nor replace one.
  const run = path.resolve(opts.run);
  const out = path.resolve(opts.out);
  if (within(out, run) || within(run, out)) {
    throw new InputError(`--out ${shown(opts.out)}: is the run folder, inside it or around it; choose a folder outside the run`);
  }
  if (opts.period !== undefined && opts.period.trim() === '') throw new InputError('--period: give a period label of the run, e.g. 2024Q1');
  const db = await Db.open({ threads: 1 });
  try {
    const area = pickArea(opts.area, await runAreas(db, opts.run));
    await loadRunOutcomes(db, opts.run, 'x_', area.code);
    await db.execMacros('output_macros');
    await db.exec('audit_extract', { area: area.code, period: opts.period ?? null });
    const volumes = await loadRunVolumes(db, opts.run, 'x_volumes');
    if (volumes) await db.exec('audit_extract_volumes', { area: area.code, period: opts.period ?? null });
    if (opts.period !== undefined && Number(await db.scalar('SELECT count(*) FROM ext_outcomes')) === 0) {
      const periods = await db.all<{ period: string }>(
        `SELECT period FROM x_outcomes WHERE area = $area GROUP BY period ORDER BY min(period_start), period`,
        { area: area.code },
      );
      throw new InputError(
        `--period ${shown(opts.period)}: area ${shown(area.code)} has no one in that period; give one of ${shown(periods.map((p) => p.period).join(', ') || '(none)')}`,
      );
    }
    // A new or empty folder only: an extract never replaces anything.
    const staged = stageOutput(opts.out, false);
    try {
      // Owner only, before anything is written into it.
      chmodSync(staged.staging, 0o700);
      const date = manifest.as_of;
      const outcomes = await writeTable(db, 'ext_outcomes', ['period_start', 'period', 'person_id'], staged.staging, 'outcomes', 'outcomes', date);
      const offences = await writeTable(db, 'ext_offences', ['period_start', 'period', 'person_id', 'offence_date', 'offence_id'], staged.staging, 'offences', 'offences', date);
      const about = path.join(staged.staging, 'extract.json');
      const files = [
        { file: 'outcomes.csv', rows: outcomes },
        { file: 'outcomes.xlsx', rows: outcomes },
        { file: 'offences.csv', rows: offences },
        { file: 'offences.xlsx', rows: offences },
      ];
      // a run written before volumes.csv existed has none to give
      if (volumes) {
        const n = await writeTable(db, 'ext_volumes', ['_n'], staged.staging, 'volumes', 'volumes', date, 'ext_volumes_text');
        files.push({ file: 'volumes.csv', rows: n }, { file: 'volumes.xlsx', rows: n });
      }
      writeFileSync(
        about,
        `${JSON.stringify({ extract: 'pbr extract', contract: manifest.contract.name, contract_sha256: manifest.contract.sha256, as_of: manifest.as_of, area: area.code, area_name: area.name, period: opts.period ?? null, person_level: true, files }, null, 2)}\n`,
        { mode: 0o600 },
      );
      chmodSync(about, 0o600);
      staged.commit();
      // Owner only once in place too (committing may give the folder the usual mode of a new one).
      chmodSync(staged.target, 0o700);
      return { run: opts.run, area: area.code, area_name: area.name, period: opts.period ?? null, out: staged.target, files };
    } catch (e) {
      staged.abort();
      throw e;
    }
  } finally {
    db.close();
  }
}
