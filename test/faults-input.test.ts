import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from '../src/paths.js';
import { duplicateJsonKey, loadContract, parseContract } from '../src/contract/load.js';
import { isoDateOption } from '../src/commands/options.js';
import { InputError, escapeControls } from '../src/errors.js';
import { runAssess } from '../src/run/assess.js';
import { pbrIn } from './helpers/cli.js';
import { brokenDataset } from './helpers/dataset.js';
import { startPbr } from './helpers/process.js';

/**
 * Promises of issue 13, bad input: a contract file or a flag that is wrong stops the command with
 * exit code 2 and ONE line that says where the problem is and what to do; nothing is computed
 * from it. (Faults in the data files themselves are tested with the loader.)
 */
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'pbr-faults-input-'));
const hand = path.join(FIXTURES_DIR, 'hand');

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

function contractFile(name: string, text: string | Buffer): string {
  const p = path.join(tmp(), name);
  writeFileSync(p, text);
  return p;
}

describe('the contract file', () => {
  it('a folder given as --contract: exit 2, one line saying it is a folder', async () => {
    const dir = path.join(tmp(), 'contract.json');
    mkdirSync(dir);
    const r = await pbrIn(['run', '--data', hand, '--contract', dir, '--out', path.join(tmp(), 'run')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`error: ${dir}: is a folder, not a contract file; give --contract the path of the JSON or YAML file`]);
  });

  it('a symbolic link to a folder given as --contract is reported the same way', () => {
    const parent = tmp();
    mkdirSync(path.join(parent, 'real'));
    symlinkSync(path.join(parent, 'real'), path.join(parent, 'link.json'));
    expect(errorOf(() => loadContract(path.join(parent, 'link.json')))).toMatch(/link\.json: is a folder, not a contract file/);
  });

  it('a key given twice in one JSON object is refused, naming the key and its second line', () => {
    // line 1 '{', line 2 the first "contract", line 3 the second
    const p = contractFile('dup.json', '{\n  "contract": "a",\n  "contract": "b"\n}\n');
    expect(errorOf(() => loadContract(p))).toBe(`${p}: line 3: key 'contract' appears twice in the same object; keep one of them`);
  });

  it('a repeated key deep inside the contract is found too, also when written with an escape', () => {
    // "\u0062inary_price" is "binary_price": the second one, on line 4, repeats the first
    const text = '{"contract": "x",\n "payments": {\n  "binary_price": 1,\n  "\\u0062inary_price": 2}}';
    expect(duplicateJsonKey(text)).toEqual({ key: 'binary_price', line: 4 });
  });

  it('the same key in two different objects is not a repetition', () => {
    expect(duplicateJsonKey('{"a": {"from": 1}, "b": {"from": 2}, "c": [{"from": 1}, {"from": 2}]}')).toBeNull();
  });

  it('a JSON contract that starts with a byte-order mark is read like the same file without it', () => {
    const text = '{"contract": "bom", "follow_up": {"as_of": "2022-01-31"}}';
    const plain = loadContract(contractFile('plain.json', text));
    const bom = loadContract(contractFile('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    expect(bom.contract).toEqual(plain.contract);
  });

  it('a JSON syntax error names its line and column, not a character offset', () => {
    // line 3 is '  "areas": {,}' : the ',' after '{' is column 13, where a key was expected
    const p = contractFile('syntax.json', '{\n  "contract": "x",\n  "areas": {,}\n}\n');
    expect(errorOf(() => loadContract(p))).toBe(`${p}: line 3, column 13: not valid JSON (expected a string in double quotes); fix the syntax`);
  });

  it('a missing comma between two keys is placed where the comma should be', () => {
    // line 2 is '"contract": "x"' (15 characters); line 3 starts with the next key at column 1,
    // after the newline that ends line 2: the error is at line 3, column 1
    const p = contractFile('comma.json', '{\n"contract": "x"\n"areas": {}\n}');
    expect(errorOf(() => loadContract(p))).toMatch(/comma\.json: line 3, column 1: not valid JSON \(expected ',' or '\}'\)/);
  });

  it('a price of 1e15 is refused before anything runs, naming the key', () => {
    expect(errorOf(() => parseContract({ contract: 'x', payments: { binary_price: 1e15 } }, 'c.json'))).toMatch(
      /^c\.json: payments\.binary_price: expected at most 1e\+12 \(a trillion pounds\)/,
    );
  });

  it('the largest price allowed (a trillion pounds) pays exactly, beyond what DECIMAL(18,2) could hold', async () => {
    const dir = tmp();
    const contract = path.join(dir, 'c.json');
    writeFileSync(
      contract,
      JSON.stringify({ contract: 'price-limit', cohort: { period: 'quarter', from: '2015-10-01' }, follow_up: { as_of: '2022-01-31' }, payments: { deduction_price: 1e12 }, areas: { A1: 'One' } }),
    );
    const aggregates = path.join(dir, 'a.csv');
    writeFileSync(
      aggregates,
      'area,period,measurable,reoffenders,reoffences,reconviction_events,expected_rate,baseline_measurable,baseline_binary_rate,baseline_expected_rate,baseline_frequency_rate\n' +
        'A1,2015Q4,100000,100000,300000,200000,0.45,20000,0.5,0.45,3.5\n',
    );
    const r = await runAssess({ aggregates, contract, out: path.join(dir, 'out') });
    // b = 100000/100000 = 1; e = B_e so a = b = 1; B = 0.5, far above the band: a deduction of
    // -(1 - 0.5) x 100000 x 1e12 = -5e16, above DECIMAL(18,2)'s largest value (1e16 - 0.01)
    expect(r.outcomes).toEqual([{ area: 'A1', period: '2015Q4', status: 'final', outcome: 'deduction', amount: '-50000000000000000.00' }]);
    expect(readFileSync(path.join(dir, 'out', 'payments.csv'), 'utf8')).toContain(',-50000000000000000.00,payments.deduction_price');
  });
});

describe('flags', () => {
  it('--as-of 2022-02-30: exit 2, one line saying it is not a real date (no SQL)', async () => {
    const r = await pbrIn(['run', '--data', hand, '--contract', path.join(hand, 'contract.json'), '--out', path.join(tmp(), 'run'), '--as-of', '2022-02-30']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "error: pbr run: --as-of: 2022-02-30 is not a real date; give a calendar date YYYY-MM-DD; see 'pbr run --help'",
    ]);
  });

  it('29 February is a real date in a leap year only', () => {
    expect(isoDateOption.safeParse('2024-02-29').success).toBe(true);
    expect(isoDateOption.safeParse('2023-02-29').success).toBe(false);
  });
});

describe('messages', () => {
  it('a closed stdout (pbr validate ... | head -1) keeps exit code 2, with no stack trace', async () => {
    const dir = brokenDataset('type');
    const r = startPbr(['validate', '--data', dir, '--contract', path.join(dir, 'contract.json'), '--out', tmp()]);
    r.child.stdout!.destroy(); // the reader goes away before the first line is written
    const { status } = await r.exited;
    expect(status).toBe(2);
    expect(r.stderr()).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.stderr().trim().split('\n')).toHaveLength(1);
  });

  it('terminal escape sequences in a message are shown escaped, never sent to the terminal', async () => {
    // the contract path carries ESC [ 2 J (clear screen) and ESC ] 0 ; (set the window title)
    const evil = path.join(tmp(), 'c\x1b[2J\x1b]0;owned\x07.json');
    const r = await pbrIn(['run', '--data', hand, '--contract', evil, '--out', path.join(tmp(), 'run')]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain('c\\x1b[2J\\x1b]0;owned\\x07.json');
  });

  it('escapeControls shows each control character as \\xNN and keeps newlines only when asked', () => {
    expect(escapeControls('a\x1b[31mb\r\n\x00\x9b')).toBe('a\\x1b[31mb\\x0d\\x0a\\x00\\x9b');
    expect(escapeControls('line 1\nline 2\x07', true)).toBe('line 1\nline 2\\x07');
  });
});
