import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { readmeWithInputs } from '../src/docs.js';

describe('README', () => {
  const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  it('has the two-line Quick start', () => {
    expect(readme).toContain('```sh\nnpm install && npx pbr demo\nnpm install && npm test\n```');
  });
  it('input tables are the ones generated from src/schema/inputs.ts (run `npm run docs` after changing it)', () => {
    expect(readme).toBe(readmeWithInputs(readme));
  });
});
