/**
 * `npm run bench`: the national-scale benchmark (issue 8). Not a test: it never runs in `npm test`.
 *
 *   npm run bench                      # scales 1 and 10
 *   npm run bench -- --scales 1        # only scale 1
 *
 * For each scale it synthesises the dataset once (cached in .bench-cache/ by seed and scale), then:
 *  - the floor: DuckDB reading the same CSV files into tables and doing nothing else, in this process;
 *  - `pbr run` in a child process with a cold cache (stage timings, rows per second, peak RSS);
 *  - `pbr run` again on unchanged inputs (the Parquet cache of validated inputs is reused).
 * Scale 10 runs with DuckDB's memory limit at 2 GB. It prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Db, literal } from '../db/duckdb.js';
import { PACKAGE_ROOT } from '../paths.js';

interface RunJson {
  timings: Record<string, number>;
  peak_rss_mb?: number;
}

const args = process.argv.slice(2);
const scalesArg = args.includes('--scales') ? args[args.indexOf('--scales') + 1]! : '1,10';
const scales = scalesArg.split(',').map(Number);
const seed = 1;
const bin = path.join(PACKAGE_ROOT, 'bin', 'pbr.js');
const cacheDir = path.join(PACKAGE_ROOT, '.bench-cache');

function sh(cmd: string[], env: Record<string, string> = {}): { ms: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, cmd, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  const ms = performance.now() - t;
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`failed: node ${cmd.join(' ')}`);
  }
  return { ms, stdout: r.stdout };
}

function dirBytes(d: string): number {
  return readdirSync(d).reduce((s, f) => s + statSync(path.join(d, f)).size, 0);
}

async function floor(data: string): Promise<{ ms: number; rows: number }> {
  const db = await Db.open();
  const t = performance.now();
  let rows = 0;
  for (const f of readdirSync(data).filter((f) => f.endsWith('.csv')).sort()) {
    const name = f.replace(/\.csv$/, '');
    await db.run(`CREATE TABLE ${name} AS SELECT * FROM read_csv(${literal(path.join(data, f))})`);
    rows += Number(await db.scalar(`SELECT count(*) FROM ${name}`));
  }
  const ms = performance.now() - t;
  db.close();
  return { ms, rows };
}

const lines: string[] = [];
const out = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

out(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, DuckDB ${Db.version}`);
out('');
out('| scale | input rows | input MB | synth s | floor s | load+validate s | measure s | pay s | render s | manifest s | run s | run / floor | rows/s | peak RSS MB | cached rerun s | rerun / run |');
out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const scale of scales) {
  const data = path.join(cacheDir, `data-s${scale}-seed${seed}`);
  let synthS = NaN;
  if (!existsSync(path.join(data, 'contract.json'))) {
    rmSync(data, { recursive: true, force: true });
    synthS = sh([bin, 'synth', '--out', data, '--scale', String(scale), '--seed', String(seed), '--quiet']).ms / 1000;
  }
  const f = await floor(data);
  const runCache = mkdtempSync(path.join(os.tmpdir(), 'pbr-bench-cache-'));
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'pbr-bench-out-'));
  const runArgs = [bin, '--json', '--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', outDir, '--force'];
  if (scale >= 10) runArgs.push('--memory-limit', '2GB');
  const env = { PBR_CACHE: 'on', PBR_CACHE_DIR: runCache };
  const first = sh(runArgs, env);
  const j = JSON.parse(first.stdout) as RunJson;
  const second = sh(runArgs, env);
  rmSync(runCache, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
  const t = j.timings;
  const runS = first.ms / 1000;
  const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
  out(
    `| ${scale} | ${f.rows.toLocaleString('en-GB')} | ${(dirBytes(data) / 1e6).toFixed(0)} | ${fmt(synthS)} | ${fmt(f.ms / 1000)} | ${fmt(t.load_validate)} | ${fmt(t.measure)} | ${fmt(t.pay)} | ${fmt(t.render)} | ${fmt(t.manifest)} | ${fmt(runS)} | ${(runS / (f.ms / 1000)).toFixed(2)} | ${Math.round(f.rows / runS).toLocaleString('en-GB')} | ${j.peak_rss_mb ?? '-'} | ${fmt(second.ms / 1000)} | ${(second.ms / first.ms).toFixed(2)} |`,
  );
}
