import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, PACKAGE_ROOT } from '../src/paths.js';
import { parse as parseYaml } from 'yaml';
import { readmeWithInputs, SHIPPED_SCHEMAS, schemaText } from '../src/docs.js';
import { contractJsonSchema } from '../src/contract/schema.js';
import { parseContract } from '../src/contract/load.js';
import { Db } from '../src/db/duckdb.js';
import { doneWith, testDb } from './helpers/db.js';
import type { RunContext } from '../src/core/context.js';
import { assessInto } from '../src/run/assess.js';
import { pay } from '../src/pay/index.js';
import { readSql } from '../src/db/sql.js';
import { measureInline, rows, type Inline, type Measured, type OffenceRow, type PersonRow, type StartRow } from './measure-helpers/load.js';
import { close, cohortOf, measureRow, outcome, reasons } from './measure-helpers/read.js';
import { pbrIn } from './helpers/cli.js';
import { missingThresholds } from '../src/measure/index.js';
import { Cells } from '../src/report/suppress.js';
import { shared } from './helpers/shared.js';
import { loadDataset } from '../src/validate/load.js';
import { loadMapping } from '../src/mapping/load.js';
import { describeRejects, summarise, writeValidationJson } from '../src/core/validationReport.js';
import { ManifestSchema, ValidationSchema } from '../src/core/artifactSchemas.js';

describe('README', () => {
  const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  it('has the two-line Quick start', () => {
    expect(readme).toContain('```sh\nnpm install && npx pbr demo\nnpm install && npm test\n```');
  });
  it('input tables are the ones generated from src/schema/inputs.ts (run `npm run docs` after changing it)', () => {
    expect(readme).toBe(readmeWithInputs(readme));
  });
});

describe('shipped JSON Schemas (schema/)', () => {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { files: string[] };

  it('`pbr contract-schema` prints schema/contract.schema.json exactly', async () => {
    const r = await pbrIn(['contract-schema']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(PACKAGE_ROOT, 'schema', 'contract.schema.json'), 'utf8'));
  });

  for (const s of SHIPPED_SCHEMAS) {
    it(`${s.file} is current: run \`npm run docs\` and commit it after changing its schema`, () => {
      const file = readFileSync(path.join(PACKAGE_ROOT, s.file), 'utf8');
      expect(file).toBe(schemaText(s));
    });

    it(`${s.file} has an $id naming the shipped file and a title, and is in the package`, () => {
      const j = s.schema();
      expect(String(j.$id).endsWith(`/${s.file}`)).toBe(true);
      expect(typeof j.title).toBe('string');
      expect(pkg.files).toContain(s.file.split('/')[0]);
    });
  }
});

/** validation.json as `pbr validate` writes it for `data` (through `mapping` when given), and the terminal's lines. */
let written = 0;
async function validation(data: string, mapping?: string): Promise<{ json: unknown; lines: string[] }> {
  const db = await testDb();
  try {
    const load = await loadDataset(db, data, parseContract({ contract: 'none' }, 'docs'), { mapping: mapping ? loadMapping(mapping) : null });
    const summary = summarise(load.inputs, load.rejectedRows, load.rejectCount, load.mapping);
    const file = path.join(validationDir, `validation-${++written}.json`);
    await writeValidationJson(db, file, summary);
    return { json: JSON.parse(readFileSync(file, 'utf8')) as unknown, lines: await describeRejects(db, summary) };
  } finally {
    doneWith(db);
  }
}
const validationDir = mkdtempSync(path.join(os.tmpdir(), 'docs-validation-'));
afterAll(() => rmSync(validationDir, { recursive: true, force: true }));

describe('manifest.json and validation.json follow their shipped schemas', () => {
  // One real run of fixtures/hand, then two validations: fixtures/extracts read through its
  // mapping (a mapping and a workbook sheet recorded) and a dataset with a rejected row.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docs-artifacts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let out: string;
  beforeAll(async () => {
    // the run of fixtures/hand with its own contract, shared with other test files (read only)
    out = (await shared('hand')).run;
  });
  const json = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as unknown;
  it("a run's manifest.json parses with ManifestSchema (every key described, none unknown)", () => {
    const m = ManifestSchema.parse(json(path.join(out, 'manifest.json')));
    expect(m.inputs.map((i) => i.input)).toEqual(['cohort', 'starts', 'reconvictions']);
    expect(m.person_level).toEqual(['offender_outcomes.parquet', 'offender_offences.parquet', 'validation.json', 'volumes.csv']);
  });

  it("a run's validation.json parses with ValidationSchema", () => {
    const v = ValidationSchema.parse(json(path.join(out, 'validation.json')));
    expect([v.ok, v.rejected_rows, v.rejects, v.mapping]).toEqual([true, 0, [], null]);
  });

  it('validation.json of mapped extracts (a workbook sheet, the mapping file) parses with ValidationSchema', async () => {
    const extracts = path.join(FIXTURES_DIR, 'extracts');
    const v = ValidationSchema.parse((await validation(extracts, path.join(extracts, 'mapping.yaml'))).json);
    expect(v.files[0]).toMatchObject({ name: 'cohort', file: 'offenders.xlsx', sheet: 'Offenders' });
    expect(v.mapping?.file).toBe('mapping.yaml');
  });
});

// ------------------------------------------------------------------ docs/contract.md

type Node = Record<string, unknown> & {
  properties?: Record<string, Node>;
  required?: string[];
  anyOf?: Node[];
  items?: Node;
  additionalProperties?: Node | boolean;
  default?: unknown;
};

interface KeyInfo {
  node: Node;
  required: boolean;
}

/** Every key of the JSON Schema as docs/contract.md names it: `a.b`, `a.list[].c`, `a.record.AREA[].d`. */
function schemaKeys(root: Node): Map<string, KeyInfo> {
  const out = new Map<string, KeyInfo>();
  const walk = (node: Node, prefix: string) => {
    for (const option of node.anyOf ?? []) walk(option, prefix);
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.set(p, { node: child, required: (node.required ?? []).includes(k) });
      walk(child, p);
    }
    if (node.items) walk(node.items, `${prefix}[]`);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${prefix}.AREA`);
  };
  walk(root, '');
  return out;
}

/** The rows of the key tables (those headed | key | type | default | meaning | example |). */
function keyRows(md: string): { key: string; def: string; example: string }[] {
  const out: { key: string; def: string; example: string }[] = [];
  let inKeyTable = false;
  for (const l of md.split('\n')) {
    if (!l.startsWith('|')) inKeyTable = false;
    else if (l === '| key | type | default | meaning | example |') inKeyTable = true;
    else if (inKeyTable && l.startsWith('| `')) {
      const cells = l.slice(1, -1).split(' | ').map((c) => c.trim());
      out.push({ key: cells[0]!.replace(/`/g, ''), def: cells[2] ?? '', example: cells[4] ?? '' });
    }
  }
  return out;
}

function code(cell: string): unknown {
  const m = /^`(.*)`$/.exec(cell);
  if (!m) throw new Error(`expected a value in backticks, got ${cell}`);
  return JSON.parse(m[1]!);
}

/** A valid contract with one of everything a key example may need to sit in. */
function exampleBase(): Record<string, unknown> {
  return {
    contract: 'docs-example',
    termination: { increase_points: 5, consecutive_periods: 2 },
    fee_for_service: {
      bands: [{ start_type: 'CO', weight: 1 }],
      areas: { AREA: [{ from: '2015-02-01', to: '2016-01-31', annual_price: 1000, volume_low: 0, volume_high: 1000000 }] },
    },
  };
}

/** Sets value at a docs key path (`x[]` is the first element of list x) inside obj. */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  const segs = key.split('.');
  let o: Record<string, unknown> = obj;
  segs.forEach((seg, i) => {
    const list = seg.endsWith('[]');
    const name = list ? seg.slice(0, -2) : seg;
    if (i === segs.length - 1 && !list) {
      o[name] = value;
      return;
    }
    if (o[name] === undefined || o[name] === null) o[name] = list ? [{}] : {};
    o = (list ? (o[name] as Record<string, unknown>[])[0] : o[name]) as Record<string, unknown>;
  });
}

/** Fenced blocks of a markdown text: language, text, and the `<!-- example: NAME -->` line just before. */
function fencedBlocks(md: string): { lang: string; text: string; marker: string | null }[] {
  const out: { lang: string; text: string; marker: string | null }[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```([a-z]*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf(`${open[1]}\`\`\``, i + 1);
    if (end < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    const marker = /^<!-- example: ([a-z-]+) -->$/.exec(lines[i - 1] ?? '');
    out.push({ lang: open[2]!, text: lines.slice(i + 1, end).join('\n'), marker: marker ? marker[1]! : null });
    i = end;
  }
  return out;
}

function blockValue(b: { lang: string; text: string }): Record<string, unknown> {
  return (b.lang === 'json' ? JSON.parse(b.text) : parseYaml(b.text)) as Record<string, unknown>;
}

describe('docs/contract.md', () => {
  const md = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'contract.md'), 'utf8');
  const keys = schemaKeys(contractJsonSchema() as Node);
  const rows = keyRows(md);

  it('documents every key of the contract schema, and no key the schema lacks', () => {
    const documented = rows.map((r) => r.key);
    expect([...keys.keys()].filter((k) => !documented.includes(k))).toEqual([]);
    expect(documented.filter((k) => !keys.has(k))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it("gives each key the schema's own default (or says it is required, or absent)", () => {
    for (const r of rows) {
      const k = keys.get(r.key)!;
      if (r.def === 'required') expect(k.required, r.key).toBe(true);
      else if (r.def === 'absent') expect(k.required || 'default' in k.node, r.key).toBe(false);
      else expect(code(r.def), r.key).toEqual(k.node.default);
    }
  });

  it("each key's example is a valid value for that key", () => {
    for (const r of rows) {
      const c = exampleBase();
      setKey(c, r.key, code(r.example));
      expect(() => parseContract(c, `example of ${r.key}`), r.key).not.toThrow();
    }
  });

  it('has one complete, valid example contract per scheme', () => {
    const examples = fencedBlocks(md).filter((b) => b.marker !== null);
    expect(examples.map((b) => b.marker)).toEqual(['tr-crc', 'peterborough', 'doncaster']);
    for (const b of examples) {
      const c = parseContract(blockValue(b), `docs/contract.md example ${b.marker}`);
      expect(c.scheme).toBe(b.marker);
    }
  });
});

// ------------------------------------------------------------------ docs/method.md and links

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** Anchors of a markdown file's headings (outside code blocks). */
function anchors(md: string): Set<string> {
  const out = new Set<string>();
  let inCode = false;
  for (const l of md.split('\n')) {
    if (/^\s*```/.test(l)) inCode = !inCode;
    const h = /^#{1,6} (.*)$/.exec(l);
    if (h && !inCode) out.add(slug(h[1]!));
  }
  return out;
}

/** Markdown links [text](target) outside code blocks and inline code. */
function links(md: string): string[] {
  const out: string[] = [];
  let inCode = false;
  for (const l of md.split('\n')) {
    if (/^\s*```/.test(l)) inCode = !inCode;
    if (inCode) continue;
    const text = l.replace(/`[^`]*`/g, (c) => (c.includes('](') ? c : ''));
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) out.push(m[1]!);
  }
  return out;
}

/** Every document in docs/. */
const USER_DOCS = readdirSync(path.join(PACKAGE_ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => `docs/${f}`);

describe('user documentation links only to files in the repository', () => {
  for (const doc of USER_DOCS) {
    it(`${doc}: every link is relative and resolves to a file (and heading) in the repository`, () => {
      const md = readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8');
      for (const target of links(md)) {
        expect(/^[a-z]+:/i.test(target), `${doc}: ${target} leaves the repository`).toBe(false);
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const p = file === '' ? path.join(PACKAGE_ROOT, doc) : path.resolve(path.dirname(path.join(PACKAGE_ROOT, doc)), file);
        expect(p.startsWith(PACKAGE_ROOT + path.sep), `${doc}: ${target} is outside the repository`).toBe(true);
        expect(existsSync(p), `${doc}: ${target} does not exist`).toBe(true);
        if (anchor !== undefined) expect(anchors(readFileSync(p, 'utf8')).has(anchor), `${doc}: ${target} names no heading`).toBe(true);
      }
    });

    it(`${doc}: names no machine path or file outside the repository`, () => {
      const md = readFileSync(path.join(PACKAGE_ROOT, doc), 'utf8');
      // the rule text the engine was built from (formats.md, anchors.md) is not in the repository
      expect(md).not.toMatch(/\.\.\/shared|\/work\/|\/home\/|issue tracker|\/issues\/|\bformats\.md|\banchors\.md/);
    });
  }
});

describe('docs/method.md', () => {
  const md = readFileSync(path.join(PACKAGE_ROOT, 'docs', 'method.md'), 'utf8');
  const sections = md.split(/^## (?=\d+\. )/m).slice(1);

  it('has sections 1 to 15 in order', () => {
    expect(sections.map((s) => Number(/^(\d+)\./.exec(s)![1]))).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('every section states the rule, gives a worked example and links the contract keys that change it', () => {
    for (const s of sections) {
      const title = s.split('\n')[0];
      expect(s, title).toContain('**The rule.**');
      expect(s, title).toContain('**Worked example.**');
      // the paragraph starting **Contract key(s):** links into contract.md
      expect(s, title).toMatch(/\*\*Contract keys?:\*\*(?:(?!\n\n)[\s\S])*\]\(contract\.md#/);
    }
  });
});

// ------------------------------------------------------------------ docs/method.md worked examples
//
// The numbers of the worked examples in docs/method.md, computed by the engine on the same small
// data. Each test names its section; the working is written out in method.md itself.

async function withMeasure<T>(data: Inline, f: (m: Measured) => Promise<T>): Promise<T> {
  const m = await measureInline(data);
  try {
    return await f(m);
  } finally {
    m.close();
  }
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'docs-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

/**
 * What `pbr assess` computes from an aggregates CSV (src/run/assess.ts assessInto), without
 * writing its output files (which take most of its time), on one database: the outcomes as
 * outcomes.csv has them (tr-crc: the measures.csv columns) and the payment lines.
 */
let assessDb: Db | null = null;
afterAll(() => assessDb?.close());
async function assess(contract: Record<string, unknown>, csv: string): Promise<{ outcomes: Record<string, string>[]; lines: Record<string, string>[] }> {
  const c = parseContract({ contract: 'docs-example', ...contract });
  const file = path.join(tmp, `agg${++seq}.csv`);
  writeFileSync(file, csv);
  assessDb ??= await Db.open({ threads: 1 });
  const db = assessDb;
  await assessInto(db, file, c);
  let outcomes: Record<string, string>[];
  if (c.scheme === 'tr-crc') {
    await db.exec('measure_macros');
    outcomes = await db.all<Record<string, string>>(readSql('measure_measures_csv').trim().replace(/;\s*$/, ''));
  } else {
    outcomes = await db.all<Record<string, string>>(`SELECT COLUMNS(* EXCLUDE (_order))::VARCHAR FROM assess_outcomes ORDER BY area, _order`);
  }
  const lines = await db.all<Record<string, string>>(
    `SELECT area, period, component, basis, amount::VARCHAR AS amount, rule FROM payments ORDER BY area, component, period`,
  );
  return { outcomes, lines };
}

const amounts = (lines: Record<string, string>[]) => lines.map((l) => `${l.period} ${l.component} ${l.amount}`);

describe('docs/method.md worked examples agree with the engine', () => {
  // Sections 1-5 share one dataset, one area per example: section 2's people in A1 and A2,
  // section 3's person Q in A3 (index 2024-01-31, also section 1's dates), section 4's cohort and
  // section 5's baseline in A4. as_of 2025-09-30: the day 2024Q1 becomes final.
  let shared: Measured;
  beforeAll(async () => {
    const people: PersonRow[] = [
      { person_id: 'P1' }, { person_id: 'P2' }, { person_id: 'P3' }, { person_id: 'P4', date_of_birth: '2006-02-15' },
      { person_id: 'P5', pnc_matched: false }, { person_id: 'P6' }, { person_id: 'P7' }, { person_id: 'Q' },
    ];
    const starts: StartRow[] = [
      { start_id: 'S1a', person_id: 'P1', start_date: '2024-02-10', cpa: 'A1' },
      { start_id: 'S1b', person_id: 'P1', start_date: '2024-01-20', start_type: 'SSO', cpa: 'A2' },
      { start_id: 'S1c', person_id: 'P1', start_date: '2024-05-02', cpa: 'A1' },
      { start_id: 'S2a', person_id: 'P2', start_date: '2024-01-05', start_type: 'CUSTODY_RELEASE', sentence_length_days: 1 },
      { start_id: 'S2b', person_id: 'P2', start_date: '2024-03-01' },
      { start_id: 'S3', person_id: 'P3', start_date: '2024-01-10', em_only: true },
      { start_id: 'S4', person_id: 'P4', start_date: '2024-02-14' },
      { start_id: 'S5', person_id: 'P5', start_date: '2024-02-01' },
      { start_id: 'S6a', person_id: 'P6', start_date: '2024-03-15', cpa: 'A1' },
      { start_id: 'S6B', person_id: 'P6', start_date: '2024-03-15', cpa: 'A2' },
      { start_id: 'S7', person_id: 'P7', start_date: '2024-02-20', allocation: 'NPS' },
      { start_id: 'SQ', person_id: 'Q', start_date: '2024-01-31', cpa: 'A3' },
    ];
    const o = (id: string, offence_date: string, disposal_date: string, more: Partial<OffenceRow> = {}): OffenceRow => ({
      offence_id: id, person_id: 'Q', offence_date, disposal_date, ...more,
    });
    const offences: OffenceRow[] = [
      o('X1', '2024-01-31', '2024-03-01'),
      o('X2', '2024-05-10', '2024-09-02', { court_event_id: 'C1' }),
      o('X3', '2024-05-12', '2024-09-02', { court_event_id: 'C1' }),
      o('X4', '2024-08-01', '2024-08-20', { disposal_type: 'CAUTION' }),
      o('X5', '2024-10-01', '2024-11-01', { breach: true }),
      o('X6', '2025-01-31', '2025-07-31'),
      o('X7', '2025-01-20', '2025-08-01'),
      o('X8', '2025-02-01', '2025-03-01'),
      o('X9', '2024-06-01', '2024-07-01', { disposal_type: 'OTHER' }),
    ];
    // section 4: in A4, R1-R4 reoffend (1, 2, 3 and 4 offences in 1, 1, 3 and 2 court events),
    // N1-N6 do not, U is not PNC-matched; section 5: 2011Q1 six people, three reoffend with 9
    // offences; 2011Q2 four people, one reoffends once.
    const add = (id: string, date: string, ogrs: string, events: number[], matched = true) => {
      people.push({ person_id: id, pnc_matched: matched });
      starts.push({ start_id: `S${id}`, person_id: id, start_date: date, ogrs, cpa: 'A4' });
      const y = date.slice(0, 4);
      events.forEach((k, e) => {
        for (let j = 0; j < k; j++) {
          offences.push({ offence_id: `O${id}-${e}-${j}`, person_id: id, offence_date: `${y}-06-1${j}`, disposal_date: `${y}-09-0${e + 1}`, court_event_id: `C${id}-${e}` });
        }
      });
    };
    add('R1', '2024-02-01', '0.45', [1]);
    add('R2', '2024-02-01', '0.45', [2]);
    add('R3', '2024-02-01', '0.45', [1, 1, 1]);
    add('R4', '2024-02-01', '0.45', [2, 2]);
    for (let i = 1; i <= 6; i++) add(`N${i}`, '2024-02-01', '0.45', []);
    add('U', '2024-02-01', '0.9', [], false);
    for (const [id, k] of [['B1', 2], ['B2', 3], ['B3', 4], ['B4', 0], ['B5', 0], ['B6', 0]] as const) add(id, '2011-02-01', '0.5', k ? [k] : []);
    for (const [id, k] of [['B7', 1], ['B8', 0], ['B9', 0], ['B10', 0]] as const) add(id, '2011-05-01', '0.4', k ? [k] : []);
    shared = await measureInline({
      people,
      starts,
      offences,
      contract: { cohort: { period: 'quarter', from: '2024-01-01', to: '2024-06-30' }, follow_up: { as_of: '2025-09-30' } },
    });
  });
  afterAll(() => shared?.close());

  it('section 1: dates, ages and final periods', async () => {
    const q = (await outcome(shared, 'Q', '2024Q1'))!;
    expect([q.window_end, q.waiting_end]).toEqual(['2025-01-31', '2025-07-31']);
    // 2024Q1 ends 2024-03-31; final from add_months(2024-03-31, 18) = 2025-09-30 (as_of here)
    expect((await measureRow(shared, 'A3', '2024Q1')).status).toBe('final');
    await withMeasure(
      {
        people: [{ person_id: 'A', date_of_birth: '2004-02-29' }, { person_id: 'B' }],
        starts: [
          { start_id: 'SA', person_id: 'A', start_date: '2022-02-28' },
          { start_id: 'SB', person_id: 'B', start_date: '2024-01-31' },
        ],
        contract: { cohort: { period: 'quarter', from: '2022-01-01', to: '2024-03-31' }, follow_up: { as_of: '2025-09-29' } },
      },
      async (m) => {
        // born 29 February 2004: 17 on 2022-02-28, so not in the cohort of 2022Q1
        expect(await cohortOf(m, '2022Q1')).toEqual([]);
        expect((await measureRow(m, 'A1', '2024Q1')).status).toBe('interim');
      },
    );
  });

  it('section 2: who is in the cohort of 2024Q1, and in which area', async () => {
    const idx = await rows(
      shared.db,
      `SELECT period, person_id, index_start_id, area, measurable FROM offender_outcomes WHERE person_id LIKE 'P_' ORDER BY period, person_id`,
    );
    expect(idx).toEqual([
      { period: '2024Q1', person_id: 'P1', index_start_id: 'S1b', area: 'A2', measurable: true },
      { period: '2024Q1', person_id: 'P2', index_start_id: 'S2b', area: 'A1', measurable: true },
      { period: '2024Q1', person_id: 'P5', index_start_id: 'S5', area: 'A1', measurable: false },
      { period: '2024Q1', person_id: 'P6', index_start_id: 'S6B', area: 'A2', measurable: true },
      { period: '2024Q2', person_id: 'P1', index_start_id: 'S1c', area: 'A1', measurable: true },
    ]);
    const a1 = await measureRow(shared, 'A1', '2024Q1');
    const a2 = await measureRow(shared, 'A2', '2024Q1');
    expect([a1.eligible, a1.measurable, a2.eligible, a2.measurable]).toEqual([2, 1, 2, 2]);
  });

  it('section 3: which offences count, and the reconviction events', async () => {
    expect(await reasons(shared, 'Q', '2024Q1')).toEqual({
      X1: 'on_index_date', X2: 'counted', X3: 'counted', X4: 'counted', X5: 'breach',
      X6: 'counted', X7: 'after_waiting_period', X8: 'after_window', X9: 'not_proven',
    });
    const q = (await outcome(shared, 'Q', '2024Q1'))!;
    expect([q.reoffender, q.reoffences, q.reconviction_events]).toEqual([true, 4, 2]);
  });

  it('sections 4 and 5: the measures of a period, and a pooled baseline', async () => {
    const r = await measureRow(shared, 'A4', '2024Q1');
    expect([r.eligible, r.measurable, r.reoffenders, r.reoffences, r.reconviction_events]).toEqual([11, 10, 4, 10, 7]);
    expect(close(r.binary_rate, 0.4) && close(r.frequency_rate, 2.5) && close(r.reoffences_per_100, 100)).toBe(true);
    expect(close(r.reconviction_events_per_100, 70) && close(r.expected_rate, 0.45)).toBe(true);
    // baseline: 2011Q1 n 6, r 3, k 9, OGRS 3.0; 2011Q2 n 4, r 1, k 1, OGRS 1.6
    expect([r.baseline_measurable, r.baseline_reoffenders, r.baseline_reoffences]).toEqual([10, 4, 10]);
    // the exact numerators of measures.csv: 10 x 0.45, and the baseline's 6 x 0.5 + 4 x 0.4
    expect([String(r.ogrs_sum), String(r.baseline_ogrs_sum)]).toEqual(['4.500000000000', '4.600000000000']);
    expect(close(r.baseline_binary_rate, 0.4) && close(r.baseline_expected_rate, 0.46) && close(r.baseline_frequency_rate, 2.5)).toBe(true);
    // section 6 on these figures, additive: a = 0.4 - (0.45 - 0.46) = 0.41
    expect(close(r.adjusted_binary_rate, 0.41)).toBe(true);
  });

  const TR = { cohort: { period: 'quarter', from: '2019-04-01' }, follow_up: { as_of: '2022-01-31' } };
  const HEAD = 'area,period,measurable,reoffenders,reoffences,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate,baseline_frequency_rate\n';

  it('section 6: the three adjustments of b = 42%, e = 48%, B_e = 45%', async () => {
    const got: string[] = [];
    for (const method of ['additive', 'ratio', 'none']) {
      const r = await assess({ ...TR, adjustment: { method } }, `${HEAD}A1,2019Q2,400,168,400,0.48,4000,0.5,0.45,2.8\n`);
      got.push(r.outcomes[0]!.adjusted_binary_rate!);
    }
    expect(got).toEqual(['0.390000', '0.393750', '0.420000']);
  });

  it('section 7: thresholds around B = 50% for n = 400', async () => {
    const csv = `${HEAD}A1,2019Q2,400,170,425,0.485,4000,0.5,0.5,2.8\nA2,2019Q2,400,176,425,0.46,4000,0.5,0.5,2.8\n`;
    const band = await assess(TR, csv);
    const one = await assess({ ...TR, significance: { sided: 'one' } }, csv);
    const two = await assess({ ...TR, significance: { method: 'two-proportion' } }, csv);
    const pick = (r: { outcomes: Record<string, string>[] }) =>
      r.outcomes.map((o) => `${o.area} ${o.adjusted_binary_rate} ${o.lower_threshold} ${o.upper_threshold} ${o.binary_outcome} ${o.frequency_outcome}`);
    // A1: a = 170/400 - (0.485 - 0.5) = 0.44; A2: a = 176/400 - (0.46 - 0.5) = 0.48 ... see method.md
    expect(pick(band)).toEqual(['A1 0.440000 0.451001 0.548999 payment reduced', 'A2 0.480000 0.451001 0.548999 none reduced']);
    expect(pick(one)).toEqual(['A1 0.440000 0.458879 0.541121 payment reduced', 'A2 0.480000 0.458879 0.541121 none reduced']);
    // the two-proportion band depends on a: for A1, p = (0.44 x 400 + 0.5 x 4000) / 4400
    expect(pick(two)[0]).toBe('A1 0.440000 0.448612 0.551388 payment reduced');
    expect(two.outcomes[1]!.binary_outcome).toBe('none');
  });

  it('section 8: payments, deductions, the frequency hurdle and the caps', async () => {
    const csv = `${HEAD}A1,2019Q2,400,170,425,0.485,4000,0.5,0.5,2.8\nA2,2019Q2,400,176,425,0.46,4000,0.5,0.5,2.8\nA3,2019Q2,400,222,555,0.485,4000,0.5,0.5,2.8\n`;
    const prices = { binary_price: 3200, deduction_price: 3200, frequency_price: 450 };
    const plain = await assess({ ...TR, payments: prices }, csv);
    expect(plain.outcomes.map((o) => `${o.area} ${o.adjusted_binary_rate} ${o.binary_outcome}`)).toEqual([
      'A1 0.440000 payment', 'A2 0.480000 none', 'A3 0.570000 deduction',
    ]);
    expect(plain.lines.map((l) => `${l.area} ${l.component} ${l.amount}`)).toEqual([
      'A1 binary_payment 76800.00', 'A1 frequency_payment 22950.00', 'A3 binary_deduction -89600.00',
    ]);
    // the line as payments.csv has it (basis quoted: it holds commas)
    const a1 = plain.lines[0]!;
    expect([a1.area, a1.period, a1.component, `"${a1.basis}"`, a1.amount, a1.rule].join(',')).toBe(
      'A1,2019Q2,binary_payment,"(50.0% - 44.0%) x 400 offenders x GBP 3,200.00: baseline binary rate minus the adjusted binary rate (additive OGRS adjustment), times the measurable offenders, times the binary price; the adjusted rate is below the lower threshold 45.1%",76800.00,payments.binary_price',
    );
    const noHurdle = await assess({ ...TR, payments: { ...prices, frequency_hurdle: 'none' } }, csv);
    expect(noHurdle.lines.map((l) => `${l.area} ${l.component} ${l.amount}`)).toEqual([
      'A1 binary_payment 76800.00', 'A1 frequency_payment 22950.00', 'A2 frequency_payment 30510.00',
      'A3 binary_deduction -89600.00', 'A3 frequency_payment 29970.00',
    ]);
    const capped = await assess({ ...TR, payments: { ...prices, cap_per_period: 90000, deduction_cap_per_period: 50000 } }, csv);
    expect(capped.lines.filter((l) => l.component === 'cap').map((l) => `${l.area} ${l.amount} ${l.rule}`)).toEqual([
      'A1 -9750.00 payments.cap_per_period', 'A3 39600.00 payments.deduction_cap_per_period',
    ]);
    // exact counts, not the rounded rates: 41.7% shown, 589/1412 used
    const exact = await assess({ ...TR, payments: { binary_price: 3200 } }, `${HEAD}A1,2019Q2,1412,589,1767,0.45,20000,0.499,0.45,3.5\n`);
    expect(amounts(exact.lines)).toEqual(['2019Q2 binary_payment 369881.60']);
  });

  it('section 9: monthly fees, the learning curve, volume reconciliation and service credits', async () => {
    const db = await testDb();
    const outDir = mkdtempSync(path.join(tmp, 'fee-'));
    try {
      await db.run(`
CREATE TABLE areas AS SELECT * FROM (VALUES ('CPA01', 'One', 1), ('CPA02', 'Two', 2), ('CPA03', 'Three', 3)) t(cpa, name, area_order);
CREATE TABLE cohort AS SELECT 'P' AS person_id, DATE '1980-01-01' AS date_of_birth, 'M' AS sex, true AS pnc_matched, 'treatment' AS "group", 0::BIGINT AS _line;
CREATE TABLE starts AS
  SELECT 'y1co' || i AS start_id, 'P' AS person_id, DATE '2015-03-10' AS start_date, 'CO' AS start_type, 100 AS sentence_length_days, 'CPA01' AS cpa, 'CRC' AS allocation, false AS em_only, 0.5::DECIMAL(18,12) AS ogrs, 0::BIGINT AS _line FROM range(100) r(i)
  UNION ALL SELECT 'y1long' || i, 'P', DATE '2015-04-10', 'CO', 400, 'CPA01', 'CRC', false, 0.5, 0 FROM range(10) r(i)
  UNION ALL SELECT 'y1sso' || i, 'P', DATE '2015-05-10', 'SSO', 100, 'CPA01', 'CRC', false, 0.5, 0 FROM range(2) r(i)
  UNION ALL SELECT 'y2co' || i, 'P', DATE '2016-03-10', 'CO', 365, 'CPA01', 'CRC', false, 0.5, 0 FROM range(85) r(i);
CREATE TABLE service_levels AS SELECT cpa, month, measure, achieved::DECIMAL(18,12) AS achieved, target::DECIMAL(18,12) AS target, 0::BIGINT AS _line
FROM (VALUES ('CPA01', '2015-03', 'm1', 0.8, 0.9), ('CPA01', '2015-03', 'm2', 0.8, 0.9), ('CPA01', '2015-03', 'm3', 0.9, 0.9))
  t(cpa, month, measure, achieved, target)
UNION ALL SELECT 'CPA01', '2016-03', 'm' || i, 0.1, 0.9, 0 FROM range(12) r(i);
CREATE TABLE baselines_input (cpa VARCHAR, population VARCHAR, baseline_measurable BIGINT, baseline_binary_rate DECIMAL(18,12), baseline_expected_rate DECIMAL(18,12), baseline_frequency_rate DECIMAL(18,12), _line BIGINT);
CREATE TABLE offender_outcomes (area VARCHAR, period VARCHAR, "group" VARCHAR, measurable BOOLEAN, reoffender BOOLEAN, reoffences BIGINT, reconviction_events BIGINT, conviction_only_reoffender BOOLEAN, conviction_only_events BIGINT, ogrs DECIMAL(18,12), is_baseline BOOLEAN);
CREATE TABLE measures (area VARCHAR, area_order INTEGER, period VARCHAR, period_start DATE, period_end DATE, status VARCHAR, measurable BIGINT, reoffenders BIGINT, reoffences BIGINT, lower_threshold DOUBLE, upper_threshold DOUBLE, binary_outcome VARCHAR, frequency_outcome VARCHAR, is_all BOOLEAN, period_kind VARCHAR, ogrs_sum DECIMAL(38,12), baseline_measurable BIGINT, bl_b_num DECIMAL(38,12), bl_b_den DECIMAL(38,12), bl_e_num DECIMAL(38,12), bl_e_den DECIMAL(38,12), bl_f_num DECIMAL(38,24), bl_f_den DECIMAL(38,12), termination_watch BOOLEAN, threshold_source VARCHAR, threshold_missing BOOLEAN);`);
      const ctx: RunContext = {
        db,
        contract: parseContract({
          contract: 'docs-example',
          fee_for_service: {
            bands: [
              { start_type: 'CO', max_length_days: 365, weight: 1.0 },
              { start_type: 'CO', max_length_days: null, weight: 1.3 },
            ],
            learning_curve_discount: 0.02,
            service_credit_rate: 0.005,
            service_credit_cap: 0.05,
            areas: {
              CPA01: [
                { from: '2015-02-01', to: '2016-01-31', annual_price: 1200000, volume_low: 90, volume_high: 110 },
                { from: '2016-02-01', to: '2017-01-31', annual_price: 1200000, volume_low: 90, volume_high: 110 },
              ],
              CPA02: [{ from: '2015-01-01', to: '2015-12-31', annual_price: 1000000.02, volume_low: 0, volume_high: 0 }],
              CPA03: [{ from: '2015-02-15', to: '2016-02-14', annual_price: 1200000, volume_low: 0, volume_high: 0 }],
              CPA04: [{ from: '2015-01-01', to: '2015-06-30', annual_price: 1000000.02, volume_low: 0, volume_high: 0 }],
            },
          },
        }),
        contractSha256: 'x',
        asOf: '2022-01-31',
        hasBaselinesFile: false,
        outDir,
        inputs: [],
        rejectedRows: 0,
        progress: () => {},
      };
      await pay(ctx);
      const lines = await db.all<{ area: string; period: string; component: string; amount: string }>(
        `SELECT area, period, component, amount::VARCHAR AS amount FROM payments ORDER BY area, component, period`,
      );
      const pick = (area: string, component: string, period?: string) =>
        lines.filter((l) => l.area === area && l.component === component && (period === undefined || l.period === period)).map((l) => l.amount);
      expect(pick('CPA01', 'fee_for_service', '2015-02')).toEqual(['100000.00']);
      expect(pick('CPA01', 'fee_for_service', '2016-02')).toEqual(['98000.00']);
      expect(pick('CPA01', 'volume_reconciliation')).toEqual(['36000.00', '-58800.00']);
      expect(pick('CPA01', 'service_credit')).toEqual(['-1000.00', '-4900.00']);
      expect(new Set(pick('CPA02', 'fee_for_service'))).toEqual(new Set(['83333.34']));
      expect(pick('CPA02', 'volume_reconciliation')).toEqual([]);
      expect(pick('CPA03', 'fee_for_service', '2015-02')).toEqual(['50000.00']);
      expect(pick('CPA03', 'fee_for_service', '2016-02')).toEqual(['48275.86']);
      expect(new Set(pick('CPA04', 'fee_for_service'))).toEqual(new Set(['83333.34']));
      // balance-last-month: CPA02's year of twelve months is owed its price, 1,000,000.02:
      // 11 x 83,333.34 = 916,666.74, so December takes 83,333.28; CPA03's twelve months (with two
      // part months) are owed 1,200,000: 50,000 + 11 x 100,000 = 1,150,000, so February 2016 takes
      // 50,000.00; CPA04's six months are owed their exact fees, 6 x 83,333.335 = 500,000.01:
      // 5 x 83,333.34 = 416,666.70, so June takes 83,333.31.
      const contract = ctx.contract;
      ctx.contract = { ...contract, fee_for_service: { ...contract.fee_for_service, rounding: 'balance-last-month' } };
      await pay(ctx);
      const balanced = await db.all<{ area: string; period: string; component: string; amount: string }>(
        `SELECT area, period, component, amount::VARCHAR AS amount FROM payments WHERE component = 'fee_for_service' AND period IN ('2015-11', '2015-12', '2016-01', '2016-02', '2015-05', '2015-06') ORDER BY area, period`,
      );
      expect(balanced.filter((l) => l.area !== 'CPA01').map((l) => `${l.area} ${l.period} ${l.amount}`)).toEqual([
        'CPA02 2015-05 83333.34', 'CPA02 2015-06 83333.34', 'CPA02 2015-11 83333.34', 'CPA02 2015-12 83333.28',
        'CPA03 2015-05 100000.00', 'CPA03 2015-06 100000.00', 'CPA03 2015-11 100000.00', 'CPA03 2015-12 100000.00', 'CPA03 2016-01 100000.00', 'CPA03 2016-02 50000.00',
        'CPA04 2015-05 83333.34', 'CPA04 2015-06 83333.31',
      ]);
    } finally {
      doneWith(db);
    }
  });

  it('section 10: Peterborough cohorts and whole pilot, pooled and weighted-mean, and payment_cap', async () => {
    // Two pilots in one file. PB: the table of method.md; PB2: cohort 1 as PB's, cohort 2 of 500
    // treated people against 2,000 (the whole_pilot example). Each area is a pilot of its own.
    // PB2 cohort 2: 128.0 against 150.0 per 100 (14.67%): (150 - 128) / 100 x 500 x 1,000 = 110,000.00.
    // pooled PB2: 2,060 / 1,500 = 137.33 against 4,550 / 3,000 = 151.67, reduction 9.45%; the
    //   amount (151.67 - 137.33) / 100 x 1,500 x 1,000 = (4,550 / 2 - 2,060) x 1,000 = 215,000,
    //   less 110,000 paid: 105,000.00.
    // weighted-mean PB2: (8.3871% x 1,000 + 14.6667% x 500) / 1,500 = 10.48%; the amount
    //   130,000 + 110,000 (each cohort against its own comparison group) less 110,000: 130,000.00;
    //   with payment_cap 200,000: 240,000 paid in all, a cap line of -40,000.00.
    const pb = { scheme: 'peterborough', thresholds: { cohort: 0.1, overall: 0.075 }, price_per_event: 1000 };
    const csv = [
      'area,period,group,measurable,reconviction_events',
      'PB,cohort1,treatment,1000,1420', 'PB,cohort1,comparison,1000,1550', 'PB,cohort2,treatment,1000,1380', 'PB,cohort2,comparison,1000,1550',
      'PB2,cohort1,treatment,1000,1420', 'PB2,cohort1,comparison,1000,1550', 'PB2,cohort2,treatment,500,640', 'PB2,cohort2,comparison,2000,3000',
    ].join('\n');
    const pooled = await assess(pb, `${csv}\n`);
    expect(pooled.outcomes.map((o) => `${o.area} ${o.period} ${o.reduction} ${o.outcome}`)).toEqual([
      'PB cohort1 0.083871 none', 'PB cohort2 0.109677 payment', 'PB ALL 0.096774 payment',
      'PB2 cohort1 0.083871 none', 'PB2 cohort2 0.146667 payment', 'PB2 ALL 0.094505 payment',
    ]);
    const byArea = (lines: Record<string, string>[], area: string) => amounts(lines.filter((l) => l.area === area));
    expect(byArea(pooled.lines, 'PB')).toEqual(['ALL frequency_payment 130000.00', 'cohort2 frequency_payment 170000.00']);
    expect(byArea(pooled.lines, 'PB2')).toEqual(['ALL frequency_payment 105000.00', 'cohort2 frequency_payment 110000.00']);
    const weighted = await assess({ ...pb, whole_pilot: 'weighted-mean', payment_cap: 200000 }, `${csv}\n`);
    expect(weighted.outcomes.find((o) => o.area === 'PB2' && o.period === 'ALL')!.reduction).toBe('0.104803');
    expect(byArea(weighted.lines, 'PB2')).toEqual(['ALL cap -40000.00', 'ALL frequency_payment 130000.00', 'cohort2 frequency_payment 110000.00']);
  });

  it('section 10: Doncaster, target met and missed, a contract value per year, and the bonus', async () => {
    // baseline 58.0%; 2011: a fall of 5.7 points, target met, 0.7 beyond it: 0.7 x 100,000 = 70,000.00;
    // 2012: 3.3 points, target missed: -10% x 10,000,000 (2012's value) = -1,000,000.00;
    // 2013: 58.0 - 46.0 = 12 points, 7 beyond the target, at most 5 earn: 5 x 100,000 = 500,000.00.
    const dn = {
      scheme: 'doncaster', cohort: { period: 'year', from: '2011-01-01' }, baseline: { from: '2009-01-01', to: '2009-12-31' },
      contract_value: { 2011: 9800000, 2012: 10000000 }, bonus_per_point: 100000,
    };
    const r = await assess(dn, 'area,period,measurable,reoffenders\nDN,2009,1000,580\nDN,2011,1000,523\nDN,2012,1000,547\nDN,2013,1000,460\n');
    expect(r.outcomes.map((o) => `${o.period} ${o.change_points} ${o.outcome}`)).toEqual([
      '2011 -5.700000 target_met', '2012 -3.300000 target_missed', '2013 -12.000000 target_met',
    ]);
    expect(amounts(r.lines)).toEqual(['2012 binary_deduction -1000000.00', '2011 binary_payment 70000.00', '2013 binary_payment 500000.00']);
  });

  it('section 11: a disposal before its offence is reported with file, line, column and value', async () => {
    // fixtures/broken/disposal-before-offence: the valid dataset whose fifth line (O004) is disposed
    // of on 2016-05-31 for an offence of 2016-06-01
    const data = mkdtempSync(path.join(tmp, 'bad-'));
    cpSync(path.join(FIXTURES_DIR, 'valid'), data, { recursive: true });
    cpSync(path.join(FIXTURES_DIR, 'broken', 'disposal-before-offence', 'reconvictions.csv'), path.join(data, 'reconvictions.csv'));
    const v = await validation(data);
    // (validation.json with a rejected row follows its shipped schema)
    expect(ValidationSchema.parse(v.json).rejects).toEqual([
      { file: 'reconvictions.csv', line: 5, column: 'disposal_date', value: '2016-05-31', reason: 'disposal_date is before offence_date 2016-06-01' },
    ]);
    expect(v.lines.slice(-2)).toEqual([
      'reconvictions.csv: 4 rows read, 3 used, 1 rejected',
      "  reconvictions.csv: line 5, column disposal_date: disposal_date is before offence_date 2016-06-01 (value '2016-05-31')",
    ]);
  });

  it('section 12: the annual top-up nets the year against its quarters', async () => {
    // B = 50%, B_f = 3.0, no adjustment; baseline band 95%: h = 0.049 for n = 400, 0.0245 for 1,600.
    // 2019Q2 44%: 24,000.00 and (3 - 2.5) x 176 x 100 = 8,800.00; 2019Q3 46%: none;
    // 2019Q4 43%: 28,000.00 and 8,600.00; 2020Q1 56%: -24,000.00.
    // 2019-20: 756 / 1,600 = 47.25%: (0.5 - 0.4725) x 1,600 x 1,000 = 44,000.00, and
    //   (3 - 2,002 / 756) x 756 x 100 = (2,268 - 2,002) x 100 = 26,600.00;
    //   binary_top_up 44,000 - 28,000 = 16,000.00; frequency_top_up 26,600 - 17,400 = 9,200.00.
    const c = {
      cohort: { period: 'quarter', from: '2019-04-01', to: '2020-03-31', top_up: 'financial-year' },
      adjustment: { method: 'none' },
      payments: { binary_price: 1000, deduction_price: 1000, frequency_price: 100 },
    };
    const head = 'area,period,measurable,reoffenders,reoffences,baseline_binary_rate,baseline_frequency_rate\n';
    const rows = [['2019Q2', 400, 176, 440], ['2019Q3', 400, 184, 460], ['2019Q4', 400, 172, 430], ['2020Q1', 400, 224, 672], ['2019-20', 1600, 756, 2002]];
    const r = await assess(c, head + rows.map((x) => `A1,${x.join(',')},0.5,3\n`).join(''));
    // the years formed from 2015-10-01 .. 2020-03-31: 2015-16 began before cohort.from
    const db = await testDb();
    try {
      await db.run('CREATE TABLE starts (start_date DATE)');
      await db.exec('measure_periods', {
        period_type: 'quarter', cohort_from: '2015-10-01', cohort_to: '2020-03-31', baseline_from: '2011-01-01', baseline_to: '2011-12-31', top_up: 'financial-year',
      });
      expect((await db.all<{ period: string }>(`SELECT period FROM m_periods WHERE is_annual ORDER BY period_start`)).map((p) => p.period)).toEqual([
        '2016-17', '2017-18', '2018-19', '2019-20',
      ]);
    } finally {
      doneWith(db);
    }
    expect(r.outcomes.map((o) => `${o.period} ${o.binary_outcome}`)).toEqual(['2019Q2 payment', '2019-20 payment', '2019Q3 none', '2019Q4 payment', '2020Q1 deduction']);
    expect(amounts(r.lines)).toEqual([
      '2020Q1 binary_deduction -24000.00', '2019Q2 binary_payment 24000.00', '2019Q4 binary_payment 28000.00',
      '2019-20 binary_top_up 16000.00', '2019Q2 frequency_payment 8800.00', '2019Q4 frequency_payment 8600.00',
      '2019-20 frequency_top_up 9200.00',
    ]);
  });

  it('section 13: fixed thresholds, the period row before the * row, and the missing ones', async () => {
    // 25 people in each of CPA01, CPA02, CPA03 in 2019Q3 and in CPA01 in 2019Q4, 11 reoffending:
    // a = 44%; baseline 2011: 2 people, 1 reoffending: B = 50% in each area. No adjustment.
    const people: PersonRow[] = [];
    const starts: StartRow[] = [];
    const offences: OffenceRow[] = [];
    const add = (id: string, area: string, date: string, n: number, r: number) => {
      for (let i = 0; i < n; i++) {
        const p = `${id}-${i}`;
        people.push({ person_id: p });
        starts.push({ start_id: `S${p}`, person_id: p, start_date: date, cpa: area });
        if (i < r) offences.push({ offence_id: `O${p}`, person_id: p, offence_date: `${date.slice(0, 8)}20`, disposal_date: `${date.slice(0, 8)}25` });
      }
    };
    for (const a of ['CPA01', 'CPA02', 'CPA03']) {
      add(`${a}b`, a, '2011-03-01', 2, 1);
      add(`${a}q3`, a, '2019-08-01', 25, 11);
    }
    add('CPA01q4', 'CPA01', '2019-11-01', 25, 11);
    await withMeasure(
      {
        people, starts, offences,
        thresholds: [
          { cpa: 'CPA01', period: '2019Q3', lower: '0.452', upper: '0.548' },
          { cpa: 'CPA01', period: '*', lower: '0.400', upper: '0.500' },
          { cpa: 'CPA02', period: '*', lower: '0.400', upper: '0.500' },
        ],
        contract: {
          cohort: { period: 'quarter', from: '2019-07-01', to: '2019-12-31' },
          adjustment: { method: 'none' }, significance: { method: 'fixed' }, follow_up: { as_of: '2030-01-01' },
        },
      },
      async (m) => {
        const got = await rows(m.db, `SELECT area, period, adjusted_binary_rate AS a, lower_threshold AS lo, upper_threshold AS hi, binary_outcome AS o FROM measures ORDER BY is_all, area, period`);
        expect(got.map((g) => `${g.area} ${g.period} ${g.a} ${g.lo} ${g.hi} ${g.o}`)).toEqual([
          'CPA01 2019Q3 0.44 0.452 0.548 payment',
          'CPA01 2019Q4 0.44 0.4 0.5 none',
          'CPA02 2019Q3 0.44 0.4 0.5 none',
          'CPA02 2019Q4 null 0.4 0.5 none', // nobody there: no rate, the * row's bounds shown
          'CPA03 2019Q3 0.44 null null none',
          'CPA03 2019Q4 null null null none',
          'ALL 2019Q3 0.44 null null none',
          'ALL 2019Q4 0.44 null null none',
        ]);
        expect(await missingThresholds(m.db)).toEqual([{ area: 'CPA03', period: '2019Q3' }, { area: 'CPA03', period: '2019Q4' }]);
      },
    );
  });

  it('section 14: the termination watch flags the second final quarter in a row at least 5 points up', async () => {
    // B = 50%, n = 100, no adjustment: a - B = +3, +6, +4, +5, +7 points in five final quarters,
    // then +8 in an interim one (never flagged).
    const c = { cohort: { period: 'quarter', from: '2019-01-01' }, adjustment: { method: 'none' }, termination: { increase_points: 5, consecutive_periods: 2 } };
    const rs = [['2019Q1', 53, 'final'], ['2019Q2', 56, 'final'], ['2019Q3', 54, 'final'], ['2019Q4', 55, 'final'], ['2020Q1', 57, 'final'], ['2020Q2', 58, 'interim']];
    const r = await assess(c, `area,period,measurable,reoffenders,baseline_binary_rate,status\n${rs.map(([p, k, st]) => `A1,${p},100,${k},0.5,${st}\n`).join('')}`);
    expect(r.outcomes.map((o) => `${o.period} ${o.termination_watch}`)).toEqual([
      '2019Q1 false', '2019Q2 false', '2019Q3 false', '2019Q4 false', '2020Q1 true', '2020Q2 false',
    ]);
  });

  it('section 15: small cells, as the report shows them', () => {
    // suppress_below 25: 80 measurable, 20 reoffenders, baseline over 1,000 people
    const cells = new Cells(25);
    expect([cells.count(80), cells.count(20)]).toEqual(['80', '&lt;25']);
    expect(cells.pct(0.25, [80, 20])).toBe('*'); // binary rate r / n: r is small
    expect(cells.pct(0.45, [80])).toBe('45.0%'); // expected rate: from n alone
    expect(cells.pct(0.5, [1000])).toBe('50.0%'); // baseline rate: from the baseline's people
  });
});
