import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, ident, literal } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { shown } from '../contract/load.js';
import { INPUT_FILES, type ColumnDef, type FileDef } from '../schema/inputs.js';
import { formatOf, readCsvHeader, splitHeader, walkFiles, type Source } from '../validate/files.js';
import { sheetNames, sheetToCsv } from '../validate/xlsx.js';

/**
 * `pbr map --data DIR`: a draft mapping file (docs/extracts.md) from the files a folder holds.
 * Every file is profiled in SQL (queries/map_profile.sql: per column the values seen, the date
 * formats that read them, the missing-value markers among them); the draft then matches each file
 * to an input and each header to an engine column by name, and writes what it guessed with the
 * evidence beside it, every guess marked `# confirm` for a person to check.
 */
export const MARKERS = ['NULL', 'null', 'NA', 'N/A', '#N/A', 'None', '-'];

interface ColumnProfile {
  col: string;
  n: number;
  distinct_n: number;
  top: { v: string; n: number }[];
  markers: { v: string; n: number }[];
  formats: { f: string; n: number; midnight: number }[];
  numeric: number;
}

/** One file (or one sheet of a workbook) of the folder and what its columns hold. */
interface Profiled {
  file: string;
  sheet: string | null;
  format: string;
  delimiter: string;
  header: string[];
  rows: number;
  columns: Map<string, ColumnProfile>;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Usual names of the engine's columns in case-management and police extracts (normalised: lower case, letters and digits). */
const SYNONYMS: Record<string, string[]> = {
  person_id: ['crn', 'personid', 'offenderid', 'offenderno', 'nomsnumber', 'nomsno', 'pncid', 'personref', 'caseref', 'caseid'],
  date_of_birth: ['dob', 'dateofbirth', 'birthdate', 'birthdt'],
  sex: ['gender', 'sexcode', 'gendercode'],
  pnc_matched: ['pnc', 'pncmatch', 'pncmatched', 'matched', 'pncflag'],
  group: ['cohortgroup', 'arm', 'treatmentgroup'],
  start_id: ['eventid', 'eventno', 'orderid', 'sentenceid', 'startref', 'eventref'],
  start_date: ['sentencedate', 'commencementdate', 'orderdate', 'releasedate', 'eventdate', 'startdt'],
  start_type: ['eventtype', 'ordertype', 'sentencetype', 'disposaltype'],
  sentence_length_days: ['lengthdays', 'sentencelength', 'orderlength', 'lengthofsentence', 'sentencedays', 'days'],
  cpa: ['cpacode', 'area', 'areacode', 'contractpackagearea', 'crc'],
  allocation: ['provider', 'managedby', 'allocatedto', 'providertype', 'manager'],
  em_only: ['emonly', 'curfewonly', 'emcurfewonly', 'electronicmonitoringonly', 'tagonly'],
  ogrs: ['ogrs3', 'ogrs31yr', 'ogrs4', 'ogrsscore', 'ogrs1yr', 'ogrsg3', 'ogrs4g'],
  offence_id: ['offenceref', 'offenceno', 'offencereference', 'offid'],
  offence_date: ['dateofoffence', 'committeddate', 'offencedt', 'offencestartdate'],
  disposal_date: ['convictiondate', 'outcomedate', 'disposaldt', 'cautiondate', 'dateofdisposal'],
  disposal_type: ['disposal', 'outcome', 'outcometype', 'disposalcode', 'resulttype'],
  court_event_id: ['courtevent', 'courtappearanceid', 'hearingid', 'appearanceid', 'courteventref', 'courtcaseref'],
  breach: ['breachflag', 'isbreach', 'breachoffence'],
};

/** Usual words for the engine's codes, normalised. */
const CODE_WORDS: Record<string, string[]> = {
  M: ['male', 'man', 'm'],
  F: ['female', 'woman', 'f'],
  U: ['unknown', 'notknown', 'notrecorded', 'notstated', 'u', 'other'],
  CO: ['communityorder', 'community'],
  SSO: ['suspendedsentenceorder', 'suspendedsentence', 'suspended'],
  CUSTODY_RELEASE: ['licence', 'license', 'release', 'custody', 'custodyrelease', 'releasedoncustody', 'releasedfromcustody', 'licenceperiod'],
  CONVICTION: ['convicted', 'conviction', 'guilty'],
  CAUTION: ['cautioned', 'caution'],
  treatment: ['treatment', 'intervention'],
  comparison: ['comparison', 'control'],
};

/** How well a header names an engine column: 3 its own name, 2 a usual name, 1 one contains the other, 0 not at all. */
function nameScore(header: string, c: ColumnDef): number {
  const h = norm(header);
  const e = norm(c.name);
  if (h === e) return 3;
  if ((SYNONYMS[c.name] ?? []).includes(h)) return 2;
  if (h.length >= 3 && e.length >= 3 && (h.includes(e) || e.includes(h))) return 1;
  return 0;
}

/** The engine code a source value most likely stands for, or null. */
export function suggestCode(value: string, codes: readonly string[]): string | null {
  const v = norm(value);
  for (const c of codes) if (norm(c) === v) return c;
  const initials = value
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  for (const c of codes) if (initials.length > 1 && initials === c) return c;
  for (const c of codes) if ((CODE_WORDS[c] ?? []).includes(v)) return c;
  return null;
}

const TRUE_WORDS = ['true', 't', 'y', 'yes', '1'];
const FALSE_WORDS = ['false', 'f', 'n', 'no', '0'];

async function profileTable(db: Db, file: string, sheet: string | null, format: string, delimiter: string, header: string[]): Promise<Profiled> {
  const rows = Number(await db.scalar(`SELECT count(*) FROM map_src`));
  const profiles = await db.allNamed<ColumnProfile>('map_profile', { markers: MARKERS });
  const columns = new Map(profiles.map((p) => [p.col, { ...p, n: Number(p.n), distinct_n: Number(p.distinct_n), numeric: Number(p.numeric) }]));
  return { file, sheet, format, delimiter, header, rows, columns };
}

/** Profile every .csv, .csv.gz, .parquet and .xlsx file of the folder; what cannot be read is listed with why. */
export async function profileFolder(db: Db, dataDir: string): Promise<{ profiles: Profiled[]; skipped: { file: string; why: string }[] }> {
  const profiles: Profiled[] = [];
  const skipped: { file: string; why: string }[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'pbr-map-'));
  try {
    for (const file of walkFiles(dataDir)) {
      const format = formatOf(file);
      if (!format) {
        // files that look like data in another format are listed; code, notes and settings are not
        if (/\.(xls|xlsm|xlsb|ods|tsv|dat|gz|zip|sav|dta|sas7bdat|feather|arrow)$/i.test(file)) {
          skipped.push({ file, why: 'not a .csv, .csv.gz, .parquet or .xlsx file: convert it to one of those' });
        }
        continue;
      }
      const p = path.join(dataDir, file);
      try {
        if (format === 'parquet') {
          const header = (await db.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${literal(p)})`)).map((d) => d.column_name);
          await db.run(`CREATE OR REPLACE TABLE map_src AS SELECT ${header.map((h) => `CAST(${ident(h)} AS VARCHAR) AS ${ident(h)}`).join(', ')} FROM read_parquet(${literal(p)})`);
          profiles.push(await profileTable(db, file, null, format, ',', header));
        } else if (format === 'xlsx') {
          for (const [i, name] of (await sheetNames(p)).entries()) {
            const out = path.join(scratch, `sheet-${i}.csv`);
            let sheet;
            try {
              sheet = await sheetToCsv(p, name, out);
            } catch (e) {
              if (e instanceof InputError) {
                skipped.push({ file: `${file} (sheet ${name})`, why: e.message.replace(/^.*?: /, '') });
                continue;
              }
              throw e;
            }
            await loadCsv(db, out, ',', sheet.header, true);
            profiles.push(await profileTable(db, file, name, format, ',', sheet.header));
          }
        } else {
          const src = { path: p, format } as Source;
          const line = await readCsvHeader(src);
          // the separator the header uses most
          const delimiter = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
          const header = splitHeader(line, delimiter);
          await loadCsv(db, p, delimiter, header, false);
          profiles.push(await profileTable(db, file, null, format, delimiter, header));
        }
      } catch (e) {
        skipped.push({ file, why: shown(String((e as Error).message ?? e).split('\n')[0]!.replace(/^.*?: /, '')) });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { profiles, skipped };
}

async function loadCsv(db: Db, p: string, delimiter: string, header: string[], sheet: boolean): Promise<void> {
  const names = sheet ? ['__pbr_sheet_row', ...header] : header;
  const columns = `{${names.map((h) => `${literal(h)}: 'VARCHAR'`).join(', ')}}`;
  await db.run(
    `CREATE OR REPLACE TABLE map_src AS SELECT ${header.map((h) => ident(h)).join(', ')}
     FROM read_csv(${literal(p)}, header = true, auto_detect = false, delim = ${literal(delimiter)}, quote = '"', escape = '"', columns = ${columns}, ignore_errors = true)`,
  );
}

/** Which input a file holds: the input whose columns its headers name best (file names break ties). */
function assignInput(p: Profiled): { def: FileDef; matches: Map<string, { header: string; score: number }> } | null {
  let best: { def: FileDef; matches: Map<string, { header: string; score: number }>; total: number } | null = null;
  const hint = norm(`${p.file} ${p.sheet ?? ''}`);
  const hints: Record<string, string[]> = {
    cohort: ['cohort', 'offender', 'person', 'people'],
    starts: ['start', 'event', 'order', 'sentence', 'release'],
    reconvictions: ['reconviction', 'offence', 'pnc', 'conviction'],
    service_levels: ['servicelevel', 'service'],
    baselines: ['baseline'],
    thresholds: ['threshold'],
  };
  for (const def of INPUT_FILES) {
    const matches = new Map<string, { header: string; score: number }>();
    const taken = new Set<string>();
    // the strongest name matches first, each header used once
    const pairs = def.columns.flatMap((c) => p.header.map((h) => ({ c, h, s: nameScore(h, c) }))).filter((x) => x.s > 0);
    pairs.sort((a, b) => b.s - a.s);
    for (const { c, h, s } of pairs) {
      if (matches.has(c.name) || taken.has(h)) continue;
      matches.set(c.name, { header: h, score: s });
      taken.add(h);
    }
    const required = def.columns.filter((c) => c.required);
    const found = required.filter((c) => matches.has(c.name)).length;
    let total = [...matches.values()].reduce((a, m) => a + m.score, 0) + found / required.length;
    if ((hints[def.name] ?? []).some((w) => hint.includes(w))) total += 2;
    if (found < Math.min(2, required.length)) continue;
    if (!best || total > best.total) best = { def, matches, total };
  }
  return best;
}

const q = (s: string) => JSON.stringify(s);
const seen = (top: { v: string; n: number }[], k = 4) => top.slice(0, k).map((t) => `${shown(t.v)} (${t.n})`).join(', ');

/** The draft mapping, as YAML text with a comment beside every guess. */
export function draftMapping(dataDir: string, profiles: Profiled[], skipped: { file: string; why: string }[]): string {
  const out: string[] = [
    `# Draft mapping made by \`pbr map\` from the files in ${dataDir}.`,
    '# Every line marked "# confirm" is a guess: check it against the extracts, correct it, then prove it with',
    '#   pbr validate --data DIR --mapping THIS_FILE',
    '# (docs/extracts.md and docs/extracts.md say what each key means).',
    '#',
    '# Files found:',
  ];
  const assigned = new Map<string, { p: Profiled; matches: Map<string, { header: string; score: number }> }[]>();
  for (const p of profiles) {
    const a = assignInput(p);
    const name = `${p.file}${p.sheet ? ` (sheet ${p.sheet})` : ''}`;
    out.push(`#   ${name}: ${p.rows} rows, ${p.header.length} columns -> ${a ? a.def.name : 'no input recognised (left out)'}`);
    if (a) assigned.set(a.def.name, [...(assigned.get(a.def.name) ?? []), { p, matches: a.matches }]);
  }
  for (const s of skipped) out.push(`#   ${s.file}: skipped (${s.why})`);
  const formatsSeen = new Map<string, string[]>();
  const trueSeen = new Map<string, string[]>();
  const falseSeen = new Map<string, string[]>();
  out.push('inputs:');
  for (const def of INPUT_FILES) {
    const group = assigned.get(def.name);
    if (!group) continue;
    const first = group[0]!;
    out.push(`  ${def.name}:`);
    const files = group.map((g) => g.p.file);
    out.push(`    files: ${filesPattern(files)}   # confirm: ${group.length} file(s) with these columns`);
    if (first.p.sheet) out.push(`    sheet: ${q(first.p.sheet)}   # confirm`);
    if (first.p.delimiter !== ',') out.push(`    delimiter: ${q(first.p.delimiter)}   # confirm: the header is separated by ${q(first.p.delimiter)}`);
    const prof = (header: string) => {
      // a column's values over every file of the input
      const all = group.flatMap((g) => (g.p.columns.get(header) ? [g.p.columns.get(header)!] : []));
      return all;
    };
    out.push('    columns:');
    const valueLines: string[] = [];
    const markerLines: string[] = [];
    const used = new Set<string>();
    for (const c of def.columns) {
      const m = first.matches.get(c.name);
      if (!m) {
        out.push(`      # ${c.name}: ${c.required ? 'REQUIRED, ' : ''}no header found: name the source column here   # confirm`);
        continue;
      }
      used.add(m.header);
      const ps = prof(m.header);
      const n = ps.reduce((a, p) => a + p.n, 0);
      const top = mergeTop(ps);
      const why = m.score === 3 ? 'same name' : m.score === 2 ? `${shown(m.header)} is a usual name of ${c.name}` : 'similar name';
      out.push(`      ${c.name}: ${q(m.header)}   # confirm: ${why}; ${n} values, e.g. ${seen(top, 3)}`);
      if (c.type.kind === 'enum') {
        const codes = c.type.values;
        const entries: string[] = [];
        for (const t of mergeTop(ps, 1000)) {
          if (MARKERS.includes(t.v) || codes.includes(t.v)) continue;
          const code = suggestCode(t.v, codes);
          entries.push(code ? `${q(t.v)}: ${code}` : `# ${q(t.v)}: ?  (which of ${codes.join(', ')}?)`);
        }
        if (entries.length > 0) {
          valueLines.push(`      ${c.name}:   # confirm: values seen ${seen(top, 6)}`);
          for (const e of entries) valueLines.push(`        ${e}`);
        }
      }
      if (c.area) {
        // area codes are usually upper case; the contract's areas decide
        const lower = mergeTop(ps, 1000).filter((t) => !MARKERS.includes(t.v) && t.v.toUpperCase() !== t.v);
        if (lower.length > 0) {
          valueLines.push(`      ${c.name}:   # confirm: area codes must match the contract's areas; values seen ${seen(top, 6)}`);
          for (const t of lower) valueLines.push(`        ${q(t.v)}: ${q(t.v.toUpperCase())}`);
        }
      }
      if (c.type.kind === 'date') {
        for (const f of dateFormats(ps)) formatsSeen.set(f, [...(formatsSeen.get(f) ?? []), m.header]);
      }
      if (c.type.kind === 'boolean') {
        for (const t of mergeTop(ps, 1000)) {
          if (t.v === 'true' || t.v === 'false') continue;
          if (TRUE_WORDS.includes(t.v.toLowerCase())) trueSeen.set(t.v, [...(trueSeen.get(t.v) ?? []), m.header]);
          else if (FALSE_WORDS.includes(t.v.toLowerCase())) falseSeen.set(t.v, [...(falseSeen.get(t.v) ?? []), m.header]);
        }
      }
      for (const mk of mergeMarkers(ps)) markerLines.push(`${q(mk.v)} seen ${mk.n} time(s) in ${shown(m.header)}`);
    }
    if (valueLines.length > 0) out.push('    values:', ...valueLines);
    const extra = [...new Set(group.flatMap((g) => [...g.p.header, ...partitionNames(g.p.file)]))].filter((h) => !used.has(h));
    if (extra.length > 0) out.push(`    ignore_columns: [${extra.map(q).join(', ')}]   # confirm: no engine column matches; map any that hold one`);
    if (markerLines.length > 0) {
      const tokens = [...new Set(markerLines.map((l) => JSON.parse(l.slice(0, l.indexOf(' seen'))) as string))];
      out.push(`    missing_values: ["", ${tokens.map(q).join(', ')}]   # confirm: suspect missing-value markers: ${markerLines.join('; ')}`);
    }
  }
  out.push('defaults:');
  const fmts = [...formatsSeen.keys()];
  if (fmts.length > 0) out.push(`  date_formats: [${fmts.map(q).join(', ')}]   # confirm: ${fmts.map((f) => `${f} reads ${formatsSeen.get(f)!.map(shown).join(', ')}`).join('; ')}`);
  if (trueSeen.size > 0) out.push(`  true_values: [${[...trueSeen.keys()].map(q).join(', ')}]   # confirm: seen in ${[...new Set([...trueSeen.values()].flat())].map(shown).join(', ')}`);
  if (falseSeen.size > 0) out.push(`  false_values: [${[...falseSeen.keys()].map(q).join(', ')}]   # confirm: seen in ${[...new Set([...falseSeen.values()].flat())].map(shown).join(', ')}`);
  if (fmts.length === 0 && trueSeen.size === 0 && falseSeen.size === 0) out.push('  {}');
  return `${out.join('\n')}\n`;
}

/** The partition column names of a file in a key=value folder tree. */
function partitionNames(file: string): string[] {
  return file
    .split('/')
    .slice(0, -1)
    .flatMap((seg) => {
      const m = /^([^=]+)=/.exec(seg);
      return m ? [m[1]!] : [];
    });
}

/** One pattern for an input's files when they share a folder and extension, else the list. */
function filesPattern(files: string[]): string {
  if (files.length === 1) return q(files[0]!);
  const parts = files.map((f) => f.split('/'));
  // a key=value tree: its top folder
  const hive = parts.every((p) => p.length > 1 && p.slice(1, -1).every((s) => s.includes('=')) && p[1]!.includes('=') && p[0] === parts[0]![0]);
  if (hive) return q(`${parts[0]![0]}/`);
  const dirs = new Set(files.map((f) => path.posix.dirname(f)));
  const exts = new Set(files.map((f) => formatOf(f)));
  if (dirs.size === 1 && exts.size === 1) {
    const d = [...dirs][0]!;
    return q(`${d === '.' ? '' : `${d}/`}*.${[...exts][0]}`);
  }
  return `[${files.map(q).join(', ')}]`;
}

function mergeTop(ps: ColumnProfile[], k = 15): { v: string; n: number }[] {
  const m = new Map<string, number>();
  for (const p of ps) for (const t of p.top) m.set(t.v, (m.get(t.v) ?? 0) + Number(t.n));
  return [...m.entries()]
    .map(([v, n]) => ({ v, n }))
    .sort((a, b) => b.n - a.n || (a.v < b.v ? -1 : a.v > b.v ? 1 : 0))
    .slice(0, k);
}

function mergeMarkers(ps: ColumnProfile[]): { v: string; n: number }[] {
  const m = new Map<string, number>();
  for (const p of ps) for (const t of p.markers) m.set(t.v, (m.get(t.v) ?? 0) + Number(t.n));
  return [...m.entries()].map(([v, n]) => ({ v, n })).sort((a, b) => (a.v < b.v ? -1 : 1));
}

/**
 * The candidate formats that read the column's values (markers aside): the one that reads most
 * first, then, while some values are still unread, the others that read any (month-first US
 * dates only when day-first ones read fewer).
 */
function dateFormats(ps: ColumnProfile[]): string[] {
  const present = ps.reduce((a, p) => a + p.n - p.markers.reduce((b, mk) => b + Number(mk.n), 0), 0);
  if (present === 0) return [];
  const reads = ps[0]!.formats.map((f) => ({ f: f.f, n: ps.reduce((a, p) => a + Number(p.formats.find((x) => x.f === f.f)!.n), 0) }));
  const best = [...reads].sort((a, b) => b.n - a.n)[0]!;
  if (best.n === 0) return [];
  if (best.n >= present) return [best.f];
  const dayFirst = reads.find((r) => r.f === '%d/%m/%Y')!.n;
  return reads.filter((r) => r.n > 0 && !(r.f === '%m/%d/%Y' && dayFirst >= r.n)).map((r) => r.f);
}
