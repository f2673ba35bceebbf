/**
 * Money as people read it, from the exact decimal text DuckDB gives (never through a float). One
 * rule for every page the engine writes (statements and report): a deduction is shown with a
 * minus sign and the word deduction, `-1,234.56 deduction`.
 */

/** HTML text escaping (text and attribute values). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1234567.8 as text '1,234,567.80' from the exact decimal text DuckDB gave (no float). */
export function moneyText(dec: string): string {
  const neg = dec.startsWith('-');
  const [i = '0', f = ''] = (neg ? dec.slice(1) : dec).split('.');
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}.${(f + '00').slice(0, 2)}`;
}

/**
 * An exact decimal text with thousands separators, every given decimal kept but trailing zeros
 * beyond `minPlaces` dropped: ('980000.009800', 2) -> '980,000.0098', ('3200.000000', 2) -> '3,200.00'.
 */
export function decimalText(dec: string, minPlaces = 2): string {
  const neg = dec.startsWith('-');
  const [i = '0', f = ''] = (neg ? dec.slice(1) : dec).split('.');
  let frac = f.replace(/0+$/, '');
  if (frac.length < minPlaces) frac = (frac + '0'.repeat(minPlaces)).slice(0, minPlaces);
  const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/** A decimal text is below zero (not '-0.00', which DECIMAL never gives). */
export function isNegative(dec: string): boolean {
  return dec.startsWith('-') && /[1-9]/.test(dec);
}

/**
 * An amount in an HTML cell: `1,234.56`, or for money taken back `-1,234.56 deduction`; the report
 * shows deductions the same way.
 */
export function amountHtml(dec: string | null | undefined): string {
  if (dec === null || dec === undefined) return 'n/a';
  return isNegative(dec) ? `${esc(moneyText(dec))}<span class="ded"> deduction</span>` : esc(moneyText(dec));
}

/** The same as plain text (for sentences): `GBP -1,234.56 (a deduction)`. */
export function amountText(dec: string): string {
  return isNegative(dec) ? `GBP ${moneyText(dec)} (a deduction)` : `GBP ${moneyText(dec)}`;
}

