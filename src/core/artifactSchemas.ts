import { z } from 'zod';
import { ContractSchema } from '../contract/schema.js';
import { INPUT_FILES } from '../schema/inputs.js';
import { PERSON_LEVEL_OUTPUTS } from './personLevel.js';

/**
 * The published shapes of the two JSON files every run writes: manifest.json (src/core/manifest.ts)
 * and validation.json (src/core/validationReport.ts). `npm run docs` writes their JSON Schemas to
 * schema/manifest.schema.json and schema/validation.schema.json; test/docs.test.ts checks that a
 * real run's files parse with these schemas, so the published shape cannot drift from the writer.
 * Every object is strict: a key the writer adds must be described here first.
 */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256: 64 lower-case hex digits');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const count = z.number().int().nonnegative();
const inputName = z.enum(INPUT_FILES.map((f) => f.name) as [string, ...string[]]);

/** The mapping file a run or validation read its inputs through (docs/extracts.md). */
const MappingRecord = z
  .object({
    file: z.string().min(1).describe("The mapping file's name (without its folder, so that the record does not depend on where it was)."),
    sha256: sha256.describe("sha256 of the mapping file's bytes: a changed mapping is a changed input."),
  })
  .strict()
  .nullable()
  .describe('The mapping file (pbr run|validate --mapping) the inputs were read through; null when the data folder was read as it is, without a mapping.');

/** The per-source-file counts both files give, apart from the name of the input. */
const sourceFields = {
  file: z.string().min(1).describe("The source file's path inside the data folder, with '/' separators (cohort.csv, events/year=2024/part-0.csv)."),
  sheet: z.string().min(1).optional().describe('The worksheet read, for an .xlsx source only (absent otherwise).'),
  sha256: sha256.describe("sha256 of the source file's bytes."),
  bytes: count.describe('Size of the source file in bytes.'),
  rows_read: count.describe('Data rows read from the file (the header is not a row).'),
  rows_used: count.describe('Rows that passed every check and went into the calculation.'),
  rows_rejected: count.describe('Rows rejected (each listed in validation.json rejects); rows_used + rows_rejected = rows_read.'),
};

const ManifestInput = z
  .object({
    file: sourceFields.file,
    sheet: sourceFields.sheet,
    input: inputName.describe('The engine input the file feeds: cohort, starts, reconvictions, service_levels, baselines or thresholds. Several files may feed one input.'),
    sha256: sourceFields.sha256,
    bytes: sourceFields.bytes,
    rows_read: sourceFields.rows_read,
    rows_used: sourceFields.rows_used,
    rows_rejected: sourceFields.rows_rejected,
  })
  .strict()
  .describe('One source file read by the run.');

/** The version of manifest.json's shape; it changes only when a key changes meaning or goes. */
export const MANIFEST_VERSION = 1;

export const ManifestSchema = z
  .object({
    manifest_version: z
      .literal(MANIFEST_VERSION)
      .describe("Version of this file's shape. It changes when a key is removed or changes meaning, never for a new optional key."),
    engine: z
      .object({
        name: z.literal('pbr-engine').describe('Always pbr-engine.'),
        version: z.string().min(1).describe('Version of pbr-engine that made the run (package.json version).'),
      })
      .strict()
      .describe('The engine that made the run. pbr verify notes a different version before re-running.'),
    duckdb: z.string().min(1).describe('Version of DuckDB the run used (v1.5.6).'),
    contract: z
      .object({
        name: z.string().min(1).describe("The contract file's `contract` key."),
        sha256: sha256.describe("sha256 of the contract file's bytes, as read."),
        resolved: ContractSchema.describe(
          'The contract as the engine applied it: every key present, every default resolved (the contract file format of schema/contract.schema.json).',
        ),
      })
      .strict()
      .describe('The contract the run applied.'),
    as_of: isoDate.describe('The date results were known to: pbr run --as-of, else the contract\'s follow_up.as_of, else the latest disposal_date of the reconvictions extract.'),
    mapping: MappingRecord,
    inputs: z
      .array(ManifestInput)
      .describe('Every source file read, input by input (cohort, starts, reconvictions, then the optional inputs present).'),
    rejected_rows: count.describe('Input rows left out of the calculation: 0 unless the run was made with --allow-rejects.'),
    report: z
      .object({
        png: z.boolean().describe('charts/*.png were written (--png).'),
        focus: z.string().nullable().describe('The cohort period of the publication pack (--focus), or null.'),
      })
      .strict()
      .optional()
      .describe('Report outputs asked for beyond the default; absent for a run without --png or --focus.'),
    queries: z
      .record(z.string().regex(/^queries\/[a-z0-9_]+\.sql$/), sha256)
      .describe('sha256 of every query file the run executed, by path (queries/NAME.sql), sorted by path.'),
    outputs: z
      .record(z.string().min(1), sha256)
      .describe(
        'sha256 of every output file of the run folder, by path inside it, sorted by path; manifest.json, timings.json and locations.json are not listed (they describe the run and are not promised identical).',
      ),
    person_level: z
      .array(z.enum(PERSON_LEVEL_OUTPUTS))
      .describe('The outputs listed above that hold data about people (ids, or the values of rejected rows): readable by their owner only, never to be published.'),
  })
  .strict()
  .describe(
    "manifest.json of a pbr run folder: what was run (engine, contract, inputs, as_of) and the sha256 of every output, so that pbr verify can run it again and compare. It holds no clock time and no absolute path: two runs of the same inputs write the same manifest.",
  );

const ValidationFile = z
  .object({
    name: inputName.describe('The engine input the file feeds: cohort, starts, reconvictions, service_levels, baselines or thresholds.'),
    file: sourceFields.file,
    sheet: sourceFields.sheet,
    sha256: sourceFields.sha256,
    bytes: sourceFields.bytes,
    rows_read: sourceFields.rows_read,
    rows_used: sourceFields.rows_used,
    rows_rejected: sourceFields.rows_rejected,
  })
  .strict()
  .describe('One source file read, with its row counts.');

const Reject = z
  .object({
    file: z
      .string()
      .min(1)
      .describe("The source file the row is in: its path inside the data folder, followed by ' (sheet NAME)' for a workbook (offenders.xlsx (sheet Offenders))."),
    line: z.number().int().positive().describe("The row's line in its own source file; the header is line 1."),
    column: z
      .string()
      .min(1)
      .describe("The engine column at fault (with the source column beside it under a mapping), or '(row)' when the row cannot be read at all."),
    value: z.string().nullable().describe('The value found, cut to about 200 characters; null when it was missing.'),
    reason: z.string().min(1).describe('Why the row is rejected, in words.'),
  })
  .strict()
  .describe('One problem of a rejected row. A row with two problems is listed twice.');

export const ValidationSchema = z
  .object({
    ok: z.boolean().describe('True when no row was rejected.'),
    files: z.array(ValidationFile).describe('Every source file read, in the order read, with rows read, used and rejected.'),
    rejected_rows: count.describe('Rows rejected, each counted once however many problems it has.'),
    problems: count.describe('Entries of rejects: problems found, a row with two problems counting twice.'),
    mapping: MappingRecord,
    missing_thresholds: z
      .array(
        z
          .object({
            area: z.string().min(1).describe('Area code.'),
            period: z.string().min(1).describe('Period label (2019Q3, or an annual top-up period such as 2019-20).'),
          })
          .strict(),
      )
      .optional()
      .describe(
        'Only with significance.method fixed (pbr run): the area-periods with no row in the thresholds file, neither for the period nor `*`; their binary outcome is none. Absent under any other method and from pbr validate.',
      ),
    rejects: z.array(Reject).describe('Every problem found, in report order: by input (cohort, starts, reconvictions, service_levels, baselines, thresholds), file, line, column.'),
  })
  .strict()
  .describe(
    'validation.json, written by pbr run and pbr validate: row counts per source file and every rejected row with its file, line, column, value and reason. Person-level: it holds the values of rejected rows.',
  );

export type ManifestFile = z.input<typeof ManifestSchema>;
export type ValidationFileJson = z.input<typeof ValidationSchema>;

/** The published identities of the two schemas (schema/*.schema.json). */
export const MANIFEST_SCHEMA_ID = 'https://github.com/pbr-engine/pbr-engine/schema/manifest.schema.json';
export const VALIDATION_SCHEMA_ID = 'https://github.com/pbr-engine/pbr-engine/schema/validation.schema.json';

function jsonSchema(s: z.ZodType, id: string, title: string): Record<string, unknown> {
  const j = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $schema: j.$schema, $id: id, title, ...j };
}

export function manifestJsonSchema(): Record<string, unknown> {
  return jsonSchema(ManifestSchema, MANIFEST_SCHEMA_ID, `pbr-engine run manifest (manifest.json), manifest_version ${MANIFEST_VERSION}`);
}

export function validationJsonSchema(): Record<string, unknown> {
  return jsonSchema(ValidationSchema, VALIDATION_SCHEMA_ID, 'pbr-engine validation report (validation.json)');
}
