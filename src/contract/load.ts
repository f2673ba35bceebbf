import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InputError, escapeControls } from '../errors.js';
import { ContractSchema, type Contract } from './schema.js';

export interface LoadedContract {
  contract: Contract;
  path: string;
  sha256: string;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : shown(String(p)))).join('.').replace(/\.\[/g, '[') || '(top level)';
}

/** A key or value as a message shows it: control characters escaped, at most 60 characters. */
export function shown(s: string): string {
  const escaped = escapeControls(s);
  return escaped.length > 60 ? `${escaped.slice(0, 57)}...` : escaped;
}

/** One line per problem: `payments.binary_price: expected a number`. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  let first = issues[0]!;
  // a record key that breaks its rule: the key's own problem (zod nests it)
  if (first.code === 'invalid_key' && first.issues[0]) first = { ...first.issues[0], path: first.path } as z.core.$ZodIssue;
  let msg = first.message.replace(/^Invalid input: /, '');
  if (first.code === 'unrecognized_keys') msg = `unknown key(s) ${first.keys.map((k) => `'${shown(k)}'`).join(', ')}: remove or correct them`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${file}: ${keyPath(first.path)}: ${msg}${more}`;
}

export function parseContract(value: unknown, file = 'contract'): Contract {
  const result = ContractSchema.safeParse(value);
  if (!result.success) throw new InputError(`${formatIssues(file, result.error.issues)}; fix the contract file and run again`);
  return result.data;
}

/** 1-based line and column of a character offset in a text. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const nl = before.lastIndexOf('\n');
  return { line: (before.match(/\n/g)?.length ?? 0) + 1, column: before.length - nl };
}

/**
 * The first key that appears twice in one JSON object, with its line, or null. JSON.parse keeps
 * the last of two equal keys without a word (YAML refuses them); a contract must say each thing
 * once. The text is already known to be valid JSON, so a small scanner suffices: strings are
 * compared after their escapes are resolved (`"a"` and `"\u0061"` are the same key).
 */
export function duplicateJsonKey(text: string): { key: string; line: number } | null {
  // one entry per open bracket: the keys seen so far in an object, or null in an array
  const stack: (Set<string> | null)[] = [];
  const re = /"(?:[^"\\]|\\.)*"|[{}[\],:]/g;
  let m: RegExpExecArray | null;
  let pendingKey: { key: string; at: number } | null = null;
  let expectKey = false;
  while ((m = re.exec(text))) {
    const tok = m[0];
    const top = stack[stack.length - 1];
    if (tok === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (tok === '[') {
      stack.push(null);
      expectKey = false;
    } else if (tok === '}' || tok === ']') {
      stack.pop();
      expectKey = false;
    } else if (tok === ',') {
      expectKey = top !== null && top !== undefined; // in an object, a comma starts the next key
    } else if (tok === ':') {
      if (pendingKey && top) {
        if (top.has(pendingKey.key)) return { key: pendingKey.key, line: lineColumn(text, pendingKey.at).line };
        top.add(pendingKey.key);
      }
      pendingKey = null;
    } else if (expectKey && top) {
      pendingKey = { key: JSON.parse(tok) as string, at: m.index };
      expectKey = false;
    }
  }
  return null;
}

/**
 * Where the first JSON syntax error is and what was expected there (JSON.parse names a character
 * offset at best, and in some Node versions nothing at all). A plain recursive-descent reading of
 * the JSON grammar; null when the text is valid.
 */
export function jsonSyntaxError(text: string): { offset: number; expected: string } | null {
  let i = 0;
  class Stop extends Error {
    constructor(readonly offset: number, readonly expected: string) {
      super(expected);
    }
  }
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (expected: string): never => {
    throw new Stop(i, expected);
  };
  const string = () => {
    if (text[i] !== '"') fail('a string in double quotes');
    i++;
    for (;;) {
      if (i >= text.length) fail('the closing double quote of a string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('no raw control character inside a string (write it as an escape such as \\n)');
      if (c === 0x5c) {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hexadecimal digits after \\u');
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a valid escape after a backslash');
      }
      i++;
    }
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        if (text[i] !== ':') fail("':' after the key");
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail("',' or ']'");
      }
    }
    if (c === '"') return string();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!lit) fail(i >= text.length ? 'a value (the text ends too early)' : 'a value (a string, number, object, array, true, false or null)');
    i += lit![0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('the end of the text after the JSON value');
    return null;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, expected: e.expected };
    throw e;
  }
}

/** Parse a JSON contract: a syntax error and a repeated key are reported with their line and column. */
function parseJson(file: string, src: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (e) {
    const err = jsonSyntaxError(src);
    const { line, column } = lineColumn(src, err?.offset ?? 0);
    const what = err ? `expected ${err.expected}` : shown((e as Error).message.split('\n')[0]!);
    throw new InputError(`${file}: line ${line}, column ${column}: not valid JSON (${what}); fix the syntax`);
  }
  const dup = duplicateJsonKey(src);
  if (dup) throw new InputError(`${file}: line ${dup.line}: key '${shown(dup.key)}' appears twice in the same object; keep one of them`);
  return value;
}

/** Read a contract file (JSON, or YAML by extension .yaml/.yml) and validate it. */
export function loadContract(file: string): LoadedContract {
  let text: Buffer;
  try {
    if (statSync(file).isDirectory()) {
      throw new InputError(`${file}: is a folder, not a contract file; give --contract the path of the JSON or YAML file`);
    }
    text = readFileSync(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${file}: cannot read the contract file (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}); check the path given to --contract`);
  }
  // a byte-order mark (written by some Windows editors) is not part of the contract
  const src = text.toString('utf8').replace(/^\uFEFF/, '');
  const yaml = /\.ya?ml$/i.test(file);
  let value: unknown;
  if (yaml) {
    try {
      value = parseYaml(src);
    } catch (e) {
      throw new InputError(`${file}: not valid YAML (${shown((e as Error).message.split('\n')[0]!)}); fix the syntax`);
    }
  } else {
    value = parseJson(file, src);
  }
  return { contract: parseContract(value, file), path: file, sha256: createHash('sha256').update(text).digest('hex') };
}
