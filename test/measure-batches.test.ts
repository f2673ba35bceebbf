import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { measure, type MeasureOptions } from '../src/measure/index.js';
import { FIXTURES_DIR } from '../src/paths.js';
import type { RunContext } from '../src/run/context.js';

// The offence lists are built a batch at a time (memory, not results): several periods together,
// or one period split into shares of its persons by hash. Any batch size gives the same lists.
// So are the offences near the window, a batch of period starts at a time.
const dir = path.join(FIXTURES_DIR, 'hand');
const contract = loadContract(path.join(dir, 'contract.json')).contract;

async function measured<T>(opts: MeasureOptions, read: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open();
  try {
    await loadDataset(db, dir, contract, { cache: false });
    const ctx = { db, contract, asOf: contract.follow_up.as_of!, hasBaselinesFile: false, progress: () => {} } as unknown as RunContext;
    await measure(ctx, opts);
    return await read(db);
  } finally {
    db.close();
  }
}

const lists = (batchRows?: number) =>
  measured(batchRows === undefined ? {} : { batchRows }, (db) =>
    db.all(`SELECT period, person_id, [o.offence_id || ' ' || o.reason FOR o IN offences] AS offences FROM m_offence_lists ORDER BY period, person_id`),
  );

// m_offences is inserted a batch of consecutive period starts at a time, in period order
const offences = (offenceBatchRows: number) =>
  measured({ offenceBatchRows }, async (db) => ({
    rows: await db.all(`SELECT * FROM m_offences ORDER BY ALL`),
    batches: (await db.allNamed('measure_offences_batches', { batch_rows: offenceBatchRows })).length,
    periodOrder: await db.scalar(`SELECT bool_and(period_start >= prev) FROM (SELECT period_start, lag(period_start, 1, period_start) OVER (ORDER BY rowid) AS prev FROM m_offences)`),
  }));

describe('offence lists in batches', () => {
  it('one offence a batch (every period split into shares of its persons) gives the same lists as one batch', async () => {
    const whole = await lists(1_000_000);
    expect(whole.length).toBeGreaterThan(10);
    expect(await lists(1)).toEqual(whole);
  });

  it('two offences a batch gives the same lists', async () => {
    expect(await lists(2)).toEqual(await lists(1_000_000));
  });
});

describe('offences near the window in batches of period starts', () => {
  it('one index start a batch (every period start a batch of its own) gives the same rows as one batch, stored in period order', async () => {
    const whole = await offences(1_000_000);
    expect(whole.batches).toBe(1);
    const one = await offences(1);
    expect(one.batches).toBeGreaterThan(3);
    expect(one.rows).toEqual(whole.rows);
    expect(one.periodOrder).toBe(true);
  });
});
