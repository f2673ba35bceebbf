/**
 * The input files of a dataset folder (the input formats of the README): one definition that drives the
 * loader's explicit column types, the validation rules, the TypeScript row types and the README's
 * docs table (`npm run docs:inputs` prints it).
 */
export type ColumnKind =
  | { kind: 'text' }
  | { kind: 'date' }
  | { kind: 'month' }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'integer'; min: number }
  | { kind: 'decimal01' }
  | { kind: 'decimal' }
  | { kind: 'count' };

export interface ColumnDef {
  name: string;
  type: ColumnKind;
  required: boolean;
  /** Value used when an optional column is absent or empty. */
  default?: string;
  unique?: boolean;
  /** `person_id` must exist in cohort. */
  referencesCohort?: boolean;
  /** Must be an area of the contract when it lists areas. */
  area?: boolean;
  meaning: string;
}

export interface FileDef {
  /** Base name: the file is NAME.csv, NAME.csv.gz or NAME.parquet. */
  name: 'cohort' | 'starts' | 'reconvictions' | 'service_levels' | 'baselines' | 'thresholds';
  required: boolean;
  meaning: string;
  columns: readonly ColumnDef[];
}

/** SQL type each kind is stored as after validation. */
export const SQL_TYPE: Record<ColumnKind['kind'], string> = {
  text: 'VARCHAR',
  date: 'DATE',
  month: 'VARCHAR',
  boolean: 'BOOLEAN',
  enum: 'VARCHAR',
  integer: 'INTEGER',
  decimal01: 'DECIMAL(18,12)',
  decimal: 'DECIMAL(18,12)',
  count: 'BIGINT',
};

const text = { kind: 'text' } as const;
const date = { kind: 'date' } as const;
const bool = { kind: 'boolean' } as const;
const dec01 = { kind: 'decimal01' } as const;

export const INPUT_FILES: readonly FileDef[] = [
  {
    name: 'cohort',
    required: true,
    meaning: 'the offenders, one row per person',
    columns: [
      { name: 'person_id', type: text, required: true, unique: true, meaning: 'pseudonymised identifier shared by all three extracts' },
      { name: 'date_of_birth', type: date, required: true, meaning: 'date of birth' },
      { name: 'sex', type: { kind: 'enum', values: ['M', 'F', 'U'] }, required: true, meaning: 'sex' },
      { name: 'pnc_matched', type: bool, required: true, meaning: 'matched to the Police National Computer, so reoffending is measurable' },
      { name: 'group', type: { kind: 'enum', values: ['treatment', 'comparison'] }, required: false, default: 'treatment', meaning: 'only for comparison-group schemes' },
    ],
  },
  {
    name: 'starts',
    required: true,
    meaning: 'orders and releases, one row per start',
    columns: [
      { name: 'start_id', type: text, required: true, unique: true, meaning: 'start identifier' },
      { name: 'person_id', type: text, required: true, referencesCohort: true, meaning: 'must exist in cohort' },
      { name: 'start_date', type: date, required: true, meaning: 'order commencement or release from custody' },
      { name: 'start_type', type: { kind: 'enum', values: ['CO', 'SSO', 'CUSTODY_RELEASE'] }, required: true, meaning: 'community order, suspended sentence order, release on licence or supervision' },
      { name: 'sentence_length_days', type: { kind: 'integer', min: 1 }, required: true, meaning: "custodial sentence length, or the order's length" },
      { name: 'cpa', type: text, required: true, area: true, meaning: 'contract package area code; must be an area of the contract file when it lists areas' },
      { name: 'allocation', type: { kind: 'enum', values: ['CRC', 'NPS'] }, required: true, meaning: 'who manages the case' },
      { name: 'em_only', type: bool, required: true, meaning: 'order whose only requirement is an electronically monitored curfew' },
      { name: 'ogrs', type: dec01, required: true, meaning: 'OGRS predicted probability of proven reoffending within one year' },
    ],
  },
  {
    name: 'reconvictions',
    required: true,
    meaning: 'proven offences, one row per offence',
    columns: [
      { name: 'offence_id', type: text, required: true, unique: true, meaning: 'offence identifier' },
      { name: 'person_id', type: text, required: true, referencesCohort: true, meaning: 'must exist in cohort' },
      { name: 'offence_date', type: date, required: true, meaning: 'when the offence was committed' },
      { name: 'disposal_date', type: date, required: true, meaning: 'date of conviction or caution; not before offence_date' },
      { name: 'disposal_type', type: { kind: 'enum', values: ['CONVICTION', 'CAUTION', 'OTHER'] }, required: true, meaning: '`OTHER` is never proven' },
      { name: 'court_event_id', type: text, required: false, meaning: 'the court appearance; groups offences into reconviction events' },
      { name: 'breach', type: bool, required: true, meaning: 'a breach of an order or licence, not a new offence' },
    ],
  },
  {
    name: 'service_levels',
    required: false,
    meaning: 'monthly service-level returns per area (optional)',
    columns: [
      { name: 'cpa', type: text, required: true, area: true, meaning: 'contract package area code' },
      { name: 'month', type: { kind: 'month' }, required: true, meaning: 'YYYY-MM' },
      { name: 'measure', type: text, required: true, meaning: 'service level measured' },
      { name: 'achieved', type: dec01, required: true, meaning: 'share achieved, 0-1' },
      { name: 'target', type: dec01, required: true, meaning: 'target share, 0-1' },
    ],
  },
  {
    name: 'baselines',
    required: false,
    meaning: 'baselines per area, replacing computed ones (optional)',
    columns: [
      { name: 'cpa', type: text, required: true, meaning: 'contract package area code (or ALL)' },
      { name: 'population', type: { kind: 'enum', values: ['CRC', 'NPS'] }, required: true, meaning: 'population (allocation) the baseline is for' },
      { name: 'baseline_measurable', type: { kind: 'count' }, required: true, meaning: 'B_n, measurable offenders in the baseline' },
      { name: 'baseline_binary_rate', type: dec01, required: true, meaning: 'B, the baseline binary rate' },
      { name: 'baseline_expected_rate', type: dec01, required: true, meaning: 'B_e, the baseline mean OGRS' },
      { name: 'baseline_frequency_rate', type: { kind: 'decimal' }, required: false, meaning: 'B_f, reoffences per reoffender in the baseline' },
    ],
  },
  {
    name: 'thresholds',
    required: false,
    meaning: 'thresholds published in advance, for `significance.method: fixed` (optional)',
    columns: [
      { name: 'cpa', type: text, required: true, area: true, meaning: 'contract package area code' },
      { name: 'period', type: text, required: true, meaning: 'cohort period label (2019Q3, 2019, 2019-20), or `*` for every period' },
      { name: 'lower', type: dec01, required: true, meaning: 'lower threshold: an adjusted binary rate below it is a payment' },
      { name: 'upper', type: dec01, required: true, meaning: 'upper threshold: an adjusted binary rate above it is a deduction' },
    ],
  },
];

export function fileDef(name: FileDef['name']): FileDef {
  const f = INPUT_FILES.find((d) => d.name === name);
  if (!f) throw new Error(`unknown input file ${name}`);
  return f;
}

function typeText(t: ColumnKind): string {
  switch (t.kind) {
    case 'enum':
      return t.values.map((v) => `\`${v}\``).join(', ');
    case 'integer':
      return `integer >= ${t.min}`;
    case 'decimal01':
      return 'decimal 0-1';
    case 'count':
      return 'integer >= 0';
    case 'decimal':
      return 'decimal >= 0';
    case 'month':
      return 'month `YYYY-MM`';
    default:
      return t.kind;
  }
}

/** The README's input table, generated from the definitions above. */
export function inputsMarkdown(): string {
  const out: string[] = [];
  for (const f of INPUT_FILES) {
    out.push(`### \`${f.name}.*\`: ${f.meaning}${f.required ? '' : ''}`, '', '| column | type | required | meaning |', '|---|---|---|---|');
    for (const c of f.columns) {
      const req = c.required ? (c.unique ? 'yes, unique' : 'yes') : c.default ? `no (default ${c.default})` : 'no';
      out.push(`| ${c.name} | ${typeText(c.type)} | ${req} | ${c.meaning} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Markers around the generated table in README.md (`npm run docs` rewrites what lies between). */
export const README_BEGIN = '<!-- inputs:begin (generated from src/schema/inputs.ts by `npm run docs`) -->';
export const README_END = '<!-- inputs:end -->';
