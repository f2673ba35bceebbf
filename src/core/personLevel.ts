/**
 * Outputs of a run folder that hold person-level or start-level data (a person or start id on a
 * row). They are written readable by their owner only and are never part of what may be published
 * (statements/, report.html, measures.csv, payments.csv hold no person or start id).
 */
export const PERSON_LEVEL_OUTPUTS = [
  /** one row per person and period (measure stage) */
  'offender_outcomes.parquet',
  /** one row per person, period and listed offence (measure stage) */
  'offender_offences.parquet',
  /** rejected rows with their values (validation report) */
  'validation.json',
  /** every start of the extract: counted in the fee-for-service volume or why not (statements) */
  'volumes.csv',
] as const;

/** File mode of a person-level output: read and write for the owner only. */
export const PERSON_LEVEL_FILE_MODE = 0o600;
