/**
 * The layout of docs/internals.md ("Layout: what imports what") as a check: every import between
 * the folders of src/ is one the table allows, so no module imports upward (a stage never imports
 * the pipeline that runs it, core never imports a stage). Read from the source text: static
 * imports, `export ... from` and lazy `import()` alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';

const SRC = path.join(PACKAGE_ROOT, 'src');

/**
 * What each unit may import: a folder of src/ (or a top-level file, by its name without .ts), and
 * either a whole unit or one module of it (`run/pipeline`). The same table as docs/internals.md.
 */
const ALLOWED: Record<string, string[]> = {
  cli: ['commands', 'errors', 'version'],
  commands: ['run', 'audit', 'map', 'validate', 'mapping', 'synth', 'cache', 'contract', 'core', 'db', 'errors', 'version'],
  audit: ['run/pipeline', 'validate', 'mapping', 'measure/rules', 'contract', 'core', 'db', 'errors', 'version'],
  run: ['validate', 'measure', 'pay', 'statements', 'report', 'cache', 'mapping', 'contract', 'core', 'db', 'errors', 'paths'],
  validate: ['cache', 'mapping', 'schema', 'contract', 'core', 'db', 'errors'],
  mapping: ['schema', 'contract', 'errors'],
  map: ['validate', 'schema', 'contract', 'db', 'errors'],
  measure: ['contract', 'core', 'db', 'errors'],
  pay: ['measure/rules', 'contract', 'core', 'db', 'errors'],
  statements: ['pay/params', 'contract', 'core', 'db', 'errors', 'version'],
  report: ['contract', 'core', 'db', 'errors', 'version'],
  cache: ['core', 'db', 'errors', 'paths', 'version'],
  core: ['contract', 'schema', 'db', 'errors', 'version'],
  contract: ['errors'],
  schema: [],
  db: ['errors', 'paths'],
  synth: ['contract', 'db', 'errors'],
  bench: ['measure', 'core', 'db', 'paths'],
  docs: ['contract', 'core', 'mapping', 'schema', 'paths'],
  errors: [],
  paths: [],
  version: ['paths'],
};

/** Every .ts file under dir (readdir's recursive listing, Node 20). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/** The unit of a file of src/ (`run` for src/run/pipeline.ts, `cli` for src/cli.ts) and its module (`run/pipeline`). */
function unitOf(file: string): { unit: string; module: string } {
  const rel = path.relative(SRC, file).replace(/\.(ts|js)$/, '').split(path.sep);
  return { unit: rel[0]!, module: rel.slice(0, 2).join('/') };
}

/** Every import of another unit of src/: the importing unit and file, and the unit and module imported. */
function crossImports(): { from: string; file: string; module: string; unit: string }[] {
  const found = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const from = unitOf(file).unit;
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = unitOf(path.resolve(path.dirname(file), m[1]!));
      if (target.unit !== from) found.push({ from, file: path.relative(SRC, file), ...target });
    }
  }
  return found;
}

describe('src/ layout', () => {
  test('every import between folders is one the layout allows: nothing imports upward', () => {
    const imports = crossImports();
    // the reader found the imports it must (a reader that finds none would pass anything)
    expect(imports.some((i) => i.from === 'commands' && i.module === 'run/pipeline')).toBe(true);
    expect(imports.some((i) => i.from === 'run' && i.unit === 'measure')).toBe(true);
    const wrong = imports
      .filter((i) => !(ALLOWED[i.from] ?? []).some((a) => a === i.unit || a === i.module))
      .map((i) => `${i.file} imports ${i.module}`);
    expect(wrong).toEqual([]);
  });

  test('every folder and top-level file of src/ has its row in the table', () => {
    const units = [...new Set(sourceFiles(SRC).map((f) => unitOf(f).unit))].sort();
    expect(units).toEqual(Object.keys(ALLOWED).sort());
  });
});
