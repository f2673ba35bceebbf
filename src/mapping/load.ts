import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../errors.js';
import { formatIssues } from '../contract/load.js';
import { MappingSchema, type Mapping } from './schema.js';

/** A mapping file read and checked: its rules, where it is, and its sha256 (for the manifest). */
export interface LoadedMapping {
  mapping: Mapping;
  /** The path as given. */
  path: string;
  /** The file's base name, as the manifest and validation.json record it. */
  file: string;
  sha256: string;
}

export function parseMapping(value: unknown, file = 'mapping'): Mapping {
  const result = MappingSchema.safeParse(value ?? {});
  if (!result.success) throw new InputError(`${formatIssues(file, result.error.issues)}; fix the mapping file and run again`);
  return result.data;
}

/** Read a mapping file (YAML by extension .yaml/.yml, else JSON) and check it. */
export function loadMapping(file: string): LoadedMapping {
  let text: Buffer;
  try {
    if (statSync(file).isDirectory()) throw new Error('a folder');
    text = readFileSync(file);
  } catch {
    throw new InputError(`${file}: cannot read the mapping file; check the path given to --mapping`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  const src = text.toString('utf8').replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = yaml ? parseYaml(src) : JSON.parse(src);
  } catch (e) {
    throw new InputError(`${file}: not valid ${yaml ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]}); fix the syntax`);
  }
  return { mapping: parseMapping(value, file), path: file, file: path.basename(file), sha256: createHash('sha256').update(text).digest('hex') };
}
