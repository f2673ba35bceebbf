import { InputError } from '../errors.js';
import { type Db, ident, literal, type Params } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import { INPUT_FILES, SQL_TYPE, type ColumnDef, type FileDef } from '../schema/inputs.js';
import type { InputSummary } from '../core/context.js';
import { findInputFile, readCsvHeader, sha256File, splitHeader, type FoundFile } from './files.js';
import { cacheKey, cacheRoot, restore, store } from './cache.js';
import { tryFastLoad } from './fast.js';
import type { CacheWrite } from '../cache/store.js';

/**
 * Load a dataset folder into DuckDB and validate it (method.md section 11, formats.md section 1).
 *
 * Each file is read as text (no type sniffing) into raw_<name> with its line number, every rule is
 * checked in SQL and each problem goes to table `rejects(file, line, column, value, reason)`; the
 * rows with no problem are cast into the typed tables of docs/internals.md. Line numbers count CSV
 * records with the header as line 1 (for Parquet: the row number + 1, likewise).
 */
export interface LoadResult {
  inputs: InputSummary[];
  rejectedRows: number;
  rejectCount: number;
  hasBaselinesFile: boolean;
  /** The load key of the run cache (the inputs' sha256, the areas, the loader's code): later caches build on it. */
  cacheKey?: string;
}

function rawTable(def: FileDef): string {
  return `raw_${def.name}`;
}

/** The file's column names (Parquet: its schema; CSV: the header line), checked against the definition. */
export async function fileHeader(db: Db, f: FoundFile): Promise<string[]> {
  let header: string[];
  if (f.format === 'parquet') {
    let described: { column_name: string }[];
    try {
      described = await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${literal(f.path)})`);
    } catch (e) {
      throw new InputError(`${f.path}: cannot read the file as Parquet (${firstLine(e)}); check the file`);
    }
    header = described.map((d) => d.column_name);
  } else {
    header = splitHeader(await readCsvHeader(f));
  }
  checkHeader(f, header);
  return header;
}

/** The error for a file the reader cannot read at all. */
export function readError(f: FoundFile, e: unknown): InputError {
  return new InputError(`${f.path}: cannot read the file (${firstLine(e)}); check it is ${f.format === 'parquet' ? 'a Parquet file' : 'UTF-8 CSV with a header row'}`);
}

/** The reader's options for a CSV input: every column as text, no sniffing, refused rows to `rejectsTable`. */
export function csvReader(f: FoundFile, header: string[], rejectsTable: string): string {
  const columns = `{${header.map((h) => `${literal(h)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${literal(f.path)},
           header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns},
           strict_mode = true, store_rejects = true, rejects_table = ${literal(rejectsTable)}, rejects_scan = ${literal(`${rejectsTable}_scan`)})`;
}

async function readRaw(db: Db, f: FoundFile): Promise<void> {
  const raw = ident(rawTable(f.def));
  const cols = f.def.columns;
  const header = await fileHeader(db, f);
  const present = new Set(header);
  // The file's rows, as text, in file order (a table's rowid is its insertion order, and DuckDB
  // preserves the reader's order), then a view that adds each row's line number.
  const rows = ident(`rows_${f.def.name}`);
  const rej = ident(`rej_${f.def.name}`);
  if (f.format === 'parquet') {
    const select = header.map((h) => `CAST(${ident(h)} AS VARCHAR) AS ${ident(h)}`).join(', ');
    await db
      .run(`CREATE OR REPLACE TABLE ${rows} AS SELECT ${select} FROM read_parquet(${literal(f.path)})`)
      .catch((e) => Promise.reject(readError(f, e)));
    await db.run(`CREATE OR REPLACE TABLE ${rej} (line BIGINT, column_name VARCHAR, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)`);
  } else {
    await db
      .run(`CREATE OR REPLACE TABLE ${rows} AS SELECT * FROM ${csvReader(f, header, `rej_${f.def.name}`)}`)
      .catch((e) => Promise.reject(readError(f, e)));
  }
  // Absent optional columns become NULL (then their default applies).
  for (const c of cols) {
    if (!present.has(c.name)) await db.run(`ALTER TABLE ${rows} ADD COLUMN ${ident(c.name)} VARCHAR`);
  }
  // Line numbers count records with the header as line 1. Rows the reader refused take their line
  // numbers out of the sequence: with g_i = L_i - 1 - i for the i-th refused line L_i, the accepted
  // row of rowid k is on line k + 2 + (the largest i with g_i <= k).
  const readerRejects = Number(await db.scalar(`SELECT count(*) FROM ${rej}`));
  if (readerRejects === 0) {
    await db.run(`CREATE OR REPLACE VIEW ${raw} AS SELECT rowid + 2 AS _line, * FROM ${rows}`);
  } else {
    const gaps = ident(`gaps_${f.def.name}`);
    await db.run(
      `CREATE OR REPLACE TABLE ${gaps} AS
       SELECT line - 1 - i AS g, max(i) AS i
       FROM (SELECT line, row_number() OVER (ORDER BY line) AS i FROM (SELECT DISTINCT line FROM ${rej}))
       GROUP BY ALL`,
    );
    await db.run(
      `CREATE OR REPLACE TABLE ${ident(`lines_${f.def.name}`)} AS
       SELECT r.rowid AS k, r.rowid + 2 + coalesce(gp.i, 0) AS _line FROM ${rows} r ASOF LEFT JOIN ${gaps} gp ON r.rowid >= gp.g`,
    );
    await db.run(
      `CREATE OR REPLACE VIEW ${raw} AS SELECT l._line, r.* FROM ${rows} r JOIN ${ident(`lines_${f.def.name}`)} l ON l.k = r.rowid`,
    );
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

function checkHeader(f: FoundFile, header: string[]): void {
  const known = new Set(f.def.columns.map((c) => c.name));
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (seen.has(h)) throw new InputError(`${f.path}: line 1, column ${i + 1}: column '${h}' appears twice in the header; remove one`);
    seen.add(h);
    if (!known.has(h)) {
      throw new InputError(
        `${f.path}: line 1, column ${i + 1}: unknown column '${h}'; expected ${f.def.columns.map((c) => c.name).join(', ')} (remove or rename it)`,
      );
    }
  });
  for (const c of f.def.columns) {
    if (c.required && !seen.has(c.name)) {
      throw new InputError(`${f.path}: line 1: required column '${c.name}' is missing from the header; add it (${c.meaning})`);
    }
  }
}

/** The per-value check of one column, as a SQL expression giving NULL or a reason. */
export function checkExpr(c: ColumnDef, params: Params): string {
  const v = ident(c.name);
  const missing = c.required ? `WHEN ${v} IS NULL THEN 'missing required value'` : '';
  let bad: string;
  switch (c.type.kind) {
    case 'text':
      bad = 'NULL';
      break;
    case 'date':
      bad = `pbr_bad_date(${v})`;
      break;
    case 'month':
      bad = `pbr_bad_month(${v})`;
      break;
    case 'boolean':
      bad = `pbr_bad_boolean(${v})`;
      break;
    case 'enum':
      params[`enum_${c.name}`] = c.type.values;
      bad = `pbr_bad_enum(${v}, $enum_${c.name})`;
      break;
    case 'integer':
      params[`min_${c.name}`] = c.type.min;
      bad = `pbr_bad_integer(${v}, $min_${c.name})`;
      break;
    case 'count':
      bad = `pbr_bad_count(${v})`;
      break;
    case 'decimal01':
      bad = `pbr_bad_decimal01(${v})`;
      break;
    case 'decimal':
      bad = `pbr_bad_decimal(${v})`;
      break;
  }
  return `CASE ${missing} WHEN TRUE THEN ${bad} END`;
}

/** The typed value of one column; `tryCast` for a value not yet known to be valid (the fast path). */
export function castExpr(c: ColumnDef, tryCast = false): string {
  const v = ident(c.name);
  const withDefault = c.default !== undefined ? `coalesce(${v}, ${literal(c.default)})` : v;
  switch (c.type.kind) {
    case 'boolean':
      return `(${v} = 'true') AS ${v}`;
    case 'text':
    case 'enum':
    case 'month':
      return `${withDefault} AS ${v}`;
    default:
      return `${tryCast ? 'TRY_CAST' : 'CAST'}(${v} AS ${SQL_TYPE[c.type.kind]}) AS ${v}`;
  }
}

async function checkFile(db: Db, f: FoundFile, contract: Contract): Promise<void> {
  const def = f.def;
  const raw = ident(rawTable(def));
  const file = f.file;
  const params: Params = { file };
  // 1. What the CSV reader itself refused (wrong column count, bad encoding, bad quoting).
  await db.run(
    `INSERT INTO rejects SELECT $file, line, coalesce(column_name, '(row)'), left(csv_line, 200),
       lower(error_type) || ': ' || split_part(error_message, chr(10), 1)
     FROM ${ident(`rej_${def.name}`)}`,
    params,
  );
  // 2. Per-value rules: missing required values, types, enumerations, ranges, dates 1900-2100.
  const entries = def.columns
    .map((c) => `{'c': ${literal(c.name)}, 'v': ${ident(c.name)}, 'r': ${checkExpr(c, params)}}`)
    .join(',\n ');
  await db.run(
    `INSERT INTO rejects
     SELECT $file, _line, e.c, e.v, e.r FROM (
       SELECT _line, unnest(list_filter([${entries}], x -> x.r IS NOT NULL)) AS e FROM ${raw}
     )`,
    params,
  );
  // 3. Uniqueness.
  for (const c of def.columns.filter((c) => c.unique)) {
    const v = ident(c.name);
    await db.run(
      `INSERT INTO rejects
       SELECT $file, _line, $col, ${v}, 'duplicate ' || $col || ': ' || n || ' rows share it (first on line ' || first_line || ')'
       FROM (SELECT _line, ${v}, count(*) OVER w AS n, min(_line) OVER w AS first_line
             FROM ${raw} WHERE ${v} IS NOT NULL WINDOW w AS (PARTITION BY ${v}))
       WHERE n > 1`,
      { ...params, col: c.name },
    );
  }
  // 4. Areas outside the contract's list.
  if (contract.areas) {
    for (const c of def.columns.filter((c) => c.area)) {
      const v = ident(c.name);
      await db.run(
        `INSERT INTO rejects SELECT $file, _line, $col, ${v}, 'area ''' || ${v} || ''' is not in the contract''s areas'
         FROM ${raw} WHERE ${v} IS NOT NULL AND ${v} NOT IN (SELECT cpa FROM areas)`,
        { ...params, col: c.name },
      );
    }
  }
  // 5. Date sense within a row.
  if (def.name === 'reconvictions') await db.exec('validate_reconviction_dates', params);
  if (def.name === 'baselines') await db.exec('validate_baselines', { ...params, check_areas: contract.areas !== null });
}

async function checkReferences(db: Db, f: FoundFile, cohortFile: string): Promise<void> {
  for (const c of f.def.columns.filter((c) => c.referencesCohort)) {
    await db.run(`CREATE OR REPLACE TEMP VIEW _ref AS SELECT _line, ${ident(c.name)} AS person_id FROM ${ident(rawTable(f.def))}`);
    await db.exec('validate_person_reference', { file: f.file, cohort_file: cohortFile });
    await db.run(`DROP VIEW _ref`);
  }
}

/** The typed table of an input (docs/internals.md): its name, but baselines_input for baselines. */
export function typedTable(def: FileDef): string {
  return def.name === 'baselines' ? 'baselines_input' : def.name;
}

export async function buildTyped(db: Db, def: FileDef, file: string | null): Promise<void> {
  const cols = def.columns.map((c) => castExpr(c)).join(', ');
  const target = typedTable(def);
  await db.dropRelation(target); // the fast path's view of the same name, if it ran before
  if (file === null) {
    const empty = def.columns.map((c) => `CAST(NULL AS ${SQL_TYPE[c.type.kind]}) AS ${ident(c.name)}`).join(', ');
    await db.run(`CREATE OR REPLACE TABLE ${ident(target)} AS SELECT ${empty}, CAST(NULL AS BIGINT) AS _line LIMIT 0`);
    return;
  }
  // The view yields rows in file order and the table keeps it: no sort needed.
  const rejected = Number(await db.scalar(`SELECT count(*) FROM rejects WHERE file = $file`, { file }));
  await db.run(
    `CREATE OR REPLACE TABLE ${ident(target)} AS
     SELECT ${cols}, _line FROM ${ident(rawTable(def))}
     ${rejected > 0 ? 'WHERE _line NOT IN (SELECT line FROM rejects WHERE file = $file)' : ''}`,
    rejected > 0 ? { file } : {},
  );
}

/** Areas: the contract's list (in its order) or every cpa of the starts. */
export async function buildAreas(db: Db, contract: Contract): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE areas (cpa VARCHAR, name VARCHAR, area_order INTEGER)`);
  if (contract.areas) {
    const codes = Object.keys(contract.areas);
    await db.run(
      `INSERT INTO areas SELECT c, n, i::INTEGER FROM (SELECT unnest($codes) AS c, unnest($names) AS n, generate_subscripts($codes, 1) AS i)`,
      { codes, names: codes.map((k) => contract.areas![k]!) },
    );
  }
}

export async function fillAreasFromStarts(db: Db, contract: Contract): Promise<void> {
  if (contract.areas) return;
  await db.run(`INSERT INTO areas SELECT cpa, cpa, row_number() OVER (ORDER BY cpa)::INTEGER FROM (SELECT DISTINCT cpa FROM starts)`);
}

export interface LoadOptions {
  /** Use the Parquet cache of validated tables (default: on, unless PBR_CACHE=off). */
  cache?: boolean;
  /** Filled with seconds per step: hash (sha256 of the inputs), cache_restore, load_check (read, check, cast), cache_store. */
  timings?: Record<string, number>;
  /**
   * When given, writing the cache entry is handed to this function (to run later, on another
   * connection, beside other work) instead of being done before loadDataset returns.
   */
  deferStore?: (write: CacheWrite) => void;
}

export async function loadDataset(db: Db, dataDir: string, contract: Contract, opts: LoadOptions = {}): Promise<LoadResult> {
  await db.exec('validate_macros');
  const found = INPUT_FILES.map((def) => ({ def, f: findInputFile(dataDir, def) }));
  const hashes = new Map<string, string>();
  let t = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    if (opts.timings) opts.timings[step] = Math.round(now - t) / 1000;
    t = now;
  };
  await Promise.all(found.map(async ({ f }) => f && hashes.set(f.file, await sha256File(f.path))));
  lap('hash');
  const root = opts.cache === false ? null : cacheRoot();
  const key = cacheKey(found.flatMap(({ f }) => (f ? [{ file: f.file, sha256: hashes.get(f.file)! }] : [])), contract);
  if (root) {
    const hit = await restore<Omit<LoadResult, 'inputs'> & { inputs: Omit<InputSummary, 'path'>[] }>(db, root, key);
    lap('cache_restore');
    if (hit) {
      const paths = new Map(found.flatMap(({ f }) => (f ? [[f.file, f.path] as const] : [])));
      return { ...hit, cacheKey: key, inputs: hit.inputs.map((i) => ({ ...i, path: paths.get(i.file)! })) };
    }
  }
  // Clean data (the usual case) is proven clean in one scan per file; anything that would be
  // rejected sends the whole dataset through the full check, which reports every row.
  const result = (await tryFastLoad(db, found, contract, hashes)) ?? (await loadAndValidate(db, found, contract, hashes));
  lap('load_check');
  if (root) {
    const meta = { ...result, inputs: result.inputs.map(({ path: _p, ...rest }) => rest) };
    if (opts.deferStore) opts.deferStore((d) => store(d, root, key, meta));
    else {
      await store(db, root, key, meta);
      lap('cache_store');
    }
  }
  return { ...result, cacheKey: key };
}

export async function loadAndValidate(
  db: Db,
  found: { def: FileDef; f: FoundFile | null }[],
  contract: Contract,
  hashes: Map<string, string>,
): Promise<LoadResult> {
  await db.run(`CREATE OR REPLACE TABLE rejects (file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  await buildAreas(db, contract);
  const cohortFile = found.find((x) => x.def.name === 'cohort')!.f!.file;
  const inputs: InputSummary[] = [];
  for (const { def, f } of found) {
    if (!f) {
      await buildTyped(db, def, null);
      continue;
    }
    await readRaw(db, f);
    await checkFile(db, f, contract);
    if (def.name !== 'cohort') await checkReferences(db, f, cohortFile);
    await buildTyped(db, def, f.file);
    if (def.name === 'starts') await fillAreasFromStarts(db, contract);
    const [counts] = await db.all<{ accepted: number; reader_rejected: number; rejected: number; used: number }>(
      `SELECT (SELECT count(*) FROM ${ident(rawTable(def))})::INTEGER AS accepted,
              (SELECT count(DISTINCT line) FROM ${ident(`rej_${def.name}`)})::INTEGER AS reader_rejected,
              (SELECT count(DISTINCT line) FROM rejects WHERE file = $file)::INTEGER AS rejected,
              (SELECT count(*) FROM ${ident(typedTable(def))})::INTEGER AS used`,
      { file: f.file },
    );
    inputs.push({
      name: def.name,
      file: f.file,
      path: f.path,
      sha256: hashes.get(f.file)!,
      bytes: f.bytes,
      rows_read: counts!.accepted + counts!.reader_rejected,
      rows_used: counts!.used,
      rows_rejected: counts!.rejected,
    });
      }
  for (const { def, f } of found) {
    if (!f) continue;
    await db.run(`DROP VIEW IF EXISTS ${ident(rawTable(def))}`);
    for (const t of ['rows', 'rej', 'gaps', 'lines']) await db.run(`DROP TABLE IF EXISTS ${ident(`${t}_${def.name}`)}`);
  }
  const [tot] = await db.all<{ n: number; rows: number }>(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT (file, line))::INTEGER AS rows FROM rejects`,
  );
  return {
    inputs,
    rejectCount: tot!.n,
    rejectedRows: tot!.rows,
    hasBaselinesFile: found.some((x) => x.def.name === 'baselines' && x.f !== null),
  };
}

export type { RejectRow } from '../core/validationReport.js';
