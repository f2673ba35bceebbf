import { describe, expect, it } from 'vitest';
import { POOL_SHARE, poolLimit } from '../src/db/duckdb.js';

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
