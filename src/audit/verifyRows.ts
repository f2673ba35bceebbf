import { Db, ident, literal } from '../db/duckdb.js';

/**
 * The rows of a CSV output that differ between a run and its recomputation (pbr verify), paired
 * on the file's key columns: measures.csv by population, area and period; payments.csv and the
 * statement CSVs by area, period and component; breakdowns.csv by population, area, period,
 * dimension and band; volumes.csv by start and contract year. Rows sharing a key pair up in line
 * order. Any other CSV (or one whose header lacks its key) pairs rows by position.
 */

/** How many differing rows are listed; the rest are counted. */
export const ROW_LIMIT = 20;

export interface RowDifference {
  /** The row's key columns and values ([] when rows pair by position). */
  key: { column: string; value: string }[];
  /** The line in the run's file / the recomputation's (null: no such row there). */
  line_run: number | null;
  line_recomputed: number | null;
  /** The first 3 fields that differ, in column order. */
  values: { column: string; run: string; recomputed: string }[];
  /** How many further fields of the row differ. */
  more_values: number;
}

export interface CsvDifferences {
  /** The key columns rows pair on ([]: by position). */
  key_columns: string[];
  /** Set when the two files cannot be compared row by row (their headers differ, or one does not parse). */
  header: string | null;
  /** How many rows differ in all. */
  total: number;
  /** The first ROW_LIMIT of them, by line. */
  rows: RowDifference[];
}

export function keyColumnsFor(file: string): string[] {
  const base = file.split('/').pop()!;
  if (file === 'measures.csv') return ['population', 'area', 'period'];
  if (file === 'payments.csv') return ['area', 'period', 'component'];
  if (file === 'breakdowns.csv') return ['population', 'area', 'period', 'dimension', 'band'];
  if (file === 'volumes.csv') return ['start_id', 'contract_year'];
  if (file.startsWith('statements/') && base.endsWith('.csv')) return ['area', 'period', 'component'];
  return [];
}

async function load(db: Db, table: string, file: string): Promise<string[]> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(`${table}_raw`)} AS
     SELECT row_number() OVER () + 1 AS _line, coalesce(COLUMNS(*), '')
     FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
  );
  const cols = await db.all<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${ident(`${table}_raw`)})`);
  return cols.map((c) => c.column_name).filter((c) => c !== '_line');
}

/** Compare the run's CSV file with the recomputation's; `name` is its path in the run folder. */
export async function csvRowDifferences(runFile: string, recomputedFile: string, name: string): Promise<CsvDifferences> {
  const db = await Db.open({ threads: 1 });
  try {
    let a: string[];
    let b: string[];
    try {
      a = await load(db, 'vfy_a', runFile);
      b = await load(db, 'vfy_b', recomputedFile);
    } catch (e) {
      return { key_columns: [], header: `cannot be compared row by row (${(e as Error).message.split('\n')[0]})`, total: 0, rows: [] };
    }
    if (a.join(',') !== b.join(',')) {
      return { key_columns: [], header: `the columns differ: run ${a.join(',')}; recomputed ${b.join(',')}`, total: 0, rows: [] };
    }
    const wanted = keyColumnsFor(name);
    const keys = wanted.every((k) => a.includes(k)) ? wanted : [];
    for (const t of ['vfy_a', 'vfy_b']) {
      const keyList = keys.length > 0 ? `[${keys.map(ident).join(', ')}]::VARCHAR[]` : `[]::VARCHAR[]`;
      const k = keys.length > 0 ? `row_number() OVER (PARTITION BY ${keys.map(ident).join(', ')} ORDER BY _line)` : '_line';
      await db.run(`CREATE OR REPLACE TEMP TABLE ${ident(t)} AS SELECT _line, ${keyList} AS _key, ${k} AS _k, COLUMNS(* EXCLUDE (_line)) FROM ${ident(`${t}_raw`)}`);
    }
    await db.run(`CREATE OR REPLACE TEMP TABLE vfy_cols AS SELECT unnest($cols::VARCHAR[]) AS name, generate_subscripts($cols::VARCHAR[], 1) AS ord`, { cols: a });
    const rows = await db.allNamed<{
      key: string[];
      line_run: string | number | null;
      line_recomputed: string | number | null;
      values: { column: string; run: string; recomputed: string }[];
      more_values: string | number;
      total: string | number;
    }>('audit_verify_rows', { limit: ROW_LIMIT });
    const n = (v: string | number | null) => (v === null ? null : Number(v));
    return {
      key_columns: keys,
      header: null,
      total: rows.length > 0 ? Number(rows[0]!.total) : 0,
      rows: rows.map((r) => ({
        key: keys.map((column, i) => ({ column, value: r.key[i] ?? '' })),
        line_run: n(r.line_run),
        line_recomputed: n(r.line_recomputed),
        values: r.values,
        more_values: Number(r.more_values),
      })),
    };
  } finally {
    db.close();
  }
}
