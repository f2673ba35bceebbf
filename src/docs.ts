import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './paths.js';
import { inputsMarkdown, README_BEGIN, README_END } from './schema/inputs.js';

/** Rewrite the README's input-format tables from the one schema definition. */
export function readmeWithInputs(readme: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error('README.md lacks the inputs markers');
  return `${readme.slice(0, a + README_BEGIN.length)}\n\n${inputsMarkdown()}\n${readme.slice(b)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('dist', 'docs.js'))) {
  const p = path.join(PACKAGE_ROOT, 'README.md');
  writeFileSync(p, readmeWithInputs(readFileSync(p, 'utf8')));
}
