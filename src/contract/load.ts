import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../errors.js';
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
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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

/** Read a contract file (JSON, or YAML by extension .yaml/.yml) and validate it. */
export function loadContract(file: string): LoadedContract {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    throw new InputError(`${file}: cannot read the contract file; check the path given to --contract`);
  }
  let value: unknown;
  const src = text.toString('utf8');
  try {
    value = /\.ya?ml$/i.test(file) ? parseYaml(src) : JSON.parse(src);
  } catch (e) {
    throw new InputError(`${file}: not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]}); fix the syntax`);
  }
  return { contract: parseContract(value, file), path: file, sha256: createHash('sha256').update(text).digest('hex') };
}
