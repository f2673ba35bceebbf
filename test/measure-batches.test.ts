import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { Db } from '../src/db/duckdb.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { measure } from '../src/measure/index.js';
import { FIXTURES_DIR } from '../src/paths.js';
import type { RunContext } from '../src/run/context.js';

// The offence lists are built a batch at a time (memory, not results): several periods together,
// or one period split into shares of its persons by hash. Any batch size gives the same lists.
const dir = path.join(FIXTURES_DIR, 'hand');
const contract = loadContract(path.join(dir, 'contract.json')).contract;

async function lists(batchRows?: number) {
  const db = await Db.open();
  try {
    await loadDataset(db, dir, contract, { cache: false });
    const ctx = { db, contract, asOf: contract.follow_up.as_of!, hasBaselinesFile: false, progress: () => {} } as unknown as RunContext;
    await measure(ctx, batchRows === undefined ? {} : { batchRows });
    return await db.all(
      `SELECT period, person_id, [o.offence_id || ' ' || o.reason FOR o IN offences] AS offences FROM m_offence_lists ORDER BY period, person_id`,
    );
  } finally {
    db.close();
  }
}

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
