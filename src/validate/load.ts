import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import { type Db, ident, literal, type Params } from '../db/duckdb.js';
import { MAX_AREA_CODE, type Contract } from '../contract/schema.js';
import { shown } from '../contract/load.js';
import { INPUT_FILES, SQL_TYPE, type ColumnDef, type FileDef } from '../schema/inputs.js';
import type { InputSummary } from '../core/context.js';
import { inputRules, type InputRules } from '../mapping/schema.js';
import type { LoadedMapping } from '../mapping/load.js';
import { hashSource, lineFacts, readCsvHeader, resolveSources, scanCompressed, splitHeader, type CsvFacts, type Source } from './files.js';
import { cacheKey, cacheRoot, restore, store } from './cache.js';
import { tryFastLoad } from './fast.js';
import { periodKinds } from './periods.js';
import type { CacheWrite } from '../cache/store.js';

/**
 * Load a dataset folder into DuckDB and validate it (method.md section 11; the input formats of the README
 * and docs/extracts.md).
 *
 * Each input has one or more source files (one, NAME.csv/.csv.gz/.parquet, without a mapping).
 * Each source is read as text (no type sniffing; a mapping's renames, value maps, true/false
 * tokens, missing-value tokens and date formats are applied in the same scan), every rule is
 * checked in SQL and each problem goes to table `rejects(file, line, column, value, reason)`,
 * naming the source file (and sheet), its line and the column (`engine (SOURCE)` when mapped
 * from another header); the rows with no problem are cast into the typed tables of
 * docs/internals.md. Line numbers count CSV records with the header as line 1, blank lines
 * included (for Parquet: the row number + 1; for a sheet: the sheet's row number).
 */
export interface LoadResult {
  /** One entry per source file, in input order. */
  inputs: InputSummary[];
  rejectedRows: number;
  rejectCount: number;
  hasBaselinesFile: boolean;
  /** The mapping applied (its file name and sha256), or null. */
  mapping: { file: string; sha256: string } | null;
  /** The load key of the run cache (the inputs' sha256, the areas, the loader's code): later caches build on it. */
  cacheKey?: string;
}

/** An input and its source files, with the mapping's rules for it (null: read as section 1 says). */
export interface InputPlan {
  def: FileDef;
  rules: InputRules | null;
  sources: Source[];
}

/** A source ready to read: its header, its reader (SQL) and what the byte scan found. */
export interface PreparedSource {
  src: Source;
  /** Source column names (the header, then hive partition columns). */
  header: string[];
  /** Parquet column types (DOUBLE values are read as exact decimals). */
  types: Map<string, string>;
  /** The FROM expression that reads it (a converted sheet is read as CSV). */
  path: string;
  format: 'csv' | 'parquet';
  delimiter: string;
  /** A sheet's row numbers travel in a column of the converted CSV. */
  lineColumn: string | null;
  /** Blank lines before the last record (the reader skips them; line numbers must not). */
  blank: number[];
}

export interface PreparedInput {
  def: FileDef;
  rules: InputRules | null;
  sources: PreparedSource[];
  /** How messages name the input's files together (unknown person_id: not in ...). */
  label: string;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

/** How a message names a source: its path, and the sheet of a workbook. */
export function where(src: Source): string {
  return src.format === 'xlsx' && src.sheet ? `${src.path} (sheet ${shown(src.sheet)})` : src.path;
}

/** The error for a file the reader cannot read at all (or stops reading part way). */
export function readError(src: Source, e: unknown): InputError {
  // the reader's own words, control characters escaped (it may quote a line of the file)
  const said = firstLine(e).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return new InputError(`${where(src)}: cannot read the file (${said.length > 300 ? `${said.slice(0, 297)}...` : said}); check it is ${src.format === 'parquet' ? 'a Parquet file' : 'UTF-8 CSV with a header row'}`);
}

/** The plans of a dataset folder: each input's sources, under the mapping when there is one. */
export function planDataset(dataDir: string, mapping: LoadedMapping | null = null): InputPlan[] {
  const plans = INPUT_FILES.map((def) => {
    const rules = inputRules(def, mapping?.mapping ?? null, mapping?.path);
    return { def, rules, sources: resolveSources(dataDir, def, rules) };
  });
  for (const def of INPUT_FILES) {
    if (def.required && plans.find((p) => p.def === def)!.sources.length === 0) {
      throw new InputError(`${path.join(dataDir, `${def.name}.csv`)}: required file is missing (${def.meaning}); add ${def.name}.csv, .csv.gz or .parquet to the folder, or map the input's files`);
    }
  }
  // a source read by two inputs would mix their rejects (a workbook may give each its own sheet)
  const owner = new Map<string, string>();
  for (const p of plans) {
    for (const s of p.sources) {
      const key = `${s.file}\u0000${s.sheet ?? ''}`;
      const other = owner.get(key);
      if (other) throw new InputError(`${s.path}: is a source of both ${other} and ${p.def.name}; give each input its own files (or sheets)`);
      owner.set(key, p.def.name);
    }
  }
  return plans;
}

/** The reader's options for a CSV input: every column as text, no sniffing, refused rows to `rejectsTable`. */
export function csvReader(p: Pick<PreparedSource, 'path' | 'header' | 'delimiter' | 'lineColumn'>, rejectsTable: string): string {
  const names = p.lineColumn ? [p.lineColumn, ...p.header] : p.header;
  const columns = `{${names.map((h) => `${literal(h)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${literal(p.path)},
           header = true, auto_detect = false, delim = ${literal(p.delimiter)}, quote = '"', escape = '"', columns = ${columns},
           strict_mode = true, store_rejects = true, rejects_table = ${literal(rejectsTable)}, rejects_scan = ${literal(`${rejectsTable}_scan`)})`;
}

/** The source's reader as a FROM expression (CSV readers store refused rows in `rejectsTable`). */
export function sourceReader(p: PreparedSource, rejectsTable: string): string {
  return p.format === 'parquet' ? `read_parquet(${literal(p.path)})` : csvReader(p, rejectsTable);
}

/** The header check: duplicate, unknown (unmapped) and missing required columns are one-line errors. */
function checkHeader(plan: InputPlan, src: Source, header: string[]): void {
  const def = plan.def;
  const rules = plan.rules;
  const seen = new Set<string>();
  const wanted = new Map(def.columns.map((c) => [rules ? rules.columns[c.name]! : c.name, c]));
  header.forEach((h, i) => {
    if (seen.has(h)) throw new InputError(`${where(src)}: line 1, column ${i + 1}: column '${shown(h)}' appears twice in the header; remove one`);
    seen.add(h);
    if (wanted.has(h) || rules?.ignore.has(h)) return;
    if (!rules) {
      throw new InputError(`${where(src)}: line 1, column ${i + 1}: unknown column '${shown(h)}'; expected ${def.columns.map((c) => c.name).join(', ')} (remove or rename it)`);
    }
    throw new InputError(
      `${where(src)}: line 1, column ${i + 1}: column '${shown(h)}' is neither mapped nor ignored; map it under ${rules.keyPath}.columns or list it in ${rules.keyPath}.ignore_columns`,
    );
  });
  for (const c of def.columns) {
    if (!c.required) continue;
    const name = rules ? rules.columns[c.name]! : c.name;
    if (seen.has(name)) continue;
    if (!rules) throw new InputError(`${where(src)}: line 1: required column '${c.name}' is missing from the header; add it (${c.meaning})`);
    throw new InputError(
      rules.mapped.has(c.name)
        ? `${where(src)}: line 1: column '${shown(name)}' (mapped to ${c.name} in ${rules.keyPath}.columns) is missing from the header; correct the mapping or the file`
        : `${where(src)}: line 1: required column '${c.name}' is missing from the header; add it or map it under ${rules.keyPath}.columns (${c.meaning})`,
    );
  }
}

/**
 * Make every source ready to read: check the bytes the reader would pass over (a compressed file
 * read to its end, NUL bytes, blank lines), convert sheets to CSV in `scratch`, read and check the
 * headers. Throws an InputError for a file that cannot be read as a whole.
 */
export async function prepareDataset(db: Db, plans: InputPlan[], facts: Map<Source, CsvFacts | null>, scratch: () => string): Promise<PreparedInput[]> {
  const out: PreparedInput[] = [];
  // every .csv.gz is decompressed to its end at once, side by side (zlib works off the main thread)
  const pending = new Map<Source, Promise<CsvFacts>>();
  for (const src of plans.flatMap((p) => p.sources)) {
    if (src.format !== 'csv.gz' || src.bytes === 0 || facts.get(src)) continue;
    const scan = scanCompressed(src);
    scan.catch(() => {}); // observed now, awaited in source order below
    pending.set(src, scan);
  }
  for (const plan of plans) {
    const sources: PreparedSource[] = [];
    for (const [i, src] of plan.sources.entries()) {
      const known = facts.get(src) ?? (pending.has(src) ? await pending.get(src)! : null);
      sources.push(await prepareSource(db, plan, src, known, () => path.join(scratch(), `${plan.def.name}-${i}.csv`)));
    }
    const labels = plan.sources.map((s) => s.label);
    out.push({
      def: plan.def,
      rules: plan.rules,
      sources,
      label: labels.length === 1 ? labels[0]! : labels.length <= 3 ? labels.join(', ') : `${labels[0]} and ${labels.length - 1} more files`,
    });
  }
  return out;
}

async function prepareSource(db: Db, plan: InputPlan, src: Source, known: CsvFacts | null, sheetCsv: () => string): Promise<PreparedSource> {
  const partitions = src.partitions.map(([k]) => k);
  if (src.bytes === 0) throw new InputError(`${where(src)}: the file is empty (not even a header row); export it again with its header row`);
  if (src.format === 'parquet') {
    let described: { column_name: string; column_type: string }[];
    try {
      described = await db.all(`DESCRIBE SELECT * FROM read_parquet(${literal(src.path)})`);
    } catch (e) {
      throw new InputError(`${src.path}: cannot read the file as Parquet (${shown(firstLine(e))}); check the file`);
    }
    const header = [...described.map((d) => d.column_name), ...partitions];
    checkHeader(plan, src, header);
    return { src, header, types: new Map(described.map((d) => [d.column_name, d.column_type])), path: src.path, format: 'parquet', delimiter: ',', lineColumn: null, blank: [] };
  }
  if (src.format === 'xlsx') {
    const out = sheetCsv();
    // loaded on use: the workbook reader takes seconds to import, and most folders hold no workbook
    const { sheetToCsv, SHEET_LINE_COLUMN } = await import('./xlsx.js');
    const sheet = await sheetToCsv(src.path, src.sheet, out);
    src.sheet = sheet.sheet;
    src.label = `${src.file} (sheet ${sheet.sheet})`;
    const header = [...sheet.header, ...partitions];
    checkHeader(plan, src, header);
    return { src, header: sheet.header, types: new Map(), path: out, format: 'csv', delimiter: ',', lineColumn: SHEET_LINE_COLUMN, blank: [] };
  }
  // CSV: the header first (empty, UTF-16 and CR-only files have their own messages), then what
  // the byte scan found (a .csv.gz is decompressed to its end here: a truncated one is refused)
  const header = splitHeader(await readCsvHeader(src), src.delimiter);
  const facts = known;
  let blank: number[] = [];
  if (facts && (facts.nulAt !== null || facts.blankLines)) {
    const lines = await lineFacts(src, facts.nulAt);
    if (facts.nulAt !== null) {
      throw new InputError(`${where(src)}: line ${lines.lineOfOffset ?? '?'}: a NUL byte (\\x00) inside the text; the file is damaged or not a text file: remove it or export the file again`);
    }
    blank = lines.blank;
  }
  checkHeader(plan, src, [...header, ...partitions]);
  return { src, header, types: new Map(), path: src.path, format: 'csv', delimiter: src.delimiter, lineColumn: null, blank };
}

/** How rejects name an engine column: `person_id`, or `person_id (CRN)` when mapped from another header. */
export function columnLabel(input: PreparedInput, c: ColumnDef): string {
  const s = input.rules?.columns[c.name];
  return s !== undefined && s !== c.name ? `${c.name} (${s})` : c.name;
}

/**
 * One source as rows of engine columns, all text, in file order: renames, missing-value tokens,
 * value maps, true/false tokens and date formats applied in the scan (`params` receives the bound
 * lists). Without a mapping exactly the section-1 reading: each column cast to text.
 */
export function sourceSelect(input: PreparedInput, p: PreparedSource, rejectsTable: string, params: Params): string {
  const rules = input.rules;
  const present = new Set(p.header);
  const parts = new Map(p.src.partitions);
  const text = (c: ColumnDef): string => {
    const name = rules ? rules.columns[c.name]! : c.name;
    if (parts.has(name)) {
      params[`part_${c.name}`] = [parts.get(name)!];
      return `$part_${c.name}[1]`;
    }
    if (!present.has(name)) return 'CAST(NULL AS VARCHAR)';
    const v = ident(name);
    const type = p.types.get(name);
    // a Parquet DOUBLE as its exact decimal (rounded to 12 places), never 1e-05
    if ((type === 'DOUBLE' || type === 'FLOAT') && (c.type.kind === 'decimal01' || c.type.kind === 'decimal')) {
      return `coalesce(rtrim(rtrim(CAST(TRY_CAST(${v} AS DECIMAL(18,12)) AS VARCHAR), '0'), '.'), CAST(${v} AS VARCHAR))`;
    }
    return `CAST(${v} AS VARCHAR)`;
  };
  const line = p.lineColumn ? `, CAST(${ident(p.lineColumn)} AS BIGINT) AS _sline` : '';
  const reader = sourceReader(p, rejectsTable);
  if (!rules) return `SELECT ${input.def.columns.map((c) => `${text(c)} AS ${ident(c.name)}`).join(', ')}${line} FROM ${reader}`;
  // first the tokens and maps of every column, then the kind's reading (booleans, dates)
  if (rules.missingValues.length > 0) params.missing = rules.missingValues;
  const first = input.def.columns.map((c) => {
    let v = text(c);
    if (rules.missingValues.length > 0) v = `CASE WHEN list_contains($missing, ${v}) THEN NULL ELSE ${v} END`;
    const map = rules.values[c.name];
    if (map && Object.keys(map).length > 0) {
      params[`from_${c.name}`] = Object.keys(map);
      params[`to_${c.name}`] = Object.values(map);
      v = `coalesce(list_extract($to_${c.name}, list_position($from_${c.name}, ${v})), ${v})`;
    }
    return `${v} AS ${ident(c.name)}`;
  });
  const second = input.def.columns.map((c) => {
    const v = ident(c.name);
    if (c.type.kind === 'boolean' && (rules.trueValues.length > 0 || rules.falseValues.length > 0)) {
      params.true_values = rules.trueValues;
      params.false_values = rules.falseValues;
      return `CASE WHEN list_contains($true_values, ${v}) THEN 'true' WHEN list_contains($false_values, ${v}) THEN 'false' ELSE ${v} END AS ${v}`;
    }
    if (c.type.kind === 'date' && rules.dateFormats) {
      params.date_formats = rules.dateFormats;
      return `pbr_map_date(${v}, $date_formats) AS ${v}`;
    }
    return v;
  });
  return `SELECT ${second.join(', ')}${p.lineColumn ? ', _sline' : ''} FROM (SELECT ${first.join(', ')}${line} FROM ${reader})`;
}

/** The per-value check of one column, as a SQL expression giving NULL or a reason. */
export function checkExpr(c: ColumnDef, params: Params, rules: InputRules | null = null): string {
  const v = ident(c.name);
  const missing = c.required ? `WHEN ${v} IS NULL THEN 'missing required value'` : '';
  let bad: string;
  switch (c.type.kind) {
    case 'text':
      if (c.area) {
        params.max_area = MAX_AREA_CODE;
        bad = `pbr_bad_area(${v}, $max_area)`;
      } else bad = `pbr_bad_text(${v})`;
      break;
    case 'date':
      if (rules?.dateFormats) {
        params.date_formats = rules.dateFormats;
        bad = `pbr_bad_date_in(${v}, $date_formats)`;
      } else bad = `pbr_bad_date(${v})`;
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

const rawTable = (def: FileDef) => `raw_${def.name}`;
const rowsTable = (def: FileDef, i: number) => `rows_${def.name}_${i}`;
const rejTable = (def: FileDef, i: number) => `rej_${def.name}_${i}`;

/**
 * Read every source of an input as text into rows_<name>_<i>, and make the view raw_<name>:
 * `_file` (the source's label), `_src` (its position), `_line`, then the engine columns.
 */
async function readRaw(db: Db, input: PreparedInput): Promise<void> {
  const views: string[] = [];
  for (const [i, p] of input.sources.entries()) {
    const rows = ident(rowsTable(input.def, i));
    const rej = ident(rejTable(input.def, i));
    const params: Params = {};
    const select = sourceSelect(input, p, rejTable(input.def, i), params);
    await db.run(`CREATE OR REPLACE TABLE ${rows} AS ${select}`, params).catch((e) => Promise.reject(readError(p.src, e)));
    if (p.format === 'parquet') {
      await db.run(`CREATE OR REPLACE TABLE ${rej} (line BIGINT, column_name VARCHAR, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)`);
    }
    const cols = input.def.columns.map((c) => `r.${ident(c.name)}`).join(', ');
    const head = `SELECT ${literal(p.src.label)} AS _file, ${i} AS _src`;
    if (p.lineColumn) {
      views.push(`${head}, r._sline AS _line, ${cols} FROM ${rows} r`);
      continue;
    }
    // Line numbers count records with the header as line 1. Lines the reader refused or skipped
    // (blank lines) take their numbers out of the sequence: with g_j = L_j - 1 - j for the j-th
    // such line L_j, the row of rowid k is on line k + 2 + (the largest j with g_j <= k).
    const skipped = ident(`skipped_${input.def.name}_${i}`);
    await db.run(
      `CREATE OR REPLACE TABLE ${skipped} AS
       SELECT DISTINCT line FROM (SELECT line FROM ${rej} UNION ALL SELECT CAST(unnest($blank) AS BIGINT) AS line)`,
      { blank: p.blank.map(String) },
    );
    if (Number(await db.scalar(`SELECT count(*) FROM ${skipped}`)) === 0) {
      views.push(`${head}, r.rowid + 2 AS _line, ${cols} FROM ${rows} r`);
      continue;
    }
    const gaps = ident(`gaps_${input.def.name}_${i}`);
    const lines = ident(`lines_${input.def.name}_${i}`);
    await db.run(
      `CREATE OR REPLACE TABLE ${gaps} AS
       SELECT line - 1 - j AS g, max(j) AS j
       FROM (SELECT line, row_number() OVER (ORDER BY line) AS j FROM ${skipped})
       GROUP BY ALL`,
    );
    await db.run(
      `CREATE OR REPLACE TABLE ${lines} AS
       SELECT r.rowid AS k, r.rowid + 2 + coalesce(gp.j, 0) AS _line FROM ${rows} r ASOF LEFT JOIN ${gaps} gp ON r.rowid >= gp.g`,
    );
    views.push(`${head}, l._line, ${cols} FROM ${rows} r JOIN ${lines} l ON l.k = r.rowid`);
  }
  await db.run(`CREATE OR REPLACE VIEW ${ident(rawTable(input.def))} AS ${views.join('\nUNION ALL ')}`);
}

async function checkInput(db: Db, input: PreparedInput, contract: Contract): Promise<void> {
  const def = input.def;
  const raw = ident(rawTable(def));
  const labelOf = (name: string) => columnLabel(input, def.columns.find((c) => c.name === name)!);
  // 1. What the CSV reader itself refused (wrong column count, bad encoding, bad quoting); the
  //    reader names the source's column, shown beside the engine's.
  const headers = def.columns.map((c) => input.rules?.columns[c.name] ?? c.name);
  for (const [i, p] of input.sources.entries()) {
    await db.run(
      `INSERT INTO rejects SELECT $file, line, coalesce(list_extract($labels, list_position($headers, column_name)), column_name, '(row)'), pbr_shown(csv_line, 200),
         lower(error_type) || ': ' || pbr_shown(split_part(error_message, chr(10), 1), 200)
       FROM ${ident(rejTable(def, i))}`,
      { file: p.src.label, labels: def.columns.map((c) => columnLabel(input, c)), headers },
    );
  }
  // 2. Per-value rules: missing required values, markers, types, enumerations, ranges, dates 1900-2100.
  const params: Params = {};
  const entries = def.columns
    .map((c, i) => {
      params[`col_${i}`] = columnLabel(input, c);
      return `{'c': $col_${i}, 'v': ${ident(c.name)}, 'r': ${checkExpr(c, params, input.rules)}}`;
    })
    .join(',\n ');
  await db.run(
    `INSERT INTO rejects
     SELECT _file, _line, e.c, pbr_shown(e.v, 200), e.r FROM (
       SELECT _file, _line, unnest(list_filter([${entries}], x -> x.r IS NOT NULL)) AS e FROM ${raw}
     )`,
    params,
  );
  // 3. Uniqueness (across every source of the input).
  const several = input.sources.length > 1;
  for (const c of def.columns.filter((c) => c.unique)) {
    const v = ident(c.name);
    await db.run(
      `INSERT INTO rejects
       SELECT _file, _line, $col, pbr_shown(${v}, 200),
              'duplicate ' || $name || ': ' || n || ' rows share it (first on line ' || first_line || CASE WHEN $several THEN ' of ' || first_file ELSE '' END || ')'
       FROM (SELECT _file, _line, ${v}, count(*) OVER (PARTITION BY ${v}) AS n,
                    first_value(_line) OVER w AS first_line, first_value(_file) OVER w AS first_file
             FROM ${raw} WHERE ${v} IS NOT NULL WINDOW w AS (PARTITION BY ${v} ORDER BY _src, _line))
       WHERE n > 1`,
      { col: labelOf(c.name), name: c.name, several },
    );
  }
  // 4. Areas outside the contract's list.
  if (contract.areas) {
    for (const c of def.columns.filter((c) => c.area)) {
      const v = ident(c.name);
      await db.run(
        `INSERT INTO rejects SELECT _file, _line, $col, pbr_shown(${v}, 200), 'area ''' || pbr_shown(${v}, 60) || ''' is not in the contract''s areas'
         FROM ${raw} WHERE ${v} IS NOT NULL AND pbr_bad_area(${v}, $max_area) IS NULL AND ${v} NOT IN (SELECT cpa FROM areas)`,
        { col: labelOf(c.name), max_area: MAX_AREA_CODE },
      );
    }
  }
  // 5. Rules within a row, and between rows of small files.
  if (def.name === 'reconvictions') await db.exec('validate_reconviction_dates', { col: labelOf('disposal_date') });
  if (def.name === 'baselines') await db.exec('validate_baselines', { col: labelOf('cpa'), check_areas: contract.areas !== null });
  if (def.name === 'thresholds') {
    await db.exec('validate_thresholds', { period_col: labelOf('period'), upper_col: labelOf('upper'), cpa_col: labelOf('cpa'), kinds: periodKinds(contract) });
  }
}

async function checkReferences(db: Db, input: PreparedInput, cohort: PreparedInput): Promise<void> {
  for (const c of input.def.columns.filter((c) => c.referencesCohort)) {
    await db.run(`CREATE OR REPLACE TEMP VIEW _ref AS SELECT _file, _line, ${ident(c.name)} AS person_id FROM ${ident(rawTable(input.def))}`);
    await db.exec('validate_person_reference', { cohort_file: cohort.label, col: columnLabel(input, c) });
    await db.run(`DROP VIEW _ref`);
  }
}

/** The typed table of an input (docs/internals.md): its name, but baselines_input for baselines. */
export function typedTable(def: FileDef): string {
  return def.name === 'baselines' ? 'baselines_input' : def.name;
}

/** The typed table of an input: its valid rows cast (or an empty table when it has no file). */
export async function buildTyped(db: Db, def: FileDef, input: PreparedInput | null): Promise<void> {
  const cols = def.columns.map((c) => castExpr(c)).join(', ');
  const target = typedTable(def);
  await db.dropRelation(target); // the fast path's view of the same name, if it ran before
  if (input === null) {
    const empty = def.columns.map((c) => `CAST(NULL AS ${SQL_TYPE[c.type.kind]}) AS ${ident(c.name)}`).join(', ');
    await db.run(`CREATE OR REPLACE TABLE ${ident(target)} AS SELECT ${empty}, CAST(NULL AS BIGINT) AS _line LIMIT 0`);
    return;
  }
  const files = input.sources.map((p) => p.src.label);
  const rejected = Number(await db.scalar(`SELECT count(*) FROM rejects WHERE list_contains($files, file)`, { files }));
  if (rejected === 0 || files.length === 1) {
    // The view yields rows in file order and the table keeps it: no sort needed.
    await db.run(
      `CREATE OR REPLACE TABLE ${ident(target)} AS
       SELECT ${cols}, _line FROM ${ident(rawTable(def))}
       ${rejected > 0 ? 'WHERE _line NOT IN (SELECT line FROM rejects WHERE file = $file)' : ''}`,
      rejected > 0 ? { file: files[0]! } : {},
    );
    return;
  }
  await db.run(
    `CREATE OR REPLACE TABLE ${ident(target)} AS
     SELECT ${cols}, _line FROM ${ident(rawTable(def))} r
     ANTI JOIN (SELECT DISTINCT file, line FROM rejects WHERE list_contains($files, file)) x ON x.file = r._file AND x.line = r._line
     ORDER BY r._src, r._line`,
    { files },
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
  /** The mapping file, read and checked by `loadMapping` (src/mapping/load.ts); absent: the folder is read as the input formats of the README says. */
  mapping?: LoadedMapping | null;
  /** A private folder for converted sheets (default: a new folder in the system's temporary folder, removed afterwards). */
  scratchDir?: string;
  /** The dataset as hashDataset found and hashed it (else loadDataset does it). */
  hashed?: HashedDataset;
  /** Whether to store a cache entry of the validated tables, given its key (default: always; the pipeline stores one only for inputs an earlier run read). */
  storeLoad?: (loadKey: string) => boolean;
}

/** The source files of a dataset (the input formats of the README, or as the mapping says), each hashed once. */
export interface HashedDataset {
  mapping: LoadedMapping | null;
  plans: ReturnType<typeof planDataset>;
  /** sha256 of each source, by its file name. */
  hashes: Map<string, string>;
  /** What the byte scan of a plain CSV found while it was hashed. */
  facts: Map<Source, CsvFacts | null>;
  /** Every source as [file (with #sheet), sha256], in input order: what the cache keys name. */
  inputs: [string, string][];
}

/** Find the dataset's source files and hash them (the first step of loadDataset, apart so that a run can look up its cache first). */
export async function hashDataset(dataDir: string, mapping: LoadedMapping | null): Promise<HashedDataset> {
  const plans = planDataset(dataDir, mapping);
  const sources = plans.flatMap((p) => p.sources);
  const hashes = new Map<string, string>();
  const facts = new Map<Source, CsvFacts | null>();
  await Promise.all(
    sources.map(async (s) => {
      const h = await hashSource(s);
      hashes.set(s.file, h.sha256);
      facts.set(s, h.facts);
    }),
  );
  const inputs = sources.map((s): [string, string] => [s.sheet === null ? s.file : `${s.file}#${s.sheet}`, hashes.get(s.file)!]);
  return { mapping, plans, hashes, facts, inputs };
}

export async function loadDataset(db: Db, dataDir: string, contract: Contract, opts: LoadOptions = {}): Promise<LoadResult> {
  await db.execMacros('validate_macros');
  const mapping = opts.mapping ?? null;
  let t = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    if (opts.timings) opts.timings[step] = Math.round(now - t) / 1000;
    t = now;
  };
  const hashed = opts.hashed ?? (await hashDataset(dataDir, mapping));
  const { plans, hashes, facts } = hashed;
  const sources = plans.flatMap((p) => p.sources);
  if (!opts.hashed) lap('hash');
  const applied = mapping ? { file: mapping.file, sha256: mapping.sha256 } : null;
  const root = opts.cache === false ? null : cacheRoot();
  const key = cacheKey(
    hashed.inputs.map(([file, sha256]) => ({ file, sha256 })),
    contract,
    mapping ? { sha256: mapping.sha256, resolved: mapping.mapping } : null,
  );
  if (root) {
    const hit = await restore<Omit<LoadResult, 'inputs'> & { inputs: Omit<InputSummary, 'path'>[] }>(db, root, key);
    lap('cache_restore');
    if (hit) {
      const paths = new Map(sources.map((s) => [s.file, s.path] as const));
      return { ...hit, mapping: applied, cacheKey: key, inputs: hit.inputs.map((i) => ({ ...i, path: paths.get(i.file)! })) };
    }
  }
  let scratch: string | null = null;
  const scratchDir = () => {
    if (scratch === null) {
      const base = opts.scratchDir ?? os.tmpdir();
      mkdirSync(base, { recursive: true, mode: 0o700 });
      scratch = mkdtempSync(path.join(base, 'pbr-sheets-')); // mode 700: converted sheets hold person-level rows
    }
    return scratch;
  };
  let result: LoadResult;
  try {
    const prepared = await prepareDataset(db, plans, facts, scratchDir);
    // Clean data (the usual case) is proven clean in one scan per file; anything that would be
    // rejected sends the whole dataset through the full check, which reports every row.
    result = (await tryFastLoad(db, prepared, contract, hashes)) ?? (await loadAndValidate(db, prepared, contract, hashes));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  result.mapping = applied;
  lap('load_check');
  if (root && (opts.storeLoad?.(key) ?? true)) {
    const meta = { ...result, inputs: result.inputs.map(({ path: _p, ...rest }) => rest) };
    if (opts.deferStore) opts.deferStore((d) => store(d, root, key, meta));
    else {
      await store(db, root, key, meta);
      lap('cache_store');
    }
  }
  return { ...result, cacheKey: key };
}

/** The summary entry of one source (validation.json `files`, the manifest's `inputs`). */
export function sourceSummary(input: PreparedInput, p: PreparedSource, sha256: string, read: number, rejected: number): InputSummary {
  return {
    name: input.def.name,
    file: p.src.file,
    ...(p.src.sheet !== null ? { sheet: p.src.sheet } : {}),
    path: p.src.path,
    sha256,
    bytes: p.src.bytes,
    rows_read: read,
    rows_used: read - rejected,
    rows_rejected: rejected,
  };
}

export async function loadAndValidate(db: Db, prepared: PreparedInput[], contract: Contract, hashes: Map<string, string>): Promise<LoadResult> {
  await db.run(`CREATE OR REPLACE TABLE rejects (file VARCHAR, line BIGINT, "column" VARCHAR, value VARCHAR, reason VARCHAR)`);
  await buildAreas(db, contract);
  const cohort = prepared.find((x) => x.def.name === 'cohort')!;
  const inputs: InputSummary[] = [];
  for (const input of prepared) {
    const def = input.def;
    if (input.sources.length === 0) {
      await buildTyped(db, def, null);
      continue;
    }
    await readRaw(db, input);
    await checkInput(db, input, contract);
    if (def.name !== 'cohort') await checkReferences(db, input, cohort);
    await buildTyped(db, def, input);
    if (def.name === 'starts') await fillAreasFromStarts(db, contract);
    for (const [i, p] of input.sources.entries()) {
      const [counts] = await db.all<{ accepted: number; reader_rejected: number; rejected: number }>(
        `SELECT (SELECT count(*) FROM ${ident(rowsTable(def, i))})::INTEGER AS accepted,
                (SELECT count(DISTINCT line) FROM ${ident(rejTable(def, i))})::INTEGER AS reader_rejected,
                (SELECT count(DISTINCT line) FROM rejects WHERE file = $file)::INTEGER AS rejected`,
        { file: p.src.label },
      );
      inputs.push(sourceSummary(input, p, hashes.get(p.src.file)!, counts!.accepted + counts!.reader_rejected, counts!.rejected));
    }
  }
  for (const input of prepared) {
    await db.run(`DROP VIEW IF EXISTS ${ident(rawTable(input.def))}`);
    for (const i of input.sources.keys()) {
      for (const t of ['rows', 'rej', 'skipped', 'gaps', 'lines']) await db.run(`DROP TABLE IF EXISTS ${ident(`${t}_${input.def.name}_${i}`)}`);
      await db.run(`DROP TABLE IF EXISTS ${ident(`${rejTable(input.def, i)}_scan`)}`);
    }
  }
  const [tot] = await db.all<{ n: number; rows: number }>(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT (file, line))::INTEGER AS rows FROM rejects`,
  );
  return {
    inputs,
    rejectCount: tot!.n,
    rejectedRows: tot!.rows,
    hasBaselinesFile: prepared.some((x) => x.def.name === 'baselines' && x.sources.length > 0),
    mapping: null,
  };
}

export type { RejectRow } from '../core/validationReport.js';
