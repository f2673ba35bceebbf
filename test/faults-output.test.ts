import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR, PACKAGE_ROOT } from '../src/paths.js';
import { stageOutput } from '../src/core/atomic.js';
import { InputError } from '../src/errors.js';
import { pbr, pbrIn } from './helpers/cli.js';
import { startPbr, untilStopped } from './helpers/process.js';

/**
 * Promises of issue 13, the output folder: a run never deletes what it did not create (--force
 * replaces only a folder a pbr run wrote), never leaves a half-written --out (killed, interrupted,
 * out of disk, or racing another run), and says in one line (exit 2) why it could not write.
 */
const tmp = (p = 'x') => mkdtempSync(path.join(os.tmpdir(), `pbr-faults-out-${p}-`));
const hand = path.join(FIXTURES_DIR, 'hand');
const args = (data: string, out: string, extra: string[] = []) => ['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, ...extra];

/** A folder that looks like an earlier run's (pbr's manifest.json and one output). */
function earlierRun(parent: string): string {
  const out = path.join(parent, 'run');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ engine: { name: 'pbr-engine', version: '0.0.0' } }));
  writeFileSync(path.join(out, 'measures.csv'), 'earlier\n');
  return out;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

/** A pid that is certainly not running: a process that has already ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('--force never deletes what a run did not write', () => {
  it('--out naming the data folder, even with --force: exit 2, one line, and the data are still there', async () => {
    const data = tmp('data');
    cpSync(hand, data, { recursive: true });
    const before = readdirSync(data).sort();
    const r = await pbrIn(args(data, data, ['--force']));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: ${data}: --out is or contains the data folder; a run never replaces it: choose a new folder for --out`]);
    expect(readdirSync(data).sort()).toEqual(before);
    expect(readdirSync(path.dirname(data)).filter((n) => n.startsWith(`.${path.basename(data)}.`))).toEqual([]);
  });

  it('a run folder that holds the contract file is not replaced either', () => {
    const out = earlierRun(tmp());
    writeFileSync(path.join(out, 'contract.json'), '{}');
    const msg = refusal(() => stageOutput(out, { force: true, protect: [{ path: path.join(out, 'contract.json'), what: 'the contract file' }] }));
    expect(msg).toMatch(/--out is or contains the contract file/);
    expect(readdirSync(out).sort()).toEqual(['contract.json', 'manifest.json', 'measures.csv']);
  });

  it('--force does not replace a folder without pbr\'s manifest.json', () => {
    const out = path.join(tmp(), 'notes');
    mkdirSync(out);
    writeFileSync(path.join(out, 'thesis.txt'), 'years of work');
    expect(refusal(() => stageOutput(out, { force: true }))).toMatch(/--force replaces only a folder written by 'pbr run' \(with its manifest\.json\) or an empty one/);
    expect(readFileSync(path.join(out, 'thesis.txt'), 'utf8')).toBe('years of work');
  });

  it('--force may take an empty folder', () => {
    const out = path.join(tmp(), 'empty');
    mkdirSync(out);
    const s = stageOutput(out, { force: true });
    s.abort();
    s.finish();
    expect(readdirSync(path.dirname(out))).toEqual(['empty']);
  });

  it('the current folder, the home folder and / are never --out', () => {
    expect(refusal(() => stageOutput(process.cwd(), { force: true }))).toMatch(/--out is or contains the current folder/);
    expect(refusal(() => stageOutput(os.homedir(), { force: true }))).toMatch(/--out is or contains (your home folder|the current folder)/);
    expect(refusal(() => stageOutput('/', { force: true }))).toMatch(/--out is or contains the root folder/);
  });
});

describe('two runs to the same --out', () => {
  it('while one run writes --out, a second one exits 2 naming the first', async () => {
    const out = path.join(tmp(), 'run');
    const first = startPbr(args(hand, out), { PBR_TEST_STOP_AT: 'after-load_validate' });
    try {
      expect(await untilStopped(first)).toBe(true);
      const second = pbr(args(hand, out));
      expect(second.status).toBe(2);
      expect(second.stderr.trim().split('\n')).toEqual([
        `error: ${out}: another pbr run (process ${first.pid}) is writing this --out; wait for it to finish or choose another folder ` +
          `(if no pbr is running, remove ${path.join(path.dirname(out), '.run.lock')})`,
      ]);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
  });

  it('a lock left by a killed run does not block the next run, which removes it', () => {
    const parent = tmp();
    const out = path.join(parent, 'run');
    writeFileSync(path.join(parent, '.run.lock'), `${deadPid()}\n`);
    const s = stageOutput(out, { force: false });
    s.abort();
    s.finish();
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('interrupted runs', () => {
  // Ctrl-C is SIGINT, a closed terminal SIGHUP, `kill` SIGTERM: the exit code is 128 + the signal
  // number, as a shell reports it, and nothing is left beside the previous output.
  const signals = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const;
  for (const [signal, code] of signals) {
    it(`${signal}: exit ${code}, staging, spill and lock removed, the previous output untouched`, async () => {
      const parent = tmp(signal);
      const out = earlierRun(parent);
      const r = startPbr(args(hand, out, ['--force']), { PBR_TEST_STOP_AT: 'after-load_validate' });
      expect(await untilStopped(r)).toBe(true);
      expect(readdirSync(parent).sort()).toEqual([`.run.lock`, `.run.spill-${r.pid}`, `.run.tmp-${r.pid}`, 'run']);
      process.kill(r.pid, signal);
      process.kill(r.pid, 'SIGCONT');
      expect((await r.exited).status).toBe(code);
      expect(r.stderr()).toContain(`pbr: interrupted (${signal}); its temporary and partial files were removed`);
      expect(readdirSync(parent)).toEqual(['run']);
      expect(readFileSync(path.join(out, 'measures.csv'), 'utf8')).toBe('earlier\n');
    });
  }
});

describe('a disk that is full or cannot be written', () => {
  it('out of disk space while writing: exit 2, one line, nothing half-written left', async () => {
    const parent = tmp('full');
    const out = earlierRun(parent);
    // the failpoint throws the error a full disk gives (ENOSPC) from inside the run
    const r = await pbrIn(args(hand, out, ['--force']), { env: { PBR_TEST_FAIL_AT: 'after-measure:ENOSPC' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: ${out}: no space left on the disk of --out (nothing was written; the partial output was removed); free some space or choose --out on another disk, and run again`,
    ]);
    expect(readdirSync(parent)).toEqual(['run']);
    expect(readFileSync(path.join(out, 'measures.csv'), 'utf8')).toBe('earlier\n');
  });

  it('a really full disk (a 300 kB file system) gives the same one line, and the disk is left as it was', async () => {
    // a tmpfs of 300 kB holds an earlier run's two small files but not a new run (its report
    // alone is larger); mounting needs root: where the test may not mount, the failpoint stands in
    const mnt = tmp('tmpfs');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', mnt]).status === 0;
    try {
      const out = earlierRun(mnt);
      const r = await pbrIn(args(hand, out, ['--force']), mounted ? {} : { env: { PBR_TEST_FAIL_AT: 'after-render:ENOSPC' } });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `error: ${out}: no space left on the disk of --out (nothing was written; the partial output was removed); free some space or choose --out on another disk, and run again`,
      ]);
      expect(readdirSync(mnt)).toEqual(['run']);
      expect(readdirSync(out).sort()).toEqual(['manifest.json', 'measures.csv']);
    } finally {
      if (mounted) spawnSync('umount', [mnt]);
    }
  });

  it("DuckDB's own disk-full error on a staging file reads the same", () => {
    const out = path.join(tmp(), 'run');
    const s = stageOutput(out, { force: false });
    try {
      const duck = new Error(`IO Error: Could not write file "${path.join(s.staging, 'measures.csv')}": No space left on device`);
      expect(refusal(() => {
        throw s.explain(duck);
      })).toMatch(/run: no space left on the disk of --out/);
    } finally {
      s.abort();
      s.finish();
    }
  });

  it('an --out that cannot be written (read-only, no permission): exit 2, one line', () => {
    const parent = tmp('ro');
    const locked = path.join(parent, 'locked');
    mkdirSync(locked);
    chmodSync(parent, 0o755);
    // root may write anywhere, so as root the run is started as the user 'nobody'
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(locked, 0o555);
    const out = path.join(locked, 'run');
    const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'pbr.js'), ...args(hand, out)], {
      cwd: parent,
      env: { ...process.env, NO_COLOR: '1', PBR_CACHE: 'off' },
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: ${out}: cannot write --out here (permission denied); choose a folder you can write to`]);
    expect(existsSync(out)).toBe(false);
  });
});
