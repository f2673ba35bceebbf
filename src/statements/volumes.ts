import path from 'node:path';
import type { RunContext } from '../core/context.js';
import { ownerOnly } from '../core/personLevel.js';
import { literal } from '../db/duckdb.js';
import { readSql } from '../db/sql.js';

/**
 * `volumes.csv` at the top of the run folder (never inside statements/: it is start-level data):
 * every start of the starts extract with the contract year it counts in, its band and weight, or
 * the reason it does not count (queries/volumes_starts.sql). Written by COPY, then made readable by
 * its owner only, like the other person-level outputs (src/core/personLevel.ts). Needs the tables
 * of the pay stage (pay_fee.sql), so only `pbr run` writes it.
 */
export async function writeVolumesCsv(ctx: RunContext): Promise<string> {
  const file = path.join(ctx.outDir, 'volumes.csv');
  await ctx.db.execMacros('output_macros');
  await ctx.db.run(`COPY (${readSql('volumes_starts')}) TO ${literal(file)} (FORMAT csv, HEADER true)`);
  // nothing reads the classified starts after this (at national scale a table of every start)
  await ctx.db.run('DROP TABLE IF EXISTS pay_fee_classified');
  ownerOnly(file);
  return file;
}
