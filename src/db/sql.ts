import { AsyncLocalStorage } from 'node:async_hooks';
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

/** The names of the SQL files read inside a `recordingSql` call (one run's, whatever else runs in the process). */
const used = new AsyncLocalStorage<Set<string>>();

/** Run `fn`, recording the SQL files it reads: usedSqlHashes() inside it lists those, and only those. */
export function recordingSql<T>(fn: () => Promise<T>): Promise<T> {
  return used.run(new Set(), fn);
}

export function sqlPath(name: string): string {
  return path.join(QUERIES_DIR, `${name}.sql`);
}

/**
 * The text of a SQL file the run executes (or whose result it takes from the run cache: the cache
 * key reads it here too, so that a run's manifest is the same with the cache and without).
 */
export function readSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(sqlPath(name), 'utf8');
    cache.set(name, text);
  }
  used.getStore()?.add(name);
  return text;
}

/**
 * sha256 of every SQL file this run read (inside `recordingSql`; outside it, every file the
 * process has read), for the manifest.
 */
export function usedSqlHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...(used.getStore() ?? cache.keys())].sort()) {
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
