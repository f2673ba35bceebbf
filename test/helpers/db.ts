import { afterAll } from 'vitest';
import { Db, ident } from '../../src/db/duckdb.js';

/**
 * Databases for tests that open one per test: a database a test is done with is emptied and
 * handed to the next test of the same file. Opening a DuckDB database, defining the macros of a
 * stage in it and closing it cost more than most of these tests' own statements (measure-rules
 * and measure-method together: tests 20 s with a database each, 10 s with one reused).
 *
 * Emptied means every table and view dropped, in main and temp; macros stay (each file of
 * macros defines the same ones every time), and so do settings, which no test changes.
 * Whatever is left open when the file ends is closed then.
 */
const idle: Db[] = [];
const taken = new Set<Db>();

afterAll(() => {
  for (const db of [...idle.splice(0), ...taken]) db.close();
  taken.clear();
});

/** An empty database: a reused one when the file has one to spare, else a new one (PBR_THREADS, one thread in tests). */
export async function testDb(): Promise<Db> {
  const db = idle.pop() ?? (await Db.open());
  const relations = await db.all<{ kind: string; db: string; schema: string; name: string }>(
    `SELECT 'VIEW' AS kind, database_name AS db, schema_name AS schema, view_name AS name FROM duckdb_views() WHERE NOT internal
     UNION ALL SELECT 'TABLE', database_name, schema_name, table_name FROM duckdb_tables() WHERE NOT internal`,
  );
  await db.run(relations.map((r) => `DROP ${r.kind} IF EXISTS ${ident(r.db)}.${ident(r.schema)}.${ident(r.name)};\n`).join(''));
  taken.add(db);
  return db;
}

/** The test is done with `db`: the next testDb() of this file may have it. */
export function doneWith(db: Db): void {
  if (!taken.delete(db)) return;
  idle.push(db);
}
