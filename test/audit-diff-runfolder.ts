// Hand-made run folders for the tests of pbr diff / reconcile / check (formats.md section 4):
// measures.csv, payments.csv and manifest.json written as text, offender_outcomes.parquet through
// DuckDB COPY from a SELECT over VALUES. Only the files these commands read are written.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../src/db/duckdb.js';
import { MEASURE_COLUMNS, MEASURE_V2_COLUMNS } from '../src/audit/diffRunFiles.js';

export type Row = Record<string, string | number | null>;

export function tmpDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `pbr-audit-${tag}-`));
}

const csvCell = (v: string | number | null | undefined) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The columns of measures.csv: v1's 24, and with `v2` the 5 appended. */
export function measureColumns(v2 = false): string[] {
  return [...MEASURE_COLUMNS.map((c) => c[0]), ...(v2 ? MEASURE_V2_COLUMNS : [])];
}

/** A measures.csv row: every column empty unless given. */
export function measureRow(r: Row, v2 = false): Row {
  return Object.fromEntries(measureColumns(v2).map((c) => [c, r[c] ?? null]));
}

export function csvText(columns: string[], rows: Row[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

export interface ManifestSpec {
  contract?: Record<string, unknown>;
  contractSha?: string;
  asOf?: string;
  inputs?: { file: string; sha256: string }[];
  /** The mapping file of a mapped run, as the manifest records it. */
  mapping?: { file: string; sha256: string };
}

export function writeRun(dir: string, spec: { measures: Row[]; payments: Row[]; manifest?: ManifestSpec; v2?: boolean }): string {
  mkdirSync(dir, { recursive: true });
  const v2 = spec.v2 ?? false;
  writeFileSync(path.join(dir, 'measures.csv'), csvText(measureColumns(v2), spec.measures.map((r) => measureRow(r, v2))));
  writeFileSync(path.join(dir, 'payments.csv'), csvText(['area', 'period', 'component', 'basis', 'amount', 'rule'], spec.payments));
  const m = spec.manifest ?? {};
  const manifest = {
    manifest_version: 1,
    engine: { name: 'pbr-engine', version: '0.1.0' },
    duckdb: Db.version,
    contract: { name: 'test', sha256: m.contractSha ?? 'c'.repeat(64), resolved: m.contract ?? { contract: 'test' } },
    as_of: m.asOf ?? '2025-10-31',
    inputs: (m.inputs ?? [{ file: 'cohort.csv', sha256: '1'.repeat(64) }, { file: 'starts.csv', sha256: '2'.repeat(64) }, { file: 'reconvictions.csv', sha256: '3'.repeat(64) }]).map(
      (i) => ({ ...i, bytes: 1, rows_read: 1, rows_used: 1, rows_rejected: 0 }),
    ),
    rejected_rows: 0,
    ...(m.mapping ? { mapping: m.mapping } : {}),
    queries: {},
    outputs: {},
  };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/**
 * offender_outcomes.parquet from SQL rows: `rows` is the text of a VALUES list with the columns
 * (period, period_start, area, person_id, index_start_id, index_date, is_cohort, measurable,
 * not_measurable_reason, reoffender, reoffences, offences).
 */
export async function writeOutcomes(dir: string, values: string): Promise<void> {
  const db = await Db.open();
  try {
    await db.run(
      `COPY (SELECT 'CRC' AS population, period, CAST(period_start AS DATE) AS period_start, is_cohort,
                    NOT is_cohort AS is_baseline, area, person_id, index_start_id,
                    CAST(index_date AS DATE) AS index_date, measurable, not_measurable_reason,
                    reoffender, CAST(reoffences AS BIGINT) AS reoffences,
                    CAST(reoffences AS BIGINT) AS reconviction_events,
                    CAST(offences AS STRUCT(offence_id VARCHAR, offence_date DATE, disposal_date DATE, disposal_type VARCHAR,
                         court_event_id VARCHAR, breach BOOLEAN, counted BOOLEAN, reason VARCHAR)[]) AS offences
             FROM (VALUES ${values}) v(period, period_start, area, person_id, index_start_id, index_date, is_cohort,
                                        measurable, not_measurable_reason, reoffender, reoffences, offences)
             ORDER BY period_start, area, person_id)
       TO ${literal(path.join(dir, 'offender_outcomes.parquet'))} (FORMAT parquet)`,
    );
  } finally {
    db.close();
  }
}
