import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { pbr } from './helpers/cli.js';

// pbr verify (issue 7, moved here from test/audit-run.test.ts) on the hand-made fixture
// (fixtures/hand: a dozen people, two areas with results, one empty area).
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-audit-${p}-`));

function copyHand(): string {
  const d = tmp('data');
  cpSync(path.join(FIXTURES_DIR, 'hand'), d, { recursive: true });
  return d;
}

function run(data: string, out: string, extra: string[] = [], env: Record<string, string> = {}) {
  return pbr(['--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out, ...extra], { env });
}

let first: string;
beforeAll(() => {
  const data = copyHand();
  first = path.join(tmp('run'), 'run');
  const r = run(data, first);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('pbr verify', () => {
  it('exits 0 when every output is reproduced', () => {
    const r = pbr(['verify', first]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^verified: every output of .* is reproduced byte for byte/m);
  });

  it('tampering with one input row fails, naming that file', () => {
    const d = copyHand();
    const out = path.join(tmp('verify'), 'run');
    expect(run(d, out).status).toBe(0);
    const p = path.join(d, 'reconvictions.csv');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/\n([^\n]+)\n$/, (_m, last: string) => `\n${last.replace(/CONVICTION|CAUTION/, 'OTHER')}\n`));
    const r = pbr(['verify', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('input reconvictions.csv: changed since the run (sha256 differs)');
    expect(r.stdout).not.toContain('input starts.csv');
    expect(r.stderr).toMatch(/does not verify: 1 input\(s\) changed/);
  });

  it('a changed output file is named', () => {
    const out = path.join(tmp('verify-out'), 'run');
    cpSync(first, out, { recursive: true });
    appendFileSync(path.join(out, 'measures.csv'), '\n');
    const r = pbr(['verify', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('output measures.csv: changed since the run (differs from the manifest)');
  });
});
