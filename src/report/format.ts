/**
 * Deterministic text formatting for the report (no locale, no Intl): the same number always prints
 * the same characters on every machine.
 */

const MINUS = '\u2212';
export const DASH = '\u2013';

/** Group the digits of a non-negative integer string in threes with commas. */
function group3(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `dp` places as text: toFixed of the absolute value (exact binary value, ties away from zero), sign kept; no '−0'. */
export function fixed(x: number, dp: number): string {
  const s = Math.abs(x).toFixed(dp);
  const neg = x < 0 && /[1-9]/.test(s);
  return (neg ? MINUS : '') + s;
}

/** 0.41234 -> '41.2%'; null -> en dash. */
export function pct(x: number | null | undefined, dp = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${fixed(x * 100, dp)}%`;
}

/** Difference in percentage points: -0.082 -> '−8.2 pts'. */
export function points(x: number | null | undefined, dp = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const s = fixed(x * 100, dp);
  const plus = x > 0 && /[1-9]/.test(s) ? '+' : '';
  return `${plus}${s} pts`;
}

/** A plain decimal: 4.7123 -> '4.71'. */
export function dec(x: number | null | undefined, dp = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return fixed(x, dp);
}

/** An integer count with thousands separators. */
export function int(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  const s = group3(Math.abs(Math.round(x)).toFixed(0));
  return (x < 0 && Math.round(x) !== 0 ? MINUS : '') + s;
}

/**
 * Money from an exact decimal string as DuckDB prints it ('-1234567.50') to '-£1,234,567.50' (an ASCII
 * minus, as on the statements: it pastes into a spreadsheet as a number). No floating point is involved.
 */
export function money(text: string | null | undefined): string {
  if (text === null || text === undefined || text === '') return DASH;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return text;
  const frac = ((m[3] ?? '') + '00').slice(0, 2);
  const whole = group3(m[2]!.replace(/^0+(?=\d)/, ''));
  const zero = /^0+$/.test(m[2]!) && /^0*$/.test(m[3] ?? '');
  return `${m[1] && !zero ? '-' : ''}£${whole}.${frac}`;
}

/** Escape text for HTML element content and attribute values. */
export function esc(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return '';
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A file-name-safe slug of an identifier (area code, period label). */
export function slug(s: string): string {
  const t = s.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return t.length > 0 ? t : 'x';
}

/**
 * An amount of money as the report and the pack show it, the way the statements show it: a
 * deduction (a negative amount of a deduction component) carries a minus sign and the word
 * "deduction" (`-£1,600.00 deduction`, as on the statements); any other amount is `money()`.
 */
export function amount(text: string | null | undefined, isDeduction = false): string {
  const m = money(text);
  return isDeduction && /^\s*-/.test(text ?? '') && /[1-9]/.test(text ?? '') ? `${m} deduction` : m;
}
