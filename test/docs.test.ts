import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { parse as parseYaml } from 'yaml';
import { readmeWithInputs, SHIPPED_SCHEMAS, schemaText } from '../src/docs.js';
import { contractJsonSchema } from '../src/contract/schema.js';
import { parseContract } from '../src/contract/load.js';

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
