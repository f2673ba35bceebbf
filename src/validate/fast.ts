import { type Db, ident, type Params } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import type { FileDef } from '../schema/inputs.js';
import type { InputSummary } from '../core/context.js';
import {
  buildAreas,
  buildTyped,
  castExpr,
  checkExpr,
  fillAreasFromStarts,
  readError,
  sourceSelect,
  sourceSummary,
  typedTable,
  type LoadResult,
  type PreparedInput,
} from './load.js';
import { periodKinds } from './periods.js';

/**
 * The clean-data fast path of the loader. Most extracts have no rejected row, and proving that
 * does not need the per-row report: each source file is read, mapped, checked and cast in ONE
 * scan (the rules are the very expressions of the full check, `checkExpr`, folded into one
 * boolean per row), then uniqueness and references are each one aggregate. When every file is
 * clean the typed tables are the result, identical to what the full check builds; when anything
 * at all would be rejected, `tryFastLoad` returns null and the caller runs the full check
 * (src/validate/load.ts), which names every file, line, column and reason. The two must agree on
 * "no reject": the per-value rules are shared code, and test/validate-fast.test.ts checks every
 * broken fixture falls back.
 */
const FAST_REJECTS = (name: string, i: number) => `fastrej_${name}_${i}`;
/** The checked rows of a source; the typed table is then a view of them (see loadInput). */
const FAST_ROWS = (target: string, i: number) => (i === 0 ? `fastrows_${target}` : `fastrows_${target}_${i}`);

/** One boolean per row: true when no row-level rule of the full check would reject it. */
function rowOkExpr(input: PreparedInput, contract: Contract, params: Params): string {
  const def = input.def;
  const parts = def.columns.map((c) => `(${checkExpr(c, params, input.rules)}) IS NULL`);
  if (contract.areas) {
    for (const c of def.columns.filter((c) => c.area)) parts.push(`(${ident(c.name)} IS NULL OR ${ident(c.name)} IN (SELECT cpa FROM areas))`);
  }
  if (def.name === 'reconvictions') {
    // validate_reconviction_dates
    parts.push(
      `NOT coalesce(pbr_bad_date(offence_date) IS NULL AND pbr_bad_date(disposal_date) IS NULL
        AND try_cast(disposal_date AS DATE) < try_cast(offence_date AS DATE), false)`,
    );
  }
  if (def.name === 'baselines' && contract.areas) {
    // validate_baselines, first rule
    parts.push(`NOT coalesce(cpa IS NOT NULL AND cpa <> 'ALL' AND cpa NOT IN (SELECT cpa FROM areas), false)`);
  }
  if (def.name === 'thresholds') {
    // validate_thresholds, first two rules
    params.kinds = periodKinds(contract);
    parts.push(`pbr_bad_period_label(period, $kinds) IS NULL`);
    parts.push(
      `NOT coalesce(pbr_bad_decimal01(lower) IS NULL AND pbr_bad_decimal01(upper) IS NULL
        AND CAST(upper AS DECIMAL(18,12)) < CAST(lower AS DECIMAL(18,12)), false)`,
    );
  }
  return parts.join('\n AND ');
}

/**
 * The number of repeated values of a unique column, screened first by 64-bit hashes: the hashes
 * sorted, and neighbours compared (a sort spills within DuckDB's limit and is the quickest and
 * leanest way we measured). Equal values have equal hashes, so a value whose hash has no equal
 * neighbour is unique; only the values of the hashes that repeat (a repeat, or a collision) are
 * then counted exactly.
 */
async function repeats(db: Db, table: string, column: string, modulo?: number): Promise<number> {
  const v = ident(column);
  const h = modulo ? `hash(${v}) % ${Math.trunc(modulo)}` : `hash(${v})`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE fast_repeated_hashes AS
     SELECT DISTINCT h FROM (SELECT h, lag(h) OVER (ORDER BY h) AS prev FROM (SELECT ${h} AS h FROM ${table} WHERE ${v} IS NOT NULL)) WHERE h = prev`,
  );
  try {
    if (Number(await db.scalar(`SELECT count(*) FROM fast_repeated_hashes`)) === 0) return 0;
    return Number(await db.scalar(`SELECT count(${v}) - count(DISTINCT ${v}) FROM ${table} WHERE ${h} IN (SELECT h FROM fast_repeated_hashes)`));
  } finally {
    await db.run(`DROP TABLE fast_repeated_hashes`);
  }
}

/** Repeated pairs of a small file's key columns (validate_baselines, validate_thresholds: exact). */
const pairRepeats = (a: string, b: string) =>
  `count(*) FILTER (WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL) - count(DISTINCT (${a}, ${b})) FILTER (WHERE ${a} IS NOT NULL AND ${b} IS NOT NULL)`;
const PAIRS: Partial<Record<FileDef['name'], string>> = { baselines: pairRepeats('cpa', 'population'), thresholds: pairRepeats('cpa', 'period') };

/** Options for tests. */
export interface FastOptions {
  /** Screen repeats by hash(key) % modulo (forces collisions, so the exact count runs). */
  screenModulo?: number;
}

/** The fast path's scratch tables; `all`: its typed views and their rows too (it bailed out). */
async function dropFast(db: Db, prepared: PreparedInput[], all: boolean): Promise<void> {
  for (const { def, sources } of prepared) {
    if (all) await db.dropRelation(typedTable(def));
    for (const i of sources.keys()) {
      if (all) await db.run(`DROP TABLE IF EXISTS ${ident(FAST_ROWS(typedTable(def), i))}`);
      await db.run(`DROP TABLE IF EXISTS ${ident(FAST_REJECTS(def.name, i))}`);
      await db.run(`DROP TABLE IF EXISTS ${ident(`${FAST_REJECTS(def.name, i)}_scan`)}`);
    }
  }
}

/** One input read, checked and cast in one scan per source: its rows per source, or null when any row would be rejected. */
async function loadInput(db: Db, input: PreparedInput, contract: Contract, opts: FastOptions): Promise<number[] | null> {
  const def = input.def;
  const name = typedTable(def);
  const counts: number[] = [];
  const views: string[] = [];
  const cols = def.columns.map((c) => ident(c.name)).join(', ');
  for (const [i, p] of input.sources.entries()) {
    // blank lines move line numbers: the full check numbers such a file's rows
    if (p.blank.length > 0) return null;
    const params: Params = {};
    const target = ident(FAST_ROWS(name, i));
    await db
      .run(
        `CREATE OR REPLACE TABLE ${target} AS
         SELECT ${def.columns.map((c) => castExpr(c, true)).join(', ')}, ${rowOkExpr(input, contract, params)} AS _ok${p.lineColumn ? ', _sline' : ''}
         FROM (${sourceSelect(input, p, FAST_REJECTS(def.name, i), params)})`,
        params,
      )
      .catch((e) => Promise.reject(readError(p.src, e)));
    if (p.format !== 'parquet' && Number(await db.scalar(`SELECT count(*) FROM ${ident(FAST_REJECTS(def.name, i))}`)) > 0) return null;
    const [c] = await db.all<{ rows: number; bad: number }>(`SELECT count(*)::BIGINT AS rows, count(*) FILTER (WHERE NOT _ok)::BIGINT AS bad FROM ${target}`);
    if (Number(c!.bad) > 0) return null;
    counts.push(Number(c!.rows));
    // The typed table's line numbers: header = line 1, file order is the table's insertion order
    // (so rowid + 2); a sheet's rows carry their own.
    views.push(`SELECT ${cols}, ${p.lineColumn ? '_sline' : 'rowid + 2'} AS _line FROM ${target}`);
  }
  // The typed table of docs/internals.md is a view of the checked rows: a view gives the line
  // numbers for nothing where an UPDATE of every row kept an undo copy of the column.
  await db.dropRelation(name);
  await db.run(`CREATE VIEW ${ident(name)} AS ${views.join('\nUNION ALL ')}`);
  const pairs = PAIRS[def.name];
  if (pairs && Number(await db.scalar(`SELECT (${pairs})::BIGINT FROM ${ident(name)}`)) > 0) return null;
  for (const c of def.columns.filter((c) => c.unique)) {
    if ((await repeats(db, ident(name), c.name, opts.screenModulo)) > 0) return null;
  }
  for (const c of def.columns.filter((c) => c.referencesCohort)) {
    // cohort is complete here (a cohort row with a problem ends the fast path), so "in the typed
    // cohort" is exactly validate_person_reference's rule
    const v = ident(c.name);
    const unknown = Number(await db.scalar(`SELECT count(*) FROM ${ident(name)} WHERE ${v} IS NOT NULL AND ${v} NOT IN (SELECT person_id FROM cohort)`));
    if (unknown > 0) return null;
  }
  return counts;
}

/**
 * Load every input on the fast path. Returns the load result when no row of any file would be
 * rejected, else null (the tables it made are then replaced by the full check's).
 */
export async function tryFastLoad(db: Db, prepared: PreparedInput[], contract: Contract, hashes: Map<string, string>, opts: FastOptions = {}): Promise<LoadResult | null> {
  await db.run(`CREATE OR REPLACE TABLE rejects (file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  await buildAreas(db, contract);
  const inputs: InputSummary[] = [];
  let clean = false;
  try {
    for (const input of prepared) {
      if (input.sources.length === 0) {
        await buildTyped(db, input.def, null);
        continue;
      }
      const rows = await loadInput(db, input, contract, opts);
      if (rows === null) return null;
      if (input.def.name === 'starts') await fillAreasFromStarts(db, contract);
      input.sources.forEach((p, i) => inputs.push(sourceSummary(input, p, hashes.get(p.src.file)!, rows[i]!, 0)));
    }
    clean = true;
  } finally {
    await dropFast(db, prepared, !clean);
  }
  return { inputs, rejectCount: 0, rejectedRows: 0, hasBaselinesFile: prepared.some((x) => x.def.name === 'baselines' && x.sources.length > 0), mapping: null };
}
