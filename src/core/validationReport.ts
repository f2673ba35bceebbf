import { writeFileSync, appendFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Db, literal } from '../db/duckdb.js';
import { shown } from '../contract/load.js';
import type { InputSummary } from './context.js';
import type { ValidationFileJson } from './artifactSchemas.js';

export interface ValidationSummary {
  ok: boolean;
  /** Per source file: the input it feeds, rows read, used and rejected. */
  files: Omit<InputSummary, 'path'>[];
  rejected_rows: number;
  problems: number;
  /** The mapping file applied (docs/extracts.md), or null when the folder was read as section 1 says. */
  mapping: { file: string; sha256: string } | null;
  /**
   * significance.method fixed (method.md section 13): the area-periods with no row in the
   * thresholds file (their outcome is none); absent under any other method.
   */
  missing_thresholds?: { area: string; period: string }[];
}

export function summarise(inputs: InputSummary[], rejectedRows: number, problems: number, mapping: { file: string; sha256: string } | null = null): ValidationSummary {
  return {
    ok: rejectedRows === 0,
    files: inputs.map(({ path: _p, ...rest }) => rest),
    rejected_rows: rejectedRows,
    problems,
    mapping,
  };
}

/** How the terminal names a source file: its path in the folder, and the sheet of a workbook. */
export function sourceName(f: { file: string; sheet?: string }): string {
  return f.sheet !== undefined ? `${f.file} (sheet ${f.sheet})` : f.file;
}

// eslint-disable-next-line no-control-regex
const escapeControl = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * validation.json (published shape: ValidationSchema in src/core/artifactSchemas.ts,
 * schema/validation.schema.json): the summary and every rejected row (file, line, column, value, reason), in
 * report order. The list is written by DuckDB (COPY ... FORMAT json) so millions of rejects never
 * become JavaScript objects.
 */
export async function writeValidationJson(db: Db, file: string, summary: ValidationSummary): Promise<void> {
  const tmpList = `${file}.rejects.tmp`;
  await db.run(
    `COPY (SELECT file, line, "column", value, reason FROM rejects ${REJECT_ORDER}) TO ${literal(tmpList)} (FORMAT json, ARRAY true)`,
  );
  const head = JSON.stringify(summary satisfies Omit<ValidationFileJson, 'rejects'>, null, 2).replace(/\n}$/, ',\n  "rejects": ');
  writeFileSync(file, head);
  appendFileSync(file, readFileSync(tmpList, 'utf8').trimEnd());
  appendFileSync(file, '\n}\n');
  rmSync(tmpList, { force: true });
}

/** Lines for the terminal: per-file counts, the first few rejects, then where the rest are. */
export async function describeRejects(db: Db, summary: ValidationSummary, limit = 10, where?: string): Promise<string[]> {
  const lines: string[] = [];
  for (const f of summary.files) {
    lines.push(`${escapeControl(sourceName(f))}: ${f.rows_read} rows read, ${f.rows_used} used, ${f.rows_rejected} rejected`);
  }
  if (summary.rejected_rows === 0) return lines;
  const first: RejectRow[] = await firstRejects(db, limit);
  for (const r of first) {
    // values and reasons may hold any bytes of the input: never echo a control character raw
    lines.push(`  ${escapeControl(r.file)}: line ${r.line}, column ${escapeControl(r.column)}: ${escapeControl(r.reason)}${r.value !== null ? ` (value '${shown(r.value)}')` : ''}`);
  }
  if (summary.problems > first.length) {
    lines.push(`  ... and ${summary.problems - first.length} more problem(s)${where ? `: every one is in ${where}` : ''}`);
  }
  return lines;
}

export function validationPath(dir: string): string {
  return path.join(dir, 'validation.json');
}

export interface RejectRow {
  file: string;
  line: number;
  column: string;
  value: string | null;
  reason: string;
}

/** The first `limit` rejects in report order (file order, line, column). */
export async function firstRejects(db: Db, limit: number): Promise<RejectRow[]> {
  return db.all<RejectRow>(
    `SELECT file, line::INTEGER AS line, "column", value, reason FROM rejects ${REJECT_ORDER} LIMIT $limit`,
    { limit },
  );
}

export const REJECT_ORDER = `ORDER BY CASE split_part(file, '.', 1) WHEN 'cohort' THEN 1 WHEN 'starts' THEN 2 WHEN 'reconvictions' THEN 3 WHEN 'service_levels' THEN 4 WHEN 'baselines' THEN 5 WHEN 'thresholds' THEN 6 ELSE 7 END, file, line, "column", reason`;
