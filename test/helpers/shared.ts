import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { FIXTURES_DIR } from '../../src/paths.js';
import { synthesize } from '../../src/synth/generate.js';
import { pbrIn } from './cli.js';

/**
 * Runs and datasets that several test files read and none changes, made once per test run: the
 * first file to ask makes it (holding a lock folder), the others wait for it and read the same
 * folder (test/setup/global.ts gives its root). A file that changes a shared run copies it first.
 *
 * - hand: `pbr --quiet run` (in process, test/helpers/cli.ts pbrIn) on a copy of fixtures/hand with its own contract (cache off).
 *   { data, contract, run }
 * - hand-price-1000: `pbr --quiet run` on fixtures/hand with the hand contract's payments set to
 *   binary_price = deduction_price = 1000. { data, contract, run }
 * - synth-20161: `pbr synth` output at scale 0.005, seed 20161, one DuckDB thread. { data }
 * - demo: `pbr demo --scale 0.002` (in process) as a user types it on a fresh clone: no --out, so
 *   reports/demo under its own current folder, with its own temporary folder (cache off).
 *   { data, contract, run, demo: what it printed, its exit status and the two folders }
 */
export type SharedName = 'hand' | 'hand-price-1000' | 'synth-20161' | 'demo';

export interface Shared {
  /** The dataset folder. */
  data: string;
  /** The contract file of the run (or of the dataset). */
  contract: string;
  /** The run folder (absent for a dataset alone). */
  run: string;
  /** demo only: the folder it ran in, its TMPDIR, and what it printed. */
  demo?: { cwd: string; tmp: string; status: number; stdout: string; stderr: string };
}

const HAND = path.join(FIXTURES_DIR, 'hand');

/** A `pbr --quiet run` (in this process) that must end with exit 0 and nothing on stderr. */
async function cliRun(data: string, contract: string, out: string): Promise<void> {
  const r = await pbrIn(['--quiet', 'run', '--data', data, '--contract', contract, '--out', out], { env: { PBR_CACHE: 'off' } });
  if (r.status !== 0 || r.stderr !== '') throw new Error(`shared run ${out}: exit ${r.status}: ${r.stderr}`);
}

const MAKERS: Record<SharedName, (dir: string) => Promise<Shared>> = {
  hand: async (dir) => {
    const data = path.join(dir, 'data');
    cpSync(HAND, data, { recursive: true });
    const contract = path.join(data, 'contract.json');
    const run = path.join(dir, 'run');
    await cliRun(data, contract, run);
    return { data, contract, run };
  },
  'hand-price-1000': async (dir) => {
    const c = JSON.parse(readFileSync(path.join(HAND, 'contract.json'), 'utf8'));
    c.payments = { binary_price: 1000, deduction_price: 1000 };
    const contract = path.join(dir, 'contract.json');
    writeFileSync(contract, JSON.stringify(c));
    const run = path.join(dir, 'run');
    await cliRun(HAND, contract, run);
    return { data: HAND, contract, run };
  },
  demo: async (dir) => {
    const cwd = path.join(dir, 'cwd');
    const tmp = path.join(dir, 'tmp');
    for (const d of [cwd, tmp]) mkdirSync(d);
    const r = await pbrIn(['demo', '--scale', '0.002'], { cwd, env: { TMPDIR: tmp, PBR_CACHE: 'off' } });
    const run = path.join(cwd, 'reports', 'demo');
    const data = `${run}-data`;
    return { data, contract: path.join(data, 'contract.json'), run, demo: { cwd, tmp, status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr } };
  },
  'synth-20161': async (dir) => {
    const data = path.join(dir, 'data');
    await synthesize({ outDir: data, scale: 0.005, seed: 20161, threads: 1 });
    return { data, contract: path.join(data, 'contract.json'), run: '' };
  },
};

const made = new Map<SharedName, Promise<Shared>>();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeOrWait(name: SharedName): Promise<Shared> {
  const dir = path.join(inject('sharedRoot'), name);
  const done = path.join(dir, 'shared.json');
  const failed = path.join(dir, 'failed.txt');
  let mine = true;
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    mine = false;
  }
  if (mine) {
    try {
      const s = await MAKERS[name](dir);
      // written whole, then renamed: a waiting file never reads half of it
      writeFileSync(`${done}.tmp`, JSON.stringify(s));
      renameSync(`${done}.tmp`, done);
      return s;
    } catch (e) {
      writeFileSync(failed, String((e as Error).stack ?? e));
      throw e;
    }
  }
  // another test file is making it: wait as long as that takes (a polling loop, no timing assertion)
  for (;;) {
    if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as Shared;
    if (existsSync(failed)) throw new Error(`shared ${name} failed in another test file: ${readFileSync(failed, 'utf8')}`);
    await pause(50);
  }
}

/** The shared run or dataset `name`, made by the first test file that asks. Never change it: copy it. */
export function shared(name: SharedName): Promise<Shared> {
  let p = made.get(name);
  if (!p) {
    p = makeOrWait(name);
    made.set(name, p);
  }
  return p;
}
