import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { readmeWithInputs, SHIPPED_SCHEMAS, schemaText } from '../src/docs.js';

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
