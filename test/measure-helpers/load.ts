/**
 * Test helpers for the measurement engine: load a dataset folder (or inline rows) into the typed
 * tables of docs/internals.md with explicit column types, build a RunContext by hand, run
 * `measure`, and read results back as plain JS values.
 */
import { mkdtempSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, literal } from '../../src/db/duckdb.js';
import { doneWith, testDb } from '../helpers/db.js';
import { parseContract } from '../../src/contract/load.js';
import type { Contract } from '../../src/contract/schema.js';
import type { RunContext } from '../../src/core/context.js';
import { measure } from '../../src/measure/index.js';
import { FIXTURES_DIR } from '../../src/paths.js';

export const HAND_DIR = path.join(FIXTURES_DIR, 'hand');

const TYPES = {
  cohort: `{'person_id': 'VARCHAR', 'date_of_birth': 'DATE', 'sex': 'VARCHAR', 'pnc_matched': 'BOOLEAN', 'group': 'VARCHAR'}`,
  starts: `{'start_id': 'VARCHAR', 'person_id': 'VARCHAR', 'start_date': 'DATE', 'start_type': 'VARCHAR', 'sentence_length_days': 'INTEGER', 'cpa': 'VARCHAR', 'allocation': 'VARCHAR', 'em_only': 'BOOLEAN', 'ogrs': 'DECIMAL(18,12)'}`,
  reconvictions: `{'offence_id': 'VARCHAR', 'person_id': 'VARCHAR', 'offence_date': 'DATE', 'disposal_date': 'DATE', 'disposal_type': 'VARCHAR', 'court_event_id': 'VARCHAR', 'breach': 'BOOLEAN'}`,
  baselines: `{'cpa': 'VARCHAR', 'population': 'VARCHAR', 'baseline_measurable': 'BIGINT', 'baseline_binary_rate': 'DECIMAL(18,12)', 'baseline_expected_rate': 'DECIMAL(18,12)', 'baseline_frequency_rate': 'DECIMAL(18,12)'}`,
  thresholds: `{'cpa': 'VARCHAR', 'period': 'VARCHAR', 'lower': 'DECIMAL(18,12)', 'upper': 'DECIMAL(18,12)'}`,
};

function readCsv(file: string, types: string): string {
  return `read_csv(${literal(file)}, header = true, auto_detect = false, delim = ',', quote = '"', nullstr = '', columns = ${types})`;
}

/** Create cohort, starts, reconvictions, service_levels, baselines_input and areas from CSV files in dir. */
export async function loadCsvDir(db: Db, dir: string, contract: Contract): Promise<{ hasBaselinesFile: boolean }> {
  await db.run(
    `CREATE OR REPLACE TABLE cohort AS SELECT person_id, date_of_birth, sex, pnc_matched, coalesce("group", 'treatment') AS "group", CAST(row_number() OVER () + 1 AS BIGINT) AS _line FROM ${readCsv(path.join(dir, 'cohort.csv'), TYPES.cohort)}`,
  );
  await db.run(`CREATE OR REPLACE TABLE starts AS SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) AS _line FROM ${readCsv(path.join(dir, 'starts.csv'), TYPES.starts)}`);
  await db.run(
    `CREATE OR REPLACE TABLE reconvictions AS SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) AS _line FROM ${readCsv(path.join(dir, 'reconvictions.csv'), TYPES.reconvictions)}`,
  );
  await db.run(
    `CREATE OR REPLACE TABLE service_levels (cpa VARCHAR, month VARCHAR, measure VARCHAR, achieved DECIMAL(18,12), target DECIMAL(18,12), _line BIGINT)`,
  );
  const baselinesFile = path.join(dir, 'baselines.csv');
  const hasBaselinesFile = existsSync(baselinesFile);
  if (hasBaselinesFile) {
    await db.run(`CREATE OR REPLACE TABLE baselines_input AS SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) AS _line FROM ${readCsv(baselinesFile, TYPES.baselines)}`);
  } else {
    await db.run(
      `CREATE OR REPLACE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT)`,
    );
  }
  // thresholds.csv (method.md section 13), when the folder has one: the loader's typed table
  const thresholdsFile = path.join(dir, 'thresholds.csv');
  if (existsSync(thresholdsFile)) {
    await db.run(`CREATE OR REPLACE TABLE thresholds AS SELECT *, CAST(row_number() OVER () + 1 AS BIGINT) AS _line FROM ${readCsv(thresholdsFile, TYPES.thresholds)}`);
  }
  await db.run(`CREATE OR REPLACE TABLE areas (cpa VARCHAR, name VARCHAR, area_order INTEGER)`);
  if (contract.areas) {
    let i = 1;
    for (const [code, name] of Object.entries(contract.areas)) {
      await db.run(`INSERT INTO areas VALUES ($c, $n, $o::INTEGER)`, { c: code, n: name, o: i++ });
    }
  } else {
    await db.run(`INSERT INTO areas SELECT cpa, cpa, CAST(row_number() OVER (ORDER BY encode(cpa)) AS INTEGER) FROM (SELECT DISTINCT cpa FROM starts)`);
  }
  return { hasBaselinesFile };
}

export function readContract(file: string, overrides: (c: Record<string, unknown>) => void = () => {}): Contract {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  overrides(raw);
  return parseContract(raw, file);
}

export interface Measured {
  ctx: RunContext;
  db: Db;
  close: () => void;
}

/** Load dir, build the context by hand and run measure(ctx). */
export async function measureDir(dir: string, contract: Contract, outDir?: string): Promise<Measured> {
  const db = await testDb();
  const { hasBaselinesFile } = await loadCsvDir(db, dir, contract);
  const asOf =
    contract.follow_up.as_of ?? (await db.scalar<string>(`SELECT strftime(max(disposal_date), '%Y-%m-%d') FROM reconvictions`));
  const ctx: RunContext = {
    db,
    contract,
    contractSha256: 'test',
    asOf,
    hasBaselinesFile,
    outDir: outDir ?? os.tmpdir(),
    inputs: [],
    rejectedRows: 0,
    progress: () => {},
  };
  await measure(ctx);
  return { ctx, db, close: () => doneWith(db) };
}

// ---------------------------------------------------------------- inline datasets

export interface PersonRow { person_id: string; date_of_birth?: string; sex?: string; pnc_matched?: boolean; group?: string }
export interface StartRow {
  start_id: string; person_id: string; start_date: string; start_type?: string; sentence_length_days?: number;
  cpa?: string; allocation?: string; em_only?: boolean; ogrs?: string;
}
export interface OffenceRow {
  offence_id: string; person_id: string; offence_date: string; disposal_date: string; disposal_type?: string;
  court_event_id?: string; breach?: boolean;
}
export interface BaselineRow {
  cpa: string; population?: string; baseline_measurable: number; baseline_binary_rate: string;
  baseline_expected_rate: string; baseline_frequency_rate?: string;
}
export interface ThresholdRow { cpa: string; period: string; lower: string; upper: string }
export interface Inline {
  people: PersonRow[];
  starts: StartRow[];
  offences?: OffenceRow[];
  baselines?: BaselineRow[];
  /** Rows of thresholds.csv (significance.method fixed). */
  thresholds?: ThresholdRow[];
  /** Contract keys (the contract name is added). */
  contract?: Record<string, unknown>;
}

function csv(header: string[], rows: Record<string, unknown>[]): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => (r[h] === undefined || r[h] === null ? '' : String(r[h]))).join(','))].join('\n') + '\n';
}

/**
 * Measure a small inline dataset. Defaults: born 1980-01-01, sex M, PNC-matched, a CRC
 * community order of 365 days in area A1 with OGRS 0.5, offences CONVICTION, not breaches.
 * The contract defaults to method.md's, with a quarterly cohort from 2024-01-01 and as_of 2030-01-01.
 */
export async function measureInline(data: Inline): Promise<Measured> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-measure-'));
  try {
    writeFileSync(
      path.join(dir, 'cohort.csv'),
      csv(['person_id', 'date_of_birth', 'sex', 'pnc_matched', 'group'], data.people.map((p) => ({ date_of_birth: '1980-01-01', sex: 'M', pnc_matched: true, group: 'treatment', ...p }))),
    );
    writeFileSync(
      path.join(dir, 'starts.csv'),
      csv(
        ['start_id', 'person_id', 'start_date', 'start_type', 'sentence_length_days', 'cpa', 'allocation', 'em_only', 'ogrs'],
        data.starts.map((s) => ({ start_type: 'CO', sentence_length_days: 365, cpa: 'A1', allocation: 'CRC', em_only: false, ogrs: '0.5', ...s })),
      ),
    );
    writeFileSync(
      path.join(dir, 'reconvictions.csv'),
      csv(
        ['offence_id', 'person_id', 'offence_date', 'disposal_date', 'disposal_type', 'court_event_id', 'breach'],
        (data.offences ?? []).map((o) => ({ disposal_type: 'CONVICTION', breach: false, ...o })),
      ),
    );
    if (data.baselines) {
      writeFileSync(
        path.join(dir, 'baselines.csv'),
        csv(
          ['cpa', 'population', 'baseline_measurable', 'baseline_binary_rate', 'baseline_expected_rate', 'baseline_frequency_rate'],
          data.baselines.map((b) => ({ population: 'CRC', ...b })),
        ),
      );
    }
    if (data.thresholds) {
      writeFileSync(path.join(dir, 'thresholds.csv'), csv(['cpa', 'period', 'lower', 'upper'], data.thresholds as unknown as Record<string, unknown>[]));
    }
    const contract = parseContract({
      contract: 'inline',
      cohort: { period: 'quarter', from: '2024-01-01', to: null },
      follow_up: { as_of: '2030-01-01' },
      ...data.contract,
    });
    return await measureDir(dir, contract);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- reading results

/** Rows of a query as JS objects: integers as numbers, DOUBLE as numbers, DECIMAL and dates as strings. */
export async function rows(db: Db, sql: string, params: Record<string, string | number | boolean | null> = {}): Promise<Record<string, unknown>[]> {
  const reader = await db.conn.runAndReadAll(sql, params);
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.toString());
  return reader.getRowObjectsJson().map((r) => {
    const o: Record<string, unknown> = {};
    names.forEach((n, i) => {
      const v = r[n];
      o[n] = typeof v === 'string' && /^(BIGINT|HUGEINT|INTEGER|UBIGINT|SMALLINT)$/.test(types[i]!) ? Number(v) : v;
    });
    return o;
  });
}
