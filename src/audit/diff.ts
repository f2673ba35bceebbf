import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';
import { InputError } from '../errors.js';
import { sha256File } from '../core/hash.js';
import { sha256Of } from '../core/manifest.js';
import { manifestMapping, tryLocations, type Manifest } from './verify.js';
import type { PipelineOptions } from '../run/pipeline.js';
import { loadRunCsvs, MEASURE_FIGURES, resolvedKey, runManifest } from './diffRunFiles.js';

/**
 * `pbr diff RUN_A RUN_B`: which inputs and contract keys differ, what changed per area and period
 * (figures of measures.csv, amounts of payments.csv) ordered by payment impact, and the payment
 * change of each area split into a data effect and a contract effect.
 */

export interface InputChange {
  /** The input's name without extension (cohort, starts, ...), or `mapping` for the mapping file of a mapped run. */
  input: string;
  file_a: string | null;
  file_b: string | null;
  sha256_a: string | null;
  sha256_b: string | null;
  change: 'changed' | 'added' | 'removed';
}

export interface KeyChange {
  key: string;
  old: unknown;
  new: unknown;
}

export interface MeasureChange {
  population: string;
  measure: string;
  /** null: the row is absent from that run; '' = empty field. */
  old: string | null;
  new: string | null;
}

export interface PaymentChange {
  component: string;
  old: string | null;
  new: string | null;
  change: string;
}

export interface ChangeBlock {
  area: string;
  period: string;
  payment_a: string;
  payment_b: string;
  /** payment_b - payment_a: the block's payment impact. */
  impact: string;
  measures: MeasureChange[];
  payments: PaymentChange[];
}

export interface AttributionRow {
  /** The area; null on the two total rows. */
  area: string | null;
  /**
   * null on an area's row; `changed_areas` on the sum over the areas listed above it (the areas
   * whose payments changed); `all_areas` on the grand totals of each run over every area (the
   * effects there equal the changed areas': an unchanged area has none).
   */
  total: 'changed_areas' | 'all_areas' | null;
  total_a: string;
  total_b: string;
  total_mixed: string | null;
  data_effect: string;
  contract_effect: string;
}

export interface Attribution {
  /**
   * computed: both differ, the mixed run was made; data_only / contract_only: one differs, all of
   * the change is its; no_payment_change; unavailable (reason says why); unexplained: payments
   * changed but neither data nor contract did (as_of option or engine version).
   */
  status: 'computed' | 'data_only' | 'contract_only' | 'no_payment_change' | 'unavailable' | 'unexplained';
  reason: string | null;
  areas: AttributionRow[];
}

export interface DiffResult {
  run_a: string;
  run_b: string;
  notes: string[];
  inputs: InputChange[];
  contract: { name_a: string; name_b: string; sha256_a: string; sha256_b: string; keys: KeyChange[] };
  as_of: { a: string; b: string };
  changes: ChangeBlock[];
  attribution: Attribution;
}

export interface DiffOptions {
  /** Write every changed figure and amount as CSV to this file. */
  out?: string;
  /** Do not rerun the mixed combination even when both data and contract differ. */
  noRerun?: boolean;
}

const stem = (file: string) => file.replace(/\.(csv\.gz|csv|parquet)$/, '');

function inputChanges(a: Manifest, b: Manifest): InputChange[] {
  const ia = new Map(a.inputs.map((i) => [stem(i.file), i]));
  const ib = new Map(b.inputs.map((i) => [stem(i.file), i]));
  const names = [...new Set([...ia.keys(), ...ib.keys()])].sort();
  const out: InputChange[] = [];
  for (const n of names) {
    const x = ia.get(n);
    const y = ib.get(n);
    if (x && y && x.sha256 === y.sha256) continue;
    out.push({
      input: n,
      file_a: x?.file ?? null,
      file_b: y?.file ?? null,
      sha256_a: x?.sha256 ?? null,
      sha256_b: y?.sha256 ?? null,
      change: !x ? 'added' : !y ? 'removed' : 'changed',
    });
  }
  // A mapping file is an input of its own: a run read through another mapping read other data.
  const ma = manifestMapping(a);
  const mb = manifestMapping(b);
  if (ma?.sha256 !== mb?.sha256) {
    out.push({
      input: 'mapping',
      file_a: ma ? (ma.file ?? '(mapping)') : null,
      file_b: mb ? (mb.file ?? '(mapping)') : null,
      sha256_a: ma?.sha256 ?? null,
      sha256_b: mb?.sha256 ?? null,
      change: !ma ? 'added' : !mb ? 'removed' : 'changed',
    });
  }
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Dotted key paths whose values differ between two resolved contracts (arrays by index: bands[1].weight). */
export function contractKeyChanges(a: unknown, b: unknown, prefix = ''): KeyChange[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
    return keys.flatMap((k) => contractKeyChanges(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && (a.some((x) => isObj(x)) || b.some((x) => isObj(x)))) {
    const n = Math.max(a.length, b.length);
    const out: KeyChange[] = [];
    for (let i = 0; i < n; i++) out.push(...contractKeyChanges(a[i], b[i], `${prefix}[${i}]`));
    return out;
  }
  if (JSON.stringify(a ?? null) === JSON.stringify(b ?? null)) return [];
  return [{ key: prefix, old: a ?? null, new: b ?? null }];
}

/** Why the mixed run (data of B with its mapping, contract of A) cannot be made, or where its inputs are. */
async function mixedUnavailable(runA: string, runB: string, a: Manifest, b: Manifest): Promise<{ reason: string } | { data: string; contract: string; mapping: string | null }> {
  const la = tryLocations(runA);
  const lb = tryLocations(runB);
  if ('problem' in la) return { reason: `${la.problem}: the contract of A cannot be found` };
  if ('problem' in lb) return { reason: `${lb.problem}: the data of B cannot be found` };
  if (!existsSync(la.contract)) return { reason: `the contract of A (${la.contract}) is gone` };
  if (sha256Of(la.contract) !== a.contract.sha256) return { reason: `the contract of A (${la.contract}) has changed since run A` };
  const mb = manifestMapping(b);
  if (mb) {
    if (!lb.mapping) return { reason: `${runB}/locations.json does not say where the mapping of B is` };
    if (!existsSync(lb.mapping)) return { reason: `the mapping of B (${lb.mapping}) is gone` };
    if (sha256Of(lb.mapping) !== mb.sha256) return { reason: `the mapping of B (${lb.mapping}) has changed since run B` };
  }
  for (const i of b.inputs) {
    const p = path.join(lb.data, i.file);
    if (!existsSync(p)) return { reason: `the data of B is gone (${p})` };
    if ((await sha256File(p)) !== i.sha256) return { reason: `the data of B has changed since run B (${p})` };
  }
  return { data: lb.data, contract: la.contract, mapping: mb ? lb.mapping! : null };
}

export async function diffRuns(runA: string, runB: string, opts: DiffOptions = {}): Promise<DiffResult> {
  const a = runManifest(runA);
  const b = runManifest(runB);
  const notes: string[] = [];
  if (a.engine.version !== b.engine.version) notes.push(`the runs were made by different engine versions (${a.engine.version} -> ${b.engine.version})`);
  if (a.duckdb !== b.duckdb) notes.push(`the runs used different DuckDB versions (${a.duckdb} -> ${b.duckdb})`);
  const inputs = inputChanges(a, b);
  const keys = contractKeyChanges(a.contract.resolved, b.contract.resolved);
  if (a.contract.sha256 !== b.contract.sha256 && keys.length === 0) {
    notes.push('the contract files differ in bytes only (every resolved key is the same)');
  }
  const asOfA = a.as_of;
  const asOfB = b.as_of;
  const contractAsOfA = resolvedKey(a, 'follow_up.as_of');
  const contractAsOfB = resolvedKey(b, 'follow_up.as_of');
  // as_of comes from the contract when it sets one, else (with no --as-of) from the data.
  const asOfFromData = asOfA !== asOfB && contractAsOfA === null && contractAsOfB === null;
  if (asOfA !== asOfB && contractAsOfA === contractAsOfB && contractAsOfA !== null) {
    notes.push(`as_of differs (${asOfA} -> ${asOfB}) although both contracts set ${String(contractAsOfA)}: a --as-of option was given`);
  }

  const db = await Db.open();
  const tmp: string[] = [];
  try {
    await loadRunCsvs(db, runA, 'a_');
    await loadRunCsvs(db, runB, 'b_');
    await db.exec('audit_diff_changes');
    const blocks = await db.allNamed<Omit<ChangeBlock, 'measures' | 'payments'>>('audit_diff_blocks');
    const measures = await db.allNamed<MeasureChange & { area: string; period: string }>('audit_diff_measures', { figures: MEASURE_FIGURES });
    const payments = await db.allNamed<PaymentChange & { area: string; period: string }>('audit_diff_payments');
    const key = (x: { area: string; period: string }) => `${x.area}\u0000${x.period}`;
    const byKey = new Map<string, ChangeBlock>();
    const changes: ChangeBlock[] = blocks.map((blk) => {
      const c: ChangeBlock = { ...blk, measures: [], payments: [] };
      byKey.set(key(blk), c);
      return c;
    });
    for (const m of measures) byKey.get(key(m))!.measures.push({ population: m.population, measure: m.measure, old: m.old, new: m.new });
    for (const p of payments) byKey.get(key(p))!.payments.push({ component: p.component, old: p.old, new: p.new, change: p.change });

    if (opts.out) {
      await db.execMacros('output_macros');
      await db.run(`COPY (${readSql('audit_diff_csv')}) TO ${literal(opts.out)} (HEADER, DELIMITER ',')`);
    }

    const dataDiffers = inputs.length > 0 || asOfFromData;
    const contractDiffers = keys.length > 0;
    const paymentsChanged = changes.some((c) => c.impact !== '0.00') || changes.some((c) => c.payments.length > 0);
    let attribution: Attribution;
    const rows = async (mode: string) => db.allNamed<AttributionRow>('audit_diff_attribution', { mode });
    await db.run('CREATE OR REPLACE TABLE m_payments AS SELECT * FROM a_payments LIMIT 0');
    if (!paymentsChanged) {
      attribution = { status: 'no_payment_change', reason: null, areas: [] };
    } else if (dataDiffers && contractDiffers) {
      const where = opts.noRerun ? { reason: 'not rerun (--no-rerun)' } : await mixedUnavailable(runA, runB, a, b);
      if ('reason' in where) {
        attribution = { status: 'unavailable', reason: where.reason, areas: [] };
      } else {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'pbr-diff-'));
        tmp.push(dir);
        const out = path.join(dir, 'mixed');
        const { runPipeline } = await import('../run/pipeline.js');
        // as_of belongs to the contract when it sets one (A's, or A's --as-of), else to the data (B's).
        const asOf = contractAsOfA !== null ? asOfA : asOfB;
        try {
          // B's mapping goes with B's data (the pipeline's `mappingPath` option, docs/extracts.md).
          const options: PipelineOptions & { mappingPath?: string } = {
            dataDir: where.data,
            contractPath: where.contract,
            outDir: out,
            asOf,
            allowRejects: b.rejected_rows > 0,
            quiet: true,
            ...(where.mapping !== null ? { mappingPath: where.mapping } : {}),
          };
          await runPipeline(options);
          await loadRunCsvs(db, out, 'm_');
          const withMapping = where.mapping !== null ? ` with its mapping (${where.mapping})` : '';
          attribution = { status: 'computed', reason: `mixed run: data of B (${where.data})${withMapping}, contract of A (${where.contract}), as_of ${asOf}`, areas: await rows('both') };
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          attribution = { status: 'unavailable', reason: `the mixed run (data of B, contract of A) stopped: ${e.message}`, areas: [] };
        }
      }
    } else if (dataDiffers) {
      attribution = { status: 'data_only', reason: 'only the data differs: all of the change is a data effect', areas: await rows('data') };
    } else if (contractDiffers) {
      attribution = { status: 'contract_only', reason: 'only the contract differs: all of the change is a contract effect', areas: await rows('contract') };
    } else {
      attribution = {
        status: 'unexplained',
        reason: asOfA !== asOfB ? `neither data nor contract differs; as_of does (${asOfA} -> ${asOfB})` : 'neither data, contract nor as_of differs (another engine version?)',
        areas: [],
      };
    }
    return {
      run_a: runA,
      run_b: runB,
      notes,
      inputs,
      contract: { name_a: a.contract.name, name_b: b.contract.name, sha256_a: a.contract.sha256, sha256_b: b.contract.sha256, keys },
      as_of: { a: asOfA, b: asOfB },
      changes,
      attribution,
    };
  } finally {
    db.close();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  }
}

const show = (v: unknown) => (v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
const cell = (v: string | null) => (v === null ? '(no row)' : v === '' ? '(empty)' : v);

/** Plain-text table of a positional list of rows (first row = header), columns padded. */
export function textTable(rows: string[][], rightAligned: number[] = []): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatDiff(r: DiffResult): string {
  const out: string[] = [`pbr diff ${r.run_a} -> ${r.run_b}`];
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push('', 'Inputs:');
  if (r.inputs.length === 0) out.push('  identical (every sha256 the same)');
  for (const i of r.inputs) {
    out.push(`  ${i.input}: ${i.change}${i.change === 'changed' ? ` (sha256 ${i.sha256_a!.slice(0, 12)} -> ${i.sha256_b!.slice(0, 12)})` : ''}`);
  }
  if (r.as_of.a !== r.as_of.b) out.push(`  as_of: ${r.as_of.a} -> ${r.as_of.b}`);
  out.push('', 'Contract:');
  if (r.contract.keys.length === 0) out.push(`  same keys${r.contract.sha256_a === r.contract.sha256_b ? ' (same sha256)' : ''}`);
  for (const k of r.contract.keys) out.push(`  ${k.key}: ${show(k.old)} -> ${show(k.new)}`);
  out.push('', 'Changes per area and period (largest payment impact first):');
  if (r.changes.length === 0) out.push('  none: measures.csv and payments.csv agree');
  for (const c of r.changes) {
    const unpaid = c.area === 'ALL' && c.payments.length === 0 && c.impact === '0.00';
    out.push(unpaid ? `  ${c.area} ${c.period}: (all areas together: never paid)` : `  ${c.area} ${c.period}: payment ${c.payment_a} -> ${c.payment_b} (impact ${c.impact})`);
    const rows: string[][] = [];
    for (const m of c.measures) rows.push([`    ${m.measure}`, cell(m.old), '->', cell(m.new)]);
    for (const p of c.payments) rows.push([`    ${p.component} (pounds)`, cell(p.old), '->', `${cell(p.new)} (${p.change})`]);
    if (rows.length > 0) out.push(...textTable(rows, [1]));
  }
  out.push('', 'Attribution of the payment change:');
  const at = r.attribution;
  if (at.status === 'no_payment_change') out.push('  no payment changed');
  else if (at.status === 'unavailable') out.push(`  unavailable: ${at.reason}`);
  else if (at.status === 'unexplained') out.push(`  not attributable: ${at.reason}`);
  else {
    out.push(`  ${at.reason}`);
    const rows: string[][] = [['  area', 'A', 'B', ...(at.status === 'computed' ? ['mixed'] : []), 'data effect', 'contract effect']];
    const changed = at.areas.filter((x) => x.total === null).length;
    for (const x of at.areas) {
      const label = x.total === 'changed_areas' ? `sum of the ${changed} changed area(s)` : x.total === 'all_areas' ? 'all areas (grand totals)' : x.area!;
      rows.push([`  ${label}`, x.total_a, x.total_b, ...(at.status === 'computed' ? [x.total_mixed ?? ''] : []), x.data_effect, x.contract_effect]);
    }
    const n = rows[0]!.length;
    out.push(...textTable(rows, Array.from({ length: n - 1 }, (_, i) => i + 1)));
  }
  return `${out.join('\n')}\n`;
}
