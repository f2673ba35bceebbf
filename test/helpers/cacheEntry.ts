import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Change the stored bytes of one file of a cache entry of files, in place, the way a damaged disk
 * or a careless edit would: in the entry's pack (files.pack) for a small file, in files/NAME for
 * the others (src/cache/store.ts storeFiles). The edit must keep the size.
 */
export function editStored(entry: string, name: string, edit: (bytes: Buffer) => Buffer): void {
  const rec = JSON.parse(readFileSync(path.join(entry, 'entry.json'), 'utf8')) as { packed?: Record<string, { offset: number; bytes: number }> };
  const at = rec.packed?.[`files/${name}`];
  const file = at ? path.join(entry, 'files.pack') : path.join(entry, 'files', name);
  const all = readFileSync(file);
  const [from, to] = at ? [at.offset, at.offset + at.bytes] : [0, all.length];
  const edited = edit(Buffer.from(all.subarray(from, to)));
  if (edited.length !== to - from) throw new Error(`editStored: the edit of ${name} changed its size`);
  edited.copy(all, from);
  writeFileSync(file, all);
}
