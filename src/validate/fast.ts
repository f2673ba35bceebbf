import { type Db, ident, literal, type Params } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import type { FileDef } from '../schema/inputs.js';
import type { InputSummary } from '../core/context.js';
import type { FoundFile } from './files.js';
import { buildAreas, buildTyped, castExpr, checkExpr, csvReader, fileHeader, fillAreasFromStarts, readError, typedTable, type LoadResult } from './load.js';

/**
 * The clean-data fast path of the loader. Most extracts have no rejected row, and proving that
 * does not need the per-row report: each file is read, checked and cast in ONE scan (the rules
 * are the very expressions of the full check, `checkExpr`, folded into one boolean per row), then
 * uniqueness and references are each one aggregate. When every file is clean the typed tables are
 * the result, identical to what the full check builds; when anything at all would be rejected,
 * `tryFastLoad` returns null and the caller runs the full check (src/validate/load.ts), which
 * names every file, line, column and reason. The two must agree on "no reject": the per-value
 * rules are shared code, and test/validate-fast.test.ts checks every broken fixture falls back.
 */
const FAST_REJECTS = (name: string) => `fastrej_${name}`;
/** The checked rows of a file; the typed table is then a view of it (see loadFile). */
const FAST_ROWS = (target: string) => `fastrows_${target}`;

/** One boolean per row: true when no row-level rule of the full check would reject it. */
function rowOkExpr(def: FileDef, contract: Contract, params: Params): string {
  const parts = def.columns.map((c) => `(${checkExpr(c, params)}) IS NULL`);
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
  return parts.join('\n AND ');
}

/**
 * The number of repeated values of a unique column, screened first by 64-bit hashes: the hashes
 * sorted, and neighbours compared (a sort spills within DuckDB's limit and is the quickest and
 * leanest way we measured: at scale 10's 83 M offence ids, 12 s and 0.4 GB over the table,
 * against 19 s and 0.5 GB for GROUP BY and more for count(DISTINCT)). Equal values have equal
 * hashes, so a value whose hash has no equal neighbour is unique; only the values of the hashes
 * that repeat (a repeat, or a collision: DuckDB's hash() gives 25 among scale 10's offence ids)
 * are then counted exactly.
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

/** validate_baselines, second rule: repeated (cpa, population) pairs (a small file: exact). */
const PAIR_REPEATS = `count(*) FILTER (WHERE cpa IS NOT NULL AND population IS NOT NULL) - count(DISTINCT (cpa, population)) FILTER (WHERE cpa IS NOT NULL AND population IS NOT NULL)`;

/** Options for tests. */
export interface FastOptions {
  /** Screen repeats by hash(key) % modulo (forces collisions, so the exact count runs). */
  screenModulo?: number;
}

/** The fast path's scratch tables; `all`: its typed views and their rows too (it bailed out). */
async function dropFast(db: Db, found: { def: FileDef; f: FoundFile | null }[], all: boolean): Promise<void> {
  for (const { def } of found) {
    if (all) {
      await db.dropRelation(typedTable(def));
      await db.run(`DROP TABLE IF EXISTS ${ident(FAST_ROWS(typedTable(def)))}`);
    }
    await db.run(`DROP TABLE IF EXISTS ${ident(FAST_REJECTS(def.name))}`);
    await db.run(`DROP TABLE IF EXISTS ${ident(`${FAST_REJECTS(def.name)}_scan`)}`);
  }
}

/** One file read, checked and cast in one scan: its row count, or null when any row would be rejected. */
async function loadFile(db: Db, f: FoundFile, contract: Contract, opts: FastOptions): Promise<number | null> {
  const def = f.def;
  const header = await fileHeader(db, f);
  const present = new Set(header);
  const params: Params = {};
  const source =
    f.format === 'parquet'
      ? `read_parquet(${literal(f.path)})`
      : csvReader(f, header, FAST_REJECTS(def.name));
  // Every column as text (Parquet values cast to text, as the full check reads them); absent
  // optional columns as NULL (their default applies in the cast).
  const text = def.columns
    .map((c) => (present.has(c.name) ? `CAST(${ident(c.name)} AS VARCHAR) AS ${ident(c.name)}` : `CAST(NULL AS VARCHAR) AS ${ident(c.name)}`))
    .join(', ');
  const name = typedTable(def);
  const target = ident(FAST_ROWS(name));
  await db
    .run(
      `CREATE OR REPLACE TABLE ${target} AS
       SELECT ${def.columns.map((c) => castExpr(c, true)).join(', ')}, ${rowOkExpr(def, contract, params)} AS _ok
       FROM (SELECT ${text} FROM ${source})`,
      params,
    )
    .catch((e) => Promise.reject(readError(f, e)));
  if (f.format !== 'parquet' && Number(await db.scalar(`SELECT count(*) FROM ${ident(FAST_REJECTS(def.name))}`)) > 0) return null;
  const [counts] = await db.all<{ rows: number; bad: number }>(
    `SELECT count(*)::BIGINT AS rows, (count(*) FILTER (WHERE NOT _ok)${def.name === 'baselines' ? ` + (${PAIR_REPEATS})` : ''})::BIGINT AS bad FROM ${target}`,
  );
  if (Number(counts!.bad) > 0) return null;
  for (const c of def.columns.filter((c) => c.unique)) {
    if ((await repeats(db, target, c.name, opts.screenModulo)) > 0) return null;
  }
  for (const c of def.columns.filter((c) => c.referencesCohort)) {
    // cohort is complete here (a cohort row with a problem ends the fast path), so "in the typed
    // cohort" is exactly validate_person_reference's rule
    const v = ident(c.name);
    const unknown = Number(await db.scalar(`SELECT count(*) FROM ${target} WHERE ${v} IS NOT NULL AND ${v} NOT IN (SELECT person_id FROM cohort)`));
    if (unknown > 0) return null;
  }
  // The typed table of docs/internals.md is a view of the checked rows: the full check's typed
  // tables carry each row's line number (header = line 1; file order is the table's insertion
  // order, so rowid + 2), and a view gives it for nothing where an UPDATE of every row kept an
  // undo copy of the column (at scale 10, 1.3 GB in DuckDB's memory and spill) and took 5 s.
  await db.dropRelation(name);
  await db.run(`CREATE VIEW ${ident(name)} AS SELECT * EXCLUDE (_ok), rowid + 2 AS _line FROM ${target}`);
  return Number(counts!.rows);
}

/**
 * Load every file on the fast path. Returns the load result when no row of any file would be
 * rejected, else null (the tables it made are then replaced by the full check's).
 */
export async function tryFastLoad(
  db: Db,
  found: { def: FileDef; f: FoundFile | null }[],
  contract: Contract,
  hashes: Map<string, string>,
  opts: FastOptions = {},
): Promise<LoadResult | null> {
  await db.run(`CREATE OR REPLACE TABLE rejects (file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  await buildAreas(db, contract);
  const inputs: InputSummary[] = [];
  let clean = false;
  try {
    for (const { def, f } of found) {
      if (!f) {
        await buildTyped(db, def, null);
        continue;
      }
      const rows = await loadFile(db, f, contract, opts);
      if (rows === null) return null;
      if (def.name === 'starts') await fillAreasFromStarts(db, contract);
      inputs.push({ name: def.name, file: f.file, path: f.path, sha256: hashes.get(f.file)!, bytes: f.bytes, rows_read: rows, rows_used: rows, rows_rejected: 0 });
    }
    clean = true;
  } finally {
    await dropFast(db, found, !clean);
  }
  return { inputs, rejectCount: 0, rejectedRows: 0, hasBaselinesFile: found.some((x) => x.def.name === 'baselines' && x.f !== null) };
}
