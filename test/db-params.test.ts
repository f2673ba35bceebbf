import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/db/duckdb.js';

/**
 * Parameters are bound into one session variable that the statement reads (src/db/duckdb.ts
 * readParams, paramsSet): the values never become SQL text, and each keeps the type it had when it was bound
 * as a prepared statement's parameter.
 */
let db: Db;
beforeAll(async () => {
  db = await Db.open({ threads: 1 });
});
afterAll(() => db.close());

describe('statement parameters', () => {
  it('a text value stays a value: quotes and SQL in it are data', async () => {
    const v = "O'Brien'); DROP TABLE x; --";
    expect(await db.scalar(`SELECT $v`, { v })).toBe(v);
  });

  it('$name inside a string literal, a quoted identifier or a comment is not a parameter', async () => {
    const r = await db.all(`SELECT '$a' AS "$b", $c AS c -- $d\n`, { c: 'x' });
    expect(r).toEqual([{ $b: '$a', c: 'x' }]);
  });

  it('types as before: a whole number is an INTEGER, a fraction a DOUBLE, true a BOOLEAN, a list VARCHAR[]', async () => {
    const r = await db.all(`SELECT typeof($i) AS i, typeof($f) AS f, typeof($b) AS b, typeof($l) AS l, typeof($e) AS e`, {
      i: 3,
      f: 0.5,
      b: true,
      l: ['a', 'b'],
      e: [],
    });
    expect(r).toEqual([{ i: 'INTEGER', f: 'DOUBLE', b: 'BOOLEAN', l: 'VARCHAR[]', e: 'VARCHAR[]' }]);
  });

  it('a NULL value is NULL of no type, so it compares with text and casts to anything', async () => {
    const r = await db.all(`SELECT $z IS NULL AS n, coalesce($z, 'x') AS c, CAST($z AS DATE) IS NULL AS d`, { z: null });
    expect(r).toEqual([{ n: true, c: 'x', d: true }]);
  });

  it('a parameter used twice is one value; a date text cast in SQL is a date', async () => {
    expect(await db.scalar(`SELECT strftime($d::DATE + 1, '%Y-%m-%d') || '/' || $d`, { d: '2024-02-28' })).toBe('2024-02-29/2024-02-28');
  });

  it('the statements of one call read the values of that call; the next call binds its own', async () => {
    await db.run(`CREATE OR REPLACE TEMP TABLE p AS SELECT $a AS a;\nCREATE OR REPLACE TEMP TABLE q AS SELECT $b AS b, $z AS z;\n`, { a: 'one', b: 'two', z: null });
    expect(await db.all(`SELECT a, b, z FROM p, q`)).toEqual([{ a: 'one', b: 'two', z: null }]);
    await db.run(`CREATE OR REPLACE TEMP TABLE p AS SELECT $a AS a`, { a: 'three' });
    expect(await db.all(`SELECT a, $b AS b FROM p`, { b: 'four' })).toEqual([{ a: 'three', b: 'four' }]);
  });

  it('a second connection (fork) has values of its own: the cache written beside payments never reads theirs', async () => {
    // as when the two interleave: this connection binds, the other binds, then this one reads
    const side = await db.fork();
    try {
      await db.conn.run(`SET VARIABLE pbr_params = {'v': 'main'}`);
      await side.conn.run(`SET VARIABLE pbr_params = {'v': 'side'}`);
      expect(await db.scalar(`SELECT struct_extract(getvariable('pbr_params'), 'v')`)).toBe('main');
      expect(await side.scalar(`SELECT struct_extract(getvariable('pbr_params'), 'v')`)).toBe('side');
    } finally {
      side.close();
    }
  });

  it('each call binds its own values: the same name with another type, or a list with another item', async () => {
    expect(await db.scalar(`SELECT typeof($n)`, { n: 1 })).toBe('INTEGER');
    expect(await db.scalar(`SELECT typeof($n)`, { n: 1n })).toBe('HUGEINT');
    expect(await db.scalar(`SELECT typeof($n)`, { n: 1.5 })).toBe('DOUBLE');
    expect(await db.scalar(`SELECT typeof($n)`, { n: '1' })).toBe('VARCHAR');
    expect(await db.scalar(`SELECT $l[2]`, { l: ['a', 'b'] })).toBe('b');
    expect(await db.scalar(`SELECT $l[2]`, { l: ['a', 'c'] })).toBe('c');
    expect(await db.scalar(`SELECT coalesce($n, 'was null')`, { n: null })).toBe('was null');
  });

  it('the statements of one call run in order, each seeing what the ones before it made', async () => {
    await db.run(`CREATE OR REPLACE TEMP TABLE s (v INTEGER);\nINSERT INTO s VALUES (1);\nINSERT INTO s SELECT max(v) + $k FROM s;\n`, { k: 10 });
    expect(await db.all(`SELECT v FROM s ORDER BY v`)).toEqual([{ v: 1 }, { v: 11 }]);
  });

  it('a parameter the caller did not give is an error naming it', async () => {
    await expect(db.run(`SELECT $missing`, {})).rejects.toThrow('SQL parameter $missing was not provided');
  });
});

describe('dropRelation', () => {
  it('drops a table or a view of the main schema, and does nothing when there is neither', async () => {
    await db.run(`CREATE OR REPLACE TABLE dt AS SELECT 1 AS x;\nCREATE OR REPLACE VIEW dv AS SELECT 1 AS x;\n`);
    await db.dropRelation('dt');
    await db.dropRelation('dv');
    await db.dropRelation('never_made');
    expect(await db.scalar(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'dt'`)).toBe('0');
    expect(await db.scalar(`SELECT count(*) FROM duckdb_views() WHERE view_name = 'dv'`)).toBe('0');
  });

  it('leaves a TEMP table of the same name alone', async () => {
    await db.run(`CREATE OR REPLACE TABLE tt AS SELECT 'main' AS x;\nCREATE OR REPLACE TEMP TABLE tt AS SELECT 'temp' AS x;\n`);
    await db.dropRelation('tt');
    expect(await db.scalar(`SELECT x FROM tt`)).toBe('temp');
    expect(await db.scalar(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'tt' AND NOT temporary`)).toBe('0');
  });
});

describe('chunks', () => {
  it('yields every row in order, a DuckDB vector (2,048 rows) at a time, with bound parameters', async () => {
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const batch of db.chunks<{ i: number }>(`SELECT i::INTEGER AS i FROM range($n::INTEGER) t(i) ORDER BY i`, { n: 5000 })) {
      sizes.push(batch.length);
      for (const r of batch) seen.push(r.i);
    }
    // 5,000 = 2,048 + 2,048 + 904
    expect(sizes).toEqual([2048, 2048, 904]);
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
