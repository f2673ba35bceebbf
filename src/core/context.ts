import type { Db } from '../db/duckdb.js';
import type { Contract } from '../contract/schema.js';
import type { Progress } from './progress.js';

/**
 * One source file of an input (without a mapping, each input has one: NAME.csv, .csv.gz or
 * .parquet). Listed per source in validation.json `files` and the manifest's `inputs`.
 */
export interface InputSummary {
  /** The input it feeds: cohort, starts, reconvictions, service_levels, baselines, thresholds. */
  name: string;
  /** Path inside the dataset folder ('/' separators), e.g. cohort.csv or events/2019.csv. */
  file: string;
  /** The worksheet read, for an .xlsx source. */
  sheet?: string;
  path: string;
  sha256: string;
  bytes: number;
  rows_read: number;
  rows_used: number;
  rows_rejected: number;
}

export interface RunContext {
  db: Db;
  contract: Contract;
  contractSha256: string;
  /** 'YYYY-MM-DD': the contract's as_of, --as-of, or the latest disposal_date. */
  asOf: string;
  hasBaselinesFile: boolean;
  /** The temporary output folder; renamed into place when the run succeeds. */
  outDir: string;
  inputs: InputSummary[];
  /** The mapping file the inputs were read through (docs/extracts.md), or null. */
  mapping?: { file: string; sha256: string } | null;
  /** Rejected rows were allowed (--allow-rejects) and there were some. */
  rejectedRows: number;
  /** false: neither read nor write the run cache (--no-cache); otherwise PBR_CACHE decides. */
  cache?: boolean;
  /** Report outputs asked for beyond the default (--png, --focus); recorded in the manifest. */
  report?: { png: boolean; focus: string | null };
  /** Progress lines; a terminal's progress also has stage/step bars (src/progress.ts). */
  progress: ((msg: string) => void) & Partial<Pick<Progress, 'stage' | 'step' | 'done'>>;
}
