import { afterEach, describe, expect, it } from 'vitest';
import { Db, POOL_SHARE, poolLimit } from '../src/db/duckdb.js';

// --memory-limit is what the process may use; DuckDB's buffer pool gets three quarters of it (the
// rest is for DuckDB's allocations outside its pool and for Node), in whole KiB, rounded down.
describe('the DuckDB pool under --memory-limit', () => {
  it('is three quarters of the limit', () => {
    expect(POOL_SHARE).toBe(0.75);
  });

  it('2GB (decimal, as DuckDB reads it): 2,000,000,000 x 0.75 / 1024 = 1,464,843.75 -> 1464843KiB', () => {
    expect(poolLimit('2GB')).toBe('1464843KiB');
  });

  it('4GiB: 4 x 2^30 x 0.75 / 1024 = 3,145,728KiB exactly', () => {
    expect(poolLimit('4GiB')).toBe('3145728KiB');
  });

  it('1.5 gb, with a space and in lower case: 1,500,000,000 x 0.75 / 1024 = 1,098,632.8 -> 1098632KiB', () => {
    expect(poolLimit('1.5 gb')).toBe('1098632KiB');
  });
});

describe('PBR_THREADS', () => {
  const saved = process.env.PBR_THREADS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PBR_THREADS;
    else process.env.PBR_THREADS = saved;
  });
  const threadsOf = async (opts: { threads?: number } = {}) => {
    const db = await Db.open(opts);
    try {
      return (await db.all<{ t: bigint | number }>(`SELECT current_setting('threads') AS t`))[0]!.t;
    } finally {
      db.close();
    }
  };

  it('sets the threads of a database opened without --threads', async () => {
    process.env.PBR_THREADS = '1';
    expect(Number(await threadsOf())).toBe(1);
  });

  it('--threads wins over it', async () => {
    process.env.PBR_THREADS = '1';
    expect(Number(await threadsOf({ threads: 3 }))).toBe(3);
  });

  it('a value that is not a whole number of threads is an input error naming the variable', async () => {
    process.env.PBR_THREADS = 'two';
    await expect(Db.open()).rejects.toThrow(/^PBR_THREADS: 'two' is not a number of threads; set it to a whole number such as 2, or unset it$/);
  });
});
