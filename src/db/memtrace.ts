import type { DuckDBInstance } from '@duckdb/node-api';

/**
 * PBR_MEMTRACE=1: every second, one line on stderr with the process's resident memory and
 * DuckDB's own account of its memory by tag (duckdb_memory(): in memory / spilled, MiB), read on
 * a connection of its own while the run's queries go on. For finding where memory goes (as in
 * BENCHMARKS.md); never in outputs. The timer does not keep the process alive.
 */
export async function startMemtrace(instance: DuckDBInstance): Promise<void> {
  if (process.env.PBR_MEMTRACE !== '1') return;
  const conn = await instance.connect();
  let busy = false;
  const sample = async () => {
    busy = true;
    try {
      const r = await conn.runAndReadAll(
        `SELECT tag, (memory_usage_bytes // 1048576)::INTEGER AS mb, (temporary_storage_bytes // 1048576)::INTEGER AS spilled
         FROM duckdb_memory() WHERE memory_usage_bytes > 0 OR temporary_storage_bytes > 0 ORDER BY tag`,
      );
      const rows = r.getRowObjectsJson() as { tag: string; mb: number; spilled: number }[];
      const total = rows.reduce((a, x) => a + Number(x.mb), 0);
      const rss = Math.round(process.memoryUsage().rss / 1048576);
      process.stderr.write(`[mem @${(performance.now() / 1000).toFixed(1)} rss=${rss} duckdb=${total} ${rows.map((x) => `${x.tag}:${x.mb}/${x.spilled}`).join(' ')}]\n`);
    } catch {
      // the database is closing
    } finally {
      busy = false;
    }
  };
  setInterval(() => void (busy || sample()), 1000).unref();
}
