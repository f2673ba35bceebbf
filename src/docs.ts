import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.js';
import { inputsMarkdown, README_BEGIN, README_END } from './schema/inputs.js';
import { contractJsonSchema } from './contract/schema.js';
import { mappingJsonSchema } from './mapping/schema.js';
import { manifestJsonSchema, validationJsonSchema } from './core/artifactSchemas.js';

/**
 * `npm run docs`: writes the generated parts of the repository from their one source, so that
 * they cannot drift from the code. test/docs.test.ts fails when a checked-in file is not what this
 * would write (CI runs it through `npm test`).
 */

/** A JSON Schema shipped in the package (package.json `files` lists `schema`). */
export interface ShippedSchema {
  /** Path relative to the package root; the schema's `$id` ends with it. */
  file: string;
  schema: () => Record<string, unknown>;
}

/** Every shipped schema: one line each. */
export const SHIPPED_SCHEMAS: readonly ShippedSchema[] = [
  { file: 'schema/contract.schema.json', schema: contractJsonSchema },
  { file: 'schema/mapping.schema.json', schema: mappingJsonSchema },
  { file: 'schema/manifest.schema.json', schema: manifestJsonSchema },
  { file: 'schema/validation.schema.json', schema: validationJsonSchema },
];

/** The exact text of a shipped schema file: two-space JSON and a final newline. */
export function schemaText(s: ShippedSchema): string {
  return `${JSON.stringify(s.schema(), null, 2)}\n`;
}

/** Rewrite the README's input-format tables from the one schema definition. */
export function readmeWithInputs(readme: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error('README.md lacks the inputs markers');
  return `${readme.slice(0, a + README_BEGIN.length)}\n\n${inputsMarkdown()}\n${readme.slice(b)}`;
}

/** A generated file: its path relative to the package root and the text it should hold. */
export interface GeneratedFile {
  file: string;
  text: string;
}

/** Every generated file with the text it should hold, given the package root. */
export function generatedFiles(root: string = PACKAGE_ROOT): GeneratedFile[] {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  return [{ file: 'README.md', text: readmeWithInputs(readme) }, ...SHIPPED_SCHEMAS.map((s) => ({ file: s.file, text: schemaText(s) }))];
}

/** Writes every generated file that differs from what it should hold; returns their paths. */
export function writeGenerated(root: string = PACKAGE_ROOT): string[] {
  const written: string[] = [];
  for (const g of generatedFiles(root)) {
    const p = path.join(root, g.file);
    let current: string | null = null;
    try {
      current = readFileSync(p, 'utf8');
    } catch {
      current = null;
    }
    if (current === g.text) continue;
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, g.text);
    written.push(g.file);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('dist', 'docs.js'))) {
  const written = writeGenerated();
  process.stdout.write(written.length > 0 ? `wrote ${written.join(', ')}\n` : 'generated files are current\n');
}
