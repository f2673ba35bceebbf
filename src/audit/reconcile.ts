import { existsSync } from 'node:fs';
import path from 'node:path';
import { ContractSchema } from '../contract/schema.js';
import { loadDataset } from '../validate/load.js';
import { loadMapping } from '../mapping/load.js';
import { sha256File } from '../core/hash.js';
import { manifestMapping, readLocations, type Manifest } from './verify.js';
import { Db, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { readCheckedCsv } from './csvInput.js';
import { InputError } from '../errors.js';
import { ownerOnly } from '../core/personLevel.js';
import { loadRunCsvs, loadRunOutcomes, resolvedKey, runManifest } from './diffRunFiles.js';
import { textTable } from './diff.js';
import { decText } from '../measure/rules.js';

/**
 * `pbr reconcile --run RUN --expected FILE`: a provider's expected outcomes (person_id, period,
 * in_cohort, reoffender, reoffences) against the run's offender_outcomes.parquet, per person.
 */

export const EXPECTED_COLUMNS = ['person_id', 'period', 'in_cohort', 'reoffender', 'reoffences'] as const;

export const DISAGREEMENT_KINDS = [
  'not_in_engine_cohort',
  'not_in_provider_file',
  'provider_says_not_in_cohort',
  'reoffender_differs',
  'reoffences_differs',
] as const;
export type DisagreementKind = (typeof DISAGREEMENT_KINDS)[number];

export interface Disagreement {
  kind: DisagreementKind;
  person_id: string;
  period: string;
  /** The area whose outcome it moves (null when the engine cannot place the person). */
  area: string | null;
  /** Line of the provider's file (null: the person is not in it). */
  line: number | null;
  provider_in_cohort: boolean;
  provider_reoffender: boolean | null;
  provider_reoffences: number | null;
  engine_in_cohort: boolean;
  engine_reoffender: boolean | null;
  engine_reoffences: number | null;
  /** The engine's view: the cohort reason, or each offence id with its reason code. */
  explanation: string;
}

export interface AreaEffect {
  area: string;
  period: string;
  status: string | null;
  disagreements: number;
  n: number | null;
  r: number | null;
  binary_rate: string | null;
  adjusted_binary_rate: string | null;
  binary_outcome: string | null;
  n_provider: number | null;
  r_provider: number | null;
  binary_rate_provider: string | null;
  adjusted_binary_rate_provider: string | null;
  binary_outcome_provider: string;
  outcome_changes: boolean;
  payment_estimate_engine: string | null;
  payment_estimate_provider: string | null;
  payment_difference_estimate: string | null;
}

export interface ReconcileResult {
  run: string;
  expected: string;
  area: string | null;
  file_rows: number;
  file_persons: number;
  agrees: boolean;
  counts: Record<DisagreementKind, number>;
  disagreements: Disagreement[];
  effects: AreaEffect[];
  prices: { binary_price: number | null; deduction_price: number | null };
  /**
   * Whether persons the engine has in no cohort were explained from the run's inputs
   * (locations.json, inputs unchanged since the run): 'used', 'not_needed', or why not.
   */
  eligibility_from_inputs: string;
}

export interface ReconcileOptions {
  run: string;
  expected: string;
  /** Only the engine's cohort of this area is compared (a provider's file for one area). */
  area?: string;
  out?: string;
}

/**
 * For persons the provider counts but who have no cohort row of the run in the period, say why from
 * the run's own inputs (found through locations.json; used only while their sha256 still matches
 * the manifest). Loading goes through the engine's loader (its cache makes this cheap after a run).
 */
async function explainFromInputs(db: Db, run: string, manifest: Manifest): Promise<string> {
  const n = Number(await db.scalar<number>('SELECT count(*) FROM rec_disagreements WHERE not_eligible'));
  if (n === 0) return 'not_needed';
  const loc = readLocations(run);
  if (!loc) return `${run} has no locations.json`;
  for (const i of manifest.inputs) {
    const p = path.join(loc.data, i.file);
    if (!existsSync(p)) return `the run's input ${p} is gone`;
    if ((await sha256File(p)) !== i.sha256) return `the run's input ${p} has changed since the run`;
  }
  const parsed = ContractSchema.safeParse(manifest.contract.resolved);
  if (!parsed.success) return 'the contract in manifest.json cannot be read by this engine version';
  const contract = parsed.data;
  // a mapped run's inputs are read through its mapping, unchanged since the run
  const recorded = manifestMapping(manifest);
  if (recorded && !loc.mapping) return `${run}/locations.json does not say where the run's mapping file is`;
  if (loc.mapping && recorded && (await sha256File(loc.mapping).catch(() => '')) !== recorded.sha256) return `the run's mapping ${loc.mapping} has changed since the run`;
  try {
    const mapping = loc.mapping && recorded ? loadMapping(loc.mapping) : null;
    await loadDataset(db, loc.data, contract, { mapping });
  } catch (e) {
    if (e instanceof InputError) return `the run's inputs cannot be loaded: ${e.message}`;
    throw e;
  }
  await db.exec('audit_reconcile_eligibility', {
    allocation: contract.population.allocation,
    start_types: contract.population.start_types,
    exclude_em_only: contract.population.exclude_em_only,
    min_age: contract.population.min_age,
    min_custody_days: contract.population.min_custody_days,
  });
  return 'used';
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const price = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Table r_exact: measures.csv's exact numerators (the v2 columns of measures.csv, listed in the README) as text, so that the
 * payment estimate prices the run's own exact figures; empty for a run written before they existed.
 */
async function loadExactNumerators(db: Db, run: string): Promise<void> {
  const file = path.join(run, 'measures.csv');
  const cols = ['area', 'period', 'ogrs_sum', 'baseline_reoffenders', 'baseline_ogrs_sum'];
  const header = await db.all<{ column_name: string }>(
    `DESCRIBE SELECT * FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
  );
  const have = new Set(header.map((h) => h.column_name));
  if (cols.every((c) => have.has(c))) {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE r_exact AS SELECT ${cols.join(', ')}
       FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')`,
    );
  } else {
    await db.run(`CREATE OR REPLACE TEMP TABLE r_exact (${cols.map((c) => `${c} VARCHAR`).join(', ')})`);
  }
}

async function loadExpected(db: Db, file: string): Promise<void> {
  await readCheckedCsv(db, file, { table: 'rec_raw', columns: EXPECTED_COLUMNS, what: "the provider's file", validate: 'audit_reconcile_validate' });
}

export async function reconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const manifest = runManifest(opts.run);
  const db = await Db.open();
  try {
    await loadExpected(db, opts.expected);
    await loadRunCsvs(db, opts.run, 'r_');
    await loadRunOutcomes(db, opts.run, 'r_');
    const area = opts.area ?? null;
    if (area !== null) {
      const known = await db.scalar<number>('SELECT count(*) FROM r_measures WHERE area = $area', { area });
      if (Number(known) === 0) throw new InputError(`--area ${area}: no such area in ${opts.run}/measures.csv; give one of its areas`);
    }
    await db.exec('audit_reconcile_compare', { area });
    const eligibility = await explainFromInputs(db, opts.run, manifest);
    const counts = await db.allNamed<{ kind: DisagreementKind; n: number; file_rows: number; file_persons: number }>('audit_reconcile_counts');
    const list = await db.allNamed<Disagreement>('audit_reconcile_list');
    const binaryPrice = price(resolvedKey(manifest, 'payments.binary_price'));
    const deductionPrice = price(resolvedKey(manifest, 'payments.deduction_price'));
    const adjustment = resolvedKey(manifest, 'adjustment.method');
    await loadExactNumerators(db, opts.run);
    await db.execMacros('pay_macros');
    const effects = await db.allNamed<AreaEffect>('audit_reconcile_effect', {
      binary_price: decText(binaryPrice),
      deduction_price: decText(deductionPrice),
      adjustment: typeof adjustment === 'string' ? adjustment : 'additive',
    });
    if (opts.out) {
      // person ids: readable by the owner only; text cells safe to open in a spreadsheet
      await db.execMacros('output_macros');
      const list = readSql('audit_reconcile_list').trim().replace(/;\s*$/, '');
      await db.run(
        `COPY (SELECT * REPLACE (safe_cell(person_id) AS person_id, safe_cell(period) AS period, safe_cell(area) AS area,
                                 safe_cell(explanation) AS explanation) FROM (${list}))
         TO ${literal(opts.out)} (HEADER, DELIMITER ',')`,
      );
      ownerOnly(opts.out);
    }
    const byKind = Object.fromEntries(counts.map((c) => [c.kind, Number(c.n)])) as Record<DisagreementKind, number>;
    return {
      run: opts.run,
      expected: opts.expected,
      area,
      file_rows: Number(counts[0]?.file_rows ?? 0),
      file_persons: Number(counts[0]?.file_persons ?? 0),
      agrees: list.length === 0,
      counts: byKind,
      disagreements: list.map((d) => ({
        ...d,
        line: num(d.line),
        provider_reoffences: num(d.provider_reoffences),
        engine_reoffences: num(d.engine_reoffences),
      })),
      effects: effects.map((e) => ({ ...e, disagreements: Number(e.disagreements), n: num(e.n), r: num(e.r), n_provider: num(e.n_provider), r_provider: num(e.r_provider) })),
      prices: { binary_price: binaryPrice, deduction_price: deductionPrice },
      eligibility_from_inputs: eligibility,
    };
  } finally {
    db.close();
  }
}

function view(inCohort: boolean, reoffender: boolean | null, reoffences: number | null, present = true): string {
  if (!present) return '(no row)';
  if (!inCohort) return 'not in cohort';
  return `${reoffender ? 'reoffender' : 'no reoffence'}, ${reoffences ?? '?'} reoffence(s)`;
}

export function formatReconcile(r: ReconcileResult): string {
  const out: string[] = [];
  const who = r.file_persons === r.file_rows ? `${r.file_persons} persons` : `${r.file_persons} persons in ${r.file_rows} person-periods`;
  if (r.agrees) {
    return `agrees in full: ${who}${r.area ? ` (area ${r.area})` : ''}\n`;
  }
  const total = Object.values(r.counts).reduce((s, n) => s + n, 0);
  out.push(`${r.expected} against ${r.run}${r.area ? ` (area ${r.area})` : ''}: ${total} disagreement(s); the file has ${who}`, '');
  out.push(...textTable([['  kind', 'count'], ...DISAGREEMENT_KINDS.map((k) => [`  ${k}`, String(r.counts[k])])], [1]));
  out.push('', 'Per person (provider -> engine, and why):');
  const rows: string[][] = [['  kind', 'person_id', 'period', 'area', 'provider', 'engine', 'engine\'s reason']];
  for (const d of r.disagreements) {
    rows.push([
      `  ${d.kind}`,
      d.person_id,
      d.period,
      d.area ?? '?',
      view(d.provider_in_cohort, d.provider_reoffender, d.provider_reoffences, d.line !== null),
      view(d.engine_in_cohort, d.engine_reoffender, d.engine_reoffences),
      d.explanation,
    ]);
  }
  out.push(...textTable(rows));
  if (!['used', 'not_needed'].includes(r.eligibility_from_inputs)) {
    out.push(`  (why a person is not eligible could not be read from the run's inputs: ${r.eligibility_from_inputs})`);
  }
  out.push(
    '',
    'Effect on each area\'s binary outcome and payment if the provider\'s view held (ESTIMATE: adjusted rate moved by as',
    `much as the binary rate, baseline and thresholds held; binary_price ${r.prices.binary_price ?? 'not set'}, deduction_price ${r.prices.deduction_price ?? 'not set'}):`,
  );
  if (r.effects.length === 0) out.push('  none: no disagreement can be placed in an area');
  const er: string[][] = [['  area', 'period', 'n', 'r', 'rate', '->', 'n\'', 'r\'', 'rate\'', 'outcome', '->', 'outcome\'', 'payment est.', '->', 'est.\'', 'difference (est.)']];
  for (const e of r.effects) {
    er.push([
      `  ${e.area}`,
      e.period,
      String(e.n ?? ''),
      String(e.r ?? ''),
      e.binary_rate ?? '',
      '->',
      String(e.n_provider ?? ''),
      String(e.r_provider ?? ''),
      e.binary_rate_provider ?? '',
      e.binary_outcome ?? '',
      '->',
      `${e.binary_outcome_provider}${e.outcome_changes ? ' (changes)' : ''}`,
      e.payment_estimate_engine ?? 'n/a',
      '->',
      e.payment_estimate_provider ?? 'n/a',
      e.status === 'final' ? (e.payment_difference_estimate ?? 'n/a (price not set)') : 'interim: not paid',
    ]);
  }
  if (r.effects.length > 0) out.push(...textTable(er, [2, 3, 4, 6, 7, 8, 12, 14, 15]));
  const unplaced = r.disagreements.filter((d) => d.area === null).length;
  if (unplaced > 0) out.push(`  ${unplaced} disagreement(s) not placed in an area (the engine has no cohort row for the person in that period)`);
  return `${out.join('\n')}\n`;
}
