import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_DIR } from '../src/paths.js';
import { runPipeline } from '../src/run/pipeline.js';
import { doneWith, testDb } from './helpers/db.js';
import { loadContract } from '../src/contract/load.js';
import { loadDataset } from '../src/validate/load.js';
import { loadMapping, parseMapping } from '../src/mapping/load.js';
import { InputError } from '../src/errors.js';
import { draftMapping, profileFolder } from '../src/map/draft.js';
import { pbrIn } from './helpers/cli.js';
import { shared } from './helpers/shared.js';

// Issue 14, done when: fixtures/extracts holds the rows of fixtures/hand in the shapes of real
// exports (an nDelius-like offender workbook with a notes sheet, a blank row and one date typed
// as text; semicolon event part files in a year=YYYY tree with UK dates, words for event types,
// lower-case codes, Y/N; a PNC-like SQL export with timestamps, NULL for no court event, TRUE/FALSE
// and extra columns, its baseline years gzipped). Read through fixtures/extracts/mapping.yaml it
// must give exactly the hand fixture's outputs.
const EXTRACTS = path.join(FIXTURES_DIR, 'extracts');
const HAND = path.join(FIXTURES_DIR, 'hand');
const CONTRACT = path.join(HAND, 'contract.json');
const MAPPING = path.join(EXTRACTS, 'mapping.yaml');
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `pbr-extracts-${p}-`));

/** A copy of fixtures/extracts whose mapping.yaml is changed by `edit`. */
function extractsWith(edit: (mapping: string) => string): string {
  const d = tmp('data');
  cpSync(EXTRACTS, d, { recursive: true });
  writeFileSync(path.join(d, 'mapping.yaml'), edit(readFileSync(MAPPING, 'utf8')));
  return d;
}

describe('the mapped extracts give the canonical outputs, byte for byte', () => {
  let hand: string;
  let mapped: string;
  beforeAll(async () => {
    // the run on fixtures/hand (a copy, with its contract), shared with other test files
    hand = (await shared('hand')).run;
    mapped = path.join(tmp('mapped'), 'run');
    await runPipeline({ dataDir: EXTRACTS, contractPath: CONTRACT, mappingPath: MAPPING, outDir: mapped, quiet: true, cache: false });
  });

  for (const f of ['measures.csv', 'payments.csv']) {
    it(`${f} is identical to the run on fixtures/hand`, () => {
      expect(readFileSync(path.join(mapped, f))).toEqual(readFileSync(path.join(hand, f)));
    });
  }

  it('the manifest records the mapping and its sha256, and every source file', () => {
    const m = JSON.parse(readFileSync(path.join(mapped, 'manifest.json'), 'utf8'));
    expect(m.mapping).toEqual({ file: 'mapping.yaml', sha256: createHash('sha256').update(readFileSync(MAPPING)).digest('hex') });
    // 21 offenders in one sheet; 26 starts in three part files (8 of 2011; 10 and 8 of 2024);
    // 31 offences: 25 from 2022-2025 and 6 of 2011-2012 gzipped
    expect(m.inputs.map((i: Record<string, unknown>) => [i.input, i.file, i.sheet ?? null, i.rows_read])).toEqual([
      ['cohort', 'offenders.xlsx', 'Offenders', 21],
      ['starts', 'events/year=2011/part-0.csv', null, 8],
      ['starts', 'events/year=2024/part-0.csv', null, 10],
      ['starts', 'events/year=2024/part-1.csv', null, 8],
      ['reconvictions', 'pnc/2022-2025.csv', null, 25],
      ['reconvictions', 'pnc/2011-2012.csv.gz', null, 6],
    ]);
    for (const i of m.inputs) expect(i.sha256).toBe(createHash('sha256').update(readFileSync(path.join(EXTRACTS, i.file))).digest('hex'));
    const loc = JSON.parse(readFileSync(path.join(mapped, 'locations.json'), 'utf8'));
    expect(loc.mapping).toBe(path.resolve(MAPPING));
    expect(JSON.parse(readFileSync(path.join(hand, 'manifest.json'), 'utf8')).mapping).toBeNull();
  });

  it('validation.json shows per source file rows read, used and rejected, and the mapping applied', () => {
    const v = JSON.parse(readFileSync(path.join(mapped, 'validation.json'), 'utf8'));
    expect(v.mapping.file).toBe('mapping.yaml');
    expect(v.files[0]).toMatchObject({ name: 'cohort', file: 'offenders.xlsx', sheet: 'Offenders', rows_read: 21, rows_used: 21, rows_rejected: 0 });
    expect(v.files).toHaveLength(6);
  });
});

describe('what must stop a run (exit 2, one line naming the file)', () => {
  it("without the NULL declaration, a NULL in court_event_id names file, line and column", async () => {
    const d = extractsWith((m) => m.replace(/^ *missing_values:.*\n/m, ''));
    const r = await pbrIn(['run', '--data', d, '--contract', CONTRACT, '--mapping', path.join(d, 'mapping.yaml'), '--out', path.join(tmp('out'), 'run')]);
    expect(r.status).toBe(2);
    // pnc/2011-2012.csv.gz: OB1a (line 2), OB1b (line 3) has no court event, written NULL
    expect(r.stderr).toContain('pnc/2011-2012.csv.gz: line 3, column court_event_id (COURT_EVENT_ID): looks like a missing-value marker');
    expect(r.stderr).toMatch(/error: 6 input row\(s\) rejected/);
  });

  // the next two are InputErrors, which the CLI funnel turns into exit 2 (src/cli.ts)
  async function loadFails(d: string): Promise<string> {
    const db = await testDb();
    try {
      const mapping = loadMapping(path.join(d, 'mapping.yaml'));
      const e = await loadDataset(db, d, loadContract(CONTRACT).contract, { mapping, cache: false }).then(
        () => null,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).not.toMatch(/\n/);
      return (e as Error).message;
    } finally {
      doneWith(db);
    }
  }

  it('a truncated .csv.gz', async () => {
    const d = extractsWith((m) => m);
    truncateSync(path.join(d, 'pnc', '2011-2012.csv.gz'), 120);
    expect(await loadFails(d)).toMatch(/pnc\/2011-2012\.csv\.gz: the compressed file ends early/);
  });

  it('an unmapped extra column names it', async () => {
    const d = extractsWith((m) => m.replace('ignore_columns: [TEAM, year]', 'ignore_columns: [year]'));
    expect(await loadFails(d)).toMatch(/events\/year=2011\/part-0\.csv: line 1, column 10: column 'TEAM' is neither mapped nor ignored/);
  });
});

describe('pbr map drafts the mapping', () => {
  it('names CRN, flags NULL, and marks its guesses to confirm', async () => {
    const r = await pbrIn(['map', '--data', EXTRACTS]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {6}person_id: "CRN" {3}# confirm: CRN is a usual name of person_id/m);
    expect(r.stdout).toMatch(/^ {4}missing_values: \["", "NULL"\] {3}# confirm: suspect missing-value markers: "NULL" seen 6 time\(s\) in COURT_EVENT_ID/m);
  });

  it('the draft, unedited, reads this folder as the hand-written mapping does', async () => {
    const db = await testDb();
    try {
      const { profiles, skipped } = await profileFolder(db, EXTRACTS);
      const draft = draftMapping(EXTRACTS, profiles, skipped);
      const mapping = { mapping: parseMapping(parseYaml(draft)), path: 'draft.yaml', file: 'draft.yaml', sha256: 'x' };
      const contract = loadContract(CONTRACT).contract;
      const r = await loadDataset(db, EXTRACTS, contract, { mapping, cache: false });
      expect(r.rejectedRows).toBe(0);
      // 21 + 26 + 31 rows used, as in fixtures/hand
      expect(r.inputs.reduce((a, i) => a + i.rows_used, 0)).toBe(78);
    } finally {
      doneWith(db);
    }
  });
});
