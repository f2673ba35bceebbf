import { existsSync, statSync } from 'node:fs';
import { type Db, type Params, ident, literal } from '../db/duckdb.js';
import { InputError } from '../errors.js';

/**
 * A small CSV a person hands to an audit command (a provider's expected outcomes, a published
 * table): read as text with line numbers into `table` (`_line` + the required columns), then
 * checked by the named validation query, whose rows (line, column, value, reason) become one
 * exit-2 message naming the first problem's file, line and column.
 */
export async function readCheckedCsv(
  db: Db,
  file: string,
  opts: { table: string; columns: readonly string[]; what: string; validate: string; params?: Params },
): Promise<void> {
  const list = opts.columns.join(', ');
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError(`${file}: no such file; give ${opts.what} as CSV (columns ${list})`);
  }
  const whole = ident(`${opts.table}_file`);
  try {
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${whole} AS
       SELECT row_number() OVER () + 1 AS _line, *
       FROM read_csv(${literal(file)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', nullstr = '')`,
    );
  } catch (e) {
    throw new InputError(`${file}: cannot be read as CSV (${(e as Error).message.split('\n')[0]}); give a comma-separated file with a header row`);
  }
  const cols = (await db.all<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${whole})`)).map((c) => c.column_name);
  for (const c of opts.columns) {
    if (!cols.includes(c)) throw new InputError(`${file}: line 1: column '${c}' is missing from the header; the file needs columns ${list}`);
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${ident(opts.table)} AS SELECT _line, ${opts.columns.map(ident).join(', ')} FROM ${whole}`);
  const problems = await db.allNamed<{ line: number; column: string; value: string | null; reason: string }>(opts.validate, opts.params ?? {});
  if (problems.length > 0) {
    const p = problems[0]!;
    const lines = new Set(problems.map((x) => x.line)).size;
    throw new InputError(
      `${file}: line ${p.line}, column ${p.column}: ${p.reason} (value ${p.value === null ? 'empty' : `'${p.value}'`})` +
        `${lines > 1 ? `; ${lines} line(s) have problems in all` : ''}; fix the file and run again`,
    );
  }
}
