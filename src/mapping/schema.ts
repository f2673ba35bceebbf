import { z } from 'zod';
import { INPUT_FILES, type FileDef } from '../schema/inputs.js';
import { shown } from '../contract/load.js';

/**
 * The mapping file (docs/extracts.md): how the files of a real extract folder become the
 * inputs of the input formats of the README. This zod schema is the single source of its rules; every key
 * carries the description that `pbr mapping-schema` gives editors and that docs/extracts.md
 * explains with examples.
 */
export const INPUT_NAMES = ['cohort', 'starts', 'reconvictions', 'service_levels', 'baselines', 'thresholds'] as const;
export type InputName = (typeof INPUT_NAMES)[number];

/** The file extensions a source may have. */
export const SOURCE_EXTENSIONS = ['.csv', '.csv.gz', '.parquet', '.xlsx'] as const;

const token = z.string().max(200, 'a token has at most 200 characters');

const dateFormats = z
  .array(z.string().min(1, 'a date format may not be empty').max(100))
  .min(1, 'list at least one date format')
  .describe(
    'strptime patterns tried in order for date columns (first match wins), e.g. "%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S". A time part must be midnight or the row is rejected. Values already written YYYY-MM-DD are always read. Absent: dates must be YYYY-MM-DD.',
  );
const trueValues = z
  .array(token)
  .describe('Values of boolean columns read as true, e.g. ["TRUE", "Y", "1"]. `true` itself is always read as true.');
const falseValues = z
  .array(token)
  .describe('Values of boolean columns read as false, e.g. ["FALSE", "N", "0"]. `false` itself is always read as false.');
const missingValues = z
  .array(token)
  .describe(
    'Values read as missing (empty) in every column, e.g. ["", "NULL"]. An empty field is always missing. Without this, NULL, null, NA, N/A, #N/A, None and - in an id, code or date column are rejected as looking like a missing-value marker.',
  );

/** The reading rules an input may set for itself or take from `defaults`. */
const readingRules = {
  date_formats: dateFormats.optional(),
  true_values: trueValues.optional(),
  false_values: falseValues.optional(),
  missing_values: missingValues.optional(),
};

const files = z
  .union([z.string().min(1, 'a file pattern may not be empty'), z.array(z.string().min(1, 'a file pattern may not be empty')).min(1, 'list at least one file')])
  .describe(
    'The source file(s) of this input, relative to --data: a name, a glob (* within a folder, ** across folders, ? one character) or a folder (every .csv, .csv.gz, .parquet and .xlsx file under it, with key=value folder names read as hive partition columns), or a list of them. The files are read as one input. Absent: NAME.csv, NAME.csv.gz or NAME.parquet as the input formats of the README say.',
  );

const InputMapping = z
  .object({
    files: files.optional(),
    sheet: z
      .string()
      .min(1)
      .max(31, 'an Excel sheet name has at most 31 characters')
      .optional()
      .describe('The worksheet to read from .xlsx files (its tab name, exact text). Absent: the first sheet.'),
    delimiter: z
      .string()
      .length(1, 'a delimiter is one character, e.g. ";" or "\\t"')
      .refine((d) => !['"', '\n', '\r'].includes(d), 'a delimiter may not be a quote or a line break')
      .optional()
      .describe('The field separator of .csv and .csv.gz files: one character such as ";", "|" or "\\t". Absent: ",".'),
    columns: z
      .record(z.string(), z.string().min(1, 'a source column name may not be empty'))
      .default({})
      .describe(
        'Engine column name -> the source column header that holds it (exact text), e.g. { person_id: CRN, date_of_birth: DOB }. An engine column not listed here is looked up by its own name.',
      ),
    values: z
      .record(z.string(), z.record(z.string(), z.string().min(1, 'an engine value may not be empty')).describe('Source value -> engine value for this column.'))
      .default({})
      .describe(
        'Engine column name -> { source value: engine value }, e.g. { sex: { Male: M, Female: F } }. A value not listed is read as it is (and rejected if it is not a valid engine value).',
      ),
    ignore_columns: z
      .array(z.string().min(1))
      .default([])
      .describe('Source columns read past on purpose. Any other source column that is not mapped is an error, so nothing is dropped unnoticed.'),
    ...readingRules,
  })
  .strict()
  .describe('How the source files of one input are read.');

const inputShape = Object.fromEntries(
  INPUT_NAMES.map((n) => [n, InputMapping.optional().describe(`The ${n} input (the input formats of the README).`)]),
) as Record<InputName, z.ZodOptional<typeof InputMapping>>;

export const MappingSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema this file follows (ignored by the engine; for editors).'),
    inputs: z
      .object(inputShape)
      .strict()
      .default({})
      .describe('One entry per input that needs mapping; an input not listed is read by its own name (NAME.csv, .csv.gz or .parquet) with the defaults below.'),
    defaults: z
      .object(readingRules)
      .strict()
      .default({})
      .describe('Reading rules for every input unless the input sets its own (a list set on an input replaces the default list).'),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const name of INPUT_NAMES) {
      const inp = m.inputs[name];
      if (!inp) continue;
      const def = INPUT_FILES.find((d) => d.name === name)!;
      const known = new Map(def.columns.map((c) => [c.name, c]));
      const list = def.columns.map((c) => c.name).join(', ');
      for (const key of Object.keys(inp.columns)) {
        if (!known.has(key)) ctx.addIssue({ code: 'custom', path: ['inputs', name, 'columns', key], message: `not a column of ${name} (its columns: ${list})` });
      }
      const sources = new Map<string, string>();
      for (const [key, src] of Object.entries(inp.columns)) {
        const other = sources.get(src);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['inputs', name, 'columns', key], message: `source column '${shown(src)}' is already mapped to ${other}; map each source column once` });
        }
        sources.set(src, key);
        if (inp.ignore_columns.includes(src)) {
          ctx.addIssue({ code: 'custom', path: ['inputs', name, 'ignore_columns'], message: `'${shown(src)}' is mapped to ${key}; it cannot also be ignored` });
        }
      }
      for (const [key, map] of Object.entries(inp.values)) {
        const col = known.get(key);
        if (!col) {
          ctx.addIssue({ code: 'custom', path: ['inputs', name, 'values', key], message: `not a column of ${name} (its columns: ${list})` });
          continue;
        }
        const allowed = col.type.kind === 'enum' ? col.type.values : col.type.kind === 'boolean' ? ['true', 'false'] : null;
        if (!allowed) continue;
        for (const [from, to] of Object.entries(map)) {
          if (!allowed.includes(to)) {
            ctx.addIssue({ code: 'custom', path: ['inputs', name, 'values', key, from], message: `'${shown(to)}' is not a value of ${key} (expected one of ${allowed.join(', ')})` });
          }
        }
      }
    }
    for (const [where, rules] of [['defaults', m.defaults] as const, ...INPUT_NAMES.flatMap((n) => (m.inputs[n] ? [[`inputs.${n}`, m.inputs[n]!] as const] : []))]) {
      const both = (rules.true_values ?? []).filter((t) => (rules.false_values ?? []).includes(t));
      if (both.length > 0) {
        ctx.addIssue({ code: 'custom', path: [...where.split('.'), 'false_values'], message: `'${shown(both[0]!)}' is listed as both true and false` });
      }
    }
  });

/** A mapping as written in the file. */
export type MappingInput = z.input<typeof MappingSchema>;
/** A mapping with every default resolved. */
export type Mapping = z.output<typeof MappingSchema>;
export type InputMapping = z.output<typeof InputMapping>;

/** The published identity of the mapping file's JSON Schema. */
export const MAPPING_SCHEMA_ID = 'https://github.com/pbr-engine/pbr-engine/schema/mapping.schema.json';

export function mappingJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(MappingSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $schema: s.$schema, $id: MAPPING_SCHEMA_ID, title: 'pbr-engine mapping file', ...s };
}

/**
 * The reading rules of one input, resolved: the input's own lists, else the defaults, else the
 * engine's own rules (YYYY-MM-DD dates, true/false, empty = missing).
 */
export interface InputRules {
  def: FileDef;
  /** Key path of this input in the mapping, for messages (`inputs.starts`). */
  keyPath: string;
  /** The mapping file, as messages name it. */
  mappingFile: string;
  /** Engine column -> source header. Every engine column is present (its own name when not mapped). */
  columns: Record<string, string>;
  /** Engine columns the mapping names explicitly (for messages). */
  mapped: Set<string>;
  values: Record<string, Record<string, string>>;
  ignore: Set<string>;
  files: string[] | null;
  sheet: string | null;
  delimiter: string;
  dateFormats: string[] | null;
  trueValues: string[];
  falseValues: string[];
  /** Tokens read as missing, besides the empty field. */
  missingValues: string[];
}

/** The rules of every input under a mapping (null: no mapping, the folder is read as section 1 says). */
export function inputRules(def: FileDef, mapping: Mapping | null, mappingFile = 'mapping'): InputRules | null {
  if (!mapping) return null;
  const inp = mapping.inputs[def.name as InputName];
  const d = mapping.defaults;
  const columns: Record<string, string> = {};
  for (const c of def.columns) columns[c.name] = inp?.columns[c.name] ?? c.name;
  const pick = <T>(own: T | undefined, dflt: T | undefined): T | undefined => (own !== undefined ? own : dflt);
  return {
    def,
    keyPath: `inputs.${def.name}`,
    mappingFile,
    columns,
    mapped: new Set(Object.keys(inp?.columns ?? {})),
    values: inp?.values ?? {},
    ignore: new Set(inp?.ignore_columns ?? []),
    files: inp?.files === undefined ? null : typeof inp.files === 'string' ? [inp.files] : inp.files,
    sheet: inp?.sheet ?? null,
    delimiter: inp?.delimiter ?? ',',
    dateFormats: pick(inp?.date_formats, d.date_formats) ?? null,
    trueValues: pick(inp?.true_values, d.true_values) ?? [],
    falseValues: pick(inp?.false_values, d.false_values) ?? [],
    missingValues: (pick(inp?.missing_values, d.missing_values) ?? []).filter((t) => t !== ''),
  };
}
