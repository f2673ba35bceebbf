import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { FIXTURES_DIR, PACKAGE_ROOT } from '../src/paths.js';
import { PERSON_LEVEL_OUTPUTS } from '../src/core/personLevel.js';
import { pbrIn } from './helpers/cli.js';

/**
 * Promises of issue 13, person-level data: the files that hold data about people (the run
 * cache, offender_outcomes.parquet, offender_offences.parquet, validation.json, volumes.csv) are
 * readable by their owner only whatever the umask, the manifest names them, and everything else
 * a run writes (what may be published) holds no person, start or offence id.
 */
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-faults-privacy-${p}-`));
/** A prefix no output would write by chance, so that a found id is certainly a leaked one. */
const MARK = 'xqz';
const ID_COLUMNS: Record<string, string[]> = {
  'cohort.csv': ['person_id'],
  'starts.csv': ['start_id', 'person_id'],
  'reconvictions.csv': ['offence_id', 'person_id'],
};

let data: string;
let out: string;
let cache: string;
let ids: string[];

/** fixtures/hand with every id marked (P01 -> xqzP01; the byte order of ids is unchanged). */
function markedHand(): { dir: string; ids: string[] } {
  const dir = tmp('data');
  const found = new Set<string>();
  for (const f of readdirSync(path.join(FIXTURES_DIR, 'hand'))) {
    const text = readFileSync(path.join(FIXTURES_DIR, 'hand', f), 'utf8');
    const cols = ID_COLUMNS[f];
    if (!cols) {
      writeFileSync(path.join(dir, f), text);
      continue;
    }
    const [header, ...rows] = text.trimEnd().split('\n');
    const idx = cols.map((c) => header!.split(',').indexOf(c));
    const marked = rows.map((r) => {
      const cells = r.split(',');
      for (const i of idx) {
        cells[i] = `${MARK}${cells[i]}`;
        found.add(cells[i]!);
      }
      return cells.join(',');
    });
    writeFileSync(path.join(dir, f), `${[header, ...marked].join('\n')}\n`);
  }
  return { dir, ids: [...found].sort() };
}

function walk(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel)).flatMap((n) => {
    const r = rel ? `${rel}/${n}` : n;
    return statSync(path.join(dir, r)).isDirectory() ? [`${r}/`, ...walk(dir, r)] : [r];
  });
}

beforeAll(() => {
  ({ dir: data, ids } = markedHand());
  out = path.join(tmp('out'), 'run');
  cache = path.join(tmp('cache'), 'pbr-engine');
  // umask 000: every file a careless writer makes would be readable (and writable) by anyone
  const r = spawnSync('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, path.join(PACKAGE_ROOT, 'bin', 'pbr.js'), '--quiet', 'run', '--data', data, '--contract', path.join(data, 'contract.json'), '--out', out], {
    env: { ...process.env, PBR_CACHE: 'on', PBR_CACHE_DIR: cache, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('person-level outputs of a run', () => {
  it('the manifest names the person-level outputs', () => {
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { person_level: string[]; outputs: Record<string, string> };
    // the three a run of this dataset writes (volumes.csv joins them where fee for service is priced)
    expect(m.person_level).toEqual(expect.arrayContaining(['offender_outcomes.parquet', 'offender_offences.parquet', 'validation.json']));
    expect(m.person_level).toEqual(PERSON_LEVEL_OUTPUTS.filter((f) => f in m.outputs));
  });

  it('each is readable by its owner only (0600), although the run had umask 000', () => {
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { person_level: string[] };
    for (const f of m.person_level) expect([f, (statSync(path.join(out, f)).mode & 0o777).toString(8)]).toEqual([f, '600']);
  });

  it('none of them sits inside a folder that may be published (statements/, charts/, pack/)', () => {
    const inside = walk(out).filter((f) => /^(statements|charts|pack)\//.test(f));
    expect(inside.filter((f) => (PERSON_LEVEL_OUTPUTS as readonly string[]).includes(path.basename(f)))).toEqual([]);
  });

  it('no other output holds a person, start or offence id of the inputs', async () => {
    // 21 people, 26 starts and 31 offences in fixtures/hand: 78 ids
    expect(ids).toHaveLength(78);
    const person = new Set<string>(PERSON_LEVEL_OUTPUTS);
    const files = walk(out).filter((f) => !f.endsWith('/') && !person.has(f));
    expect(files).toEqual(expect.arrayContaining(['measures.csv', 'payments.csv', 'breakdowns.csv', 'report.html']));
    const leaks: string[] = [];
    for (const f of files) {
      const bytes = readFileSync(path.join(out, f));
      let texts = [bytes.toString('latin1')];
      // workbooks are zip files: their sheets are read, not their compressed bytes
      if (f.endsWith('.xlsx') || f.endsWith('.zip')) {
        const zip = await JSZip.loadAsync(bytes);
        texts = await Promise.all(Object.values(zip.files).map((z) => z.async('string')));
      }
      for (const id of ids) if (texts.some((t) => t.includes(id))) leaks.push(`${f}: ${id}`);
    }
    expect(leaks).toEqual([]);
  });
});

describe('the run cache', () => {
  it('its folder, entries and files are readable by their owner only, although the run had umask 000', () => {
    const modes = new Set(walk(cache).map((f) => `${f.endsWith('/') ? 'folder' : 'file'} ${(statSync(path.join(cache, f)).mode & 0o777).toString(8)}`));
    modes.add(`folder ${(statSync(cache).mode & 0o777).toString(8)}`);
    expect([...modes].sort()).toEqual(['file 600', 'folder 700']);
  });

  it('pbr cache list names each entry, its kind, size, last use and whether it holds person-level data', async () => {
    const r = await pbrIn(['--json', 'cache', 'list'], { env: { PBR_CACHE_DIR: cache } });
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { folder: string; entries: { kind: string; person_level: boolean; bytes: number; last_used: string; holds: string }[] };
    expect(list.folder).toBe(cache);
    const kinds = new Set(list.entries.map((e) => `${e.kind} ${e.person_level ? 'person-level' : 'no person data'}`));
    // a run's outputs (the first run of these inputs stores only them) hold people
    expect([...kinds]).toEqual(['run person-level']);
    expect(list.entries.every((e) => e.bytes > 0 && !Number.isNaN(Date.parse(e.last_used)) && e.holds.length > 0)).toBe(true);
  });

  it('pbr cache clear --older-than keeps what was used since; pbr cache clear empties it', async () => {
    const env = { PBR_CACHE_DIR: cache };
    const kept = await pbrIn(['cache', 'clear', '--older-than', '1'], { env });
    expect(kept.status).toBe(0);
    expect(kept.stdout).toMatch(/^removed 0 items \(0 B\)/);
    const cleared = await pbrIn(['cache', 'clear'], { env });
    expect(cleared.status).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
    expect((await pbrIn(['cache', 'list'], { env })).stdout).toContain('the cache is empty');
  });

  it('a bad limit is a usage error naming the variable', async () => {
    const r = await pbrIn(['cache', 'list'], { env: { PBR_CACHE_DIR: cache, PBR_CACHE_MAX_GB: 'lots' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('error: PBR_CACHE_MAX_GB=lots: expected a number of at least 0 (default 10)');
  });
});

describe('validation.json of pbr validate', () => {
  it('is owner-only too (it lists the values of rejected rows)', async () => {
    const dir = tmp('validate');
    mkdirSync(path.join(dir, 'out'));
    const r = await pbrIn(['validate', '--data', data, '--out', path.join(dir, 'out')]);
    expect(r.status).toBe(0);
    expect((statSync(path.join(dir, 'out', 'validation.json')).mode & 0o777).toString(8)).toBe('600');
  });
});
