import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { QUERIES_DIR } from '../paths.js';

/**
 * SQL files live in queries/, one query per file, each with a header comment:
 *   -- name: measure_cohort
 *   -- params: $period_type (VARCHAR), ...
 *   -- returns: table cohort_index(...)
 * A file may hold several statements separated by `;` at the end of a line; they run in order.
 */
const cache = new Map<string, string>();

export function sqlPath(name: string): string {
  return path.join(QUERIES_DIR, `${name}.sql`);
}

export function readSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(sqlPath(name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** sha256 of every SQL file used so far (for the manifest). */
export function usedSqlHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...cache.keys()].sort()) {
    out[`queries/${name}.sql`] = createHash('sha256').update(cache.get(name)!).digest('hex');
  }
  return out;
}

/**
 * Split a SQL file into statements: a `;` that ends a line ends a statement. Line comments are
 * removed first (outside string literals), so a `;` at the end of a comment line splits nothing.
 */
export function splitStatements(text: string): string[] {
  return stripLineComments(text)
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/--[^\n]*/g, '').trim().length > 0);
}

/** Remove `-- ...` comments, leaving string literals ('...') and quoted names ("...") intact. */
export function stripLineComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
