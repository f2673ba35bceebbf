/**
 * How statements show things: HTML escaping, money (deductions shown the same way everywhere: a
 * minus sign and the word deduction), rates, the page frame and the run's details. Amounts arrive
 * as DuckDB's exact decimal text and are only regrouped here, never recomputed.
 */
import type { RunContext } from '../core/context.js';
import { ENGINE_VERSION } from '../version.js';
import { esc } from '../core/money.js';

export { amountHtml, amountText, decimalText, esc, isNegative, moneyText } from '../core/money.js';

/** A thousands-grouped count, or 'n/a'. */
export function countText(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  const neg = v.startsWith('-');
  return (neg ? '-' : '') + (neg ? v.slice(1) : v).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A rate given as decimal text with 6 places (as measures.csv writes it) shown as that decimal and
 * as a percentage to one place: `0.452976 (45.3%)`. The percentage is rounded half away from zero
 * from the decimal digits, never through a float.
 */
export function rateText(v: string | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  return `${v} (${percentOf(v)})`;
}

/** '0.452976' -> '45.3%' (half away from zero on the decimal digits). */
export function percentOf(v: string): string {
  const neg = v.startsWith('-');
  const [i = '0', f = ''] = (neg ? v.slice(1) : v).split('.');
  // units of 0.001 (one tenth of a percent) with the remaining digits deciding the rounding
  const digits = `${i}${(f + '000').slice(0, 3)}`;
  const rest = f.slice(3);
  let units = BigInt(digits);
  if (rest.length > 0 && rest[0]! >= '5') units += 1n;
  const s = units.toString().padStart(2, '0');
  const text = `${s.slice(0, -1)}.${s.slice(-1)}%`;
  return neg && units !== 0n ? `-${text}` : text;
}

/** The details every statement names: the contract, its hash, the data, the engine. */
export interface Meta {
  contract: string;
  scheme: string;
  contractSha: string;
  asOf: string;
  inputs: string;
  rejected: number;
  feeRounding: string;
  /** report.html sits beside statements/ (pbr run; not pbr assess). */
  hasReport: boolean;
}

export function metaOf(ctx: RunContext, hasReport: boolean): Meta {
  return {
    contract: ctx.contract.contract,
    scheme: ctx.contract.scheme,
    contractSha: ctx.contractSha256,
    asOf: ctx.asOf || 'not given (published counts)',
    inputs: ctx.inputs.map((i) => `${i.file} sha256:${i.sha256}`).join('; '),
    rejected: ctx.rejectedRows,
    feeRounding: ctx.contract.fee_for_service.rounding,
    hasReport,
  };
}

/** What fee_for_service.rounding means, in a sentence for the statement. */
export function feeRoundingText(rule: string): string {
  return rule === 'balance-last-month'
    ? "balance-last-month: each month's fee is rounded to pence and the last month of a contract year takes the balance, so that the year's fees sum to its price exactly"
    : "per-month: each month's fee (one twelfth of the year's price) is rounded to pence on its own, so twelve months may differ from the price by a few pence";
}

export function metaTable(m: Meta, extra: [string, string][]): string {
  const rows: [string, string, boolean?][] = [
    ['Contract', m.contract],
    ['Scheme', m.scheme],
    ...extra,
    ['Data as of', m.asOf],
    ['Contract file sha256', m.contractSha, true],
    ['Input files', m.inputs || 'none', true],
    ['Engine', `pbr-engine ${ENGINE_VERSION}`],
  ];
  if (m.rejected > 0) rows.push(['Rejected input rows', `${m.rejected} rows were rejected by validation and left out (--allow-rejects); see validation.json`]);
  return `<table class="meta">${rows
    .map(([k, v, hash]) => `<tr><th>${esc(k)}</th><td${hash ? ' class="hash"' : ''}>${esc(v)}</td></tr>`)
    .join('')}</table>`;
}

/** A row of links at the top of a page: [text, href] pairs, href already relative. */
export function navLinks(links: [string, string][]): string {
  return `<nav class="links">${links.map(([t, h]) => `<a href="${esc(h)}">${esc(t)}</a>`).join(' | ')}</nav>`;
}

const CSS = `@page { size: A4; margin: 15mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #000; margin: 0 auto; max-width: 180mm; }
h1 { font-size: 14pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 12pt 0 4pt; } h3 { font-size: 10pt; margin: 8pt 0 3pt; }
nav.links { font-size: 8.5pt; margin: 0 0 6pt; } a { color: #0b4f8a; }
table { border-collapse: collapse; width: 100%; } th, td { border: 0.5pt solid #888; padding: 2pt 4pt; vertical-align: top; text-align: left; }
thead { display: table-header-group; }
th { background: #eee; } td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; } tr.total td { font-weight: bold; border-top: 1.5pt solid #000; }
table.meta th { width: 32%; font-weight: normal; background: #f6f6f6; } .hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
table.figures th { width: 38%; font-weight: normal; background: #f6f6f6; }
span.ded { font-size: 8pt; display: block; } small { font-size: 8pt; }
p.note { font-size: 8pt; color: #333; } .nowrap { white-space: nowrap; } .warn { font-weight: bold; }
p.indicative { border: 1pt dashed #000; padding: 4pt; }
ul.files { columns: 3; font-size: 8.5pt; padding-left: 14pt; }`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${esc(title)}</title>\n<style>\n${CSS}\n</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`;
}
