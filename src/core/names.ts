/**
 * Names the engine makes from area codes and period labels: output file names and page anchors.
 * Both must be injective (two areas never share a file or an anchor) and ordinary codes must stay
 * readable: `CPA01` and `2015Q4` give `CPA01_2015Q4.html`.
 *
 * A component keeps letters, digits and `-`; every other character becomes `~` and the upper-case
 * hex of its UTF-8 bytes (`CPA.01` -> `CPA~2E01`, `CPA_01` -> `CPA~5F01`). A period label may also
 * keep `/` written `_to_` (the contract-year label `2015-02-01/2016-01-31` gives
 * `2015-02-01_to_2016-01-31`): no component ever holds a raw `_`, so the first `_` of a file name
 * is always the separator and every later `_to_` is a `/`.
 */
function encode(s: string, keepSlash: boolean): string {
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9-]/.test(ch)) out += ch;
    else if (keepSlash && ch === '/') out += '_to_';
    else for (const b of Buffer.from(ch, 'utf8')) out += `~${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** An area code as a file-name component (injective). */
export function areaFileName(area: string): string {
  return encode(area, false);
}

/** A period label as a file-name component (injective; `/` written `_to_`). */
export function periodFileName(period: string): string {
  return encode(period, true);
}

/** The base name (no extension) of the statement of an area and period: `CPA01_2015Q4`. */
export function statementBase(area: string, period: string): string {
  return `${areaFileName(area)}_${periodFileName(period)}`;
}

/** The base name of an area's contract-year summary: `CPA01_contract_years` (no period encodes to `contract_years`). */
export function contractYearsBase(area: string): string {
  return `${areaFileName(area)}_contract_years`;
}

/** The base name of an area's workbook: `CPA01` (statements/CPA01.xlsx). */
export function workbookBase(area: string): string {
  return areaFileName(area);
}

/**
 * The anchor (HTML id) of an area's section in report.html: `area-CPA01`; the all-areas section
 * is `area-ALL` (no area may be coded ALL). Statements link to `../report.html#<anchor>`.
 */
export function areaAnchor(area: string | null): string {
  return area === null ? 'area-ALL' : `area-${areaFileName(area)}`;
}

/** The anchor of a cohort period's section in report.html: `period-2015Q4`. */
export function periodAnchor(period: string): string {
  return `period-${periodFileName(period)}`;
}
