import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { cacheDir, cacheLimits, clearCache, listCache, type CacheItem } from '../cache/store.js';

/** `pbr cache list` and `pbr cache clear`: what the run cache holds, and emptying it. */

const ClearOptions = z.object({
  olderThan: z.coerce
    .number({ error: 'expected a number of days such as 30' })
    .finite('expected a number of days such as 30')
    .min(0, 'expected a number of days from 0')
    .optional(),
});

/** 1234567 -> '1.2 MB' (decimal units, as PBR_CACHE_MAX_GB). */
function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** One line per entry. */
function rows(items: CacheItem[]): string[][] {
  return items.map((it) => [
    it.name, it.kind, size(it.bytes), when(it.lastUsed), it.personLevel ? 'yes' : 'no',
    it.users.length > 0 ? `in use (process ${it.users.join(', ')}); ${it.holds}` : it.holds,
  ]);
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

export function register(program: Command): void {
  const cache = program.command('cache').description('what the run cache holds (pbr cache list) and emptying it (pbr cache clear)');
  cache
    .command('list')
    .description('every entry of the run cache: kind, size, last used, whether it holds person-level data, what it holds')
    .action(() => {
      const g = program.opts<{ json?: boolean }>();
      const root = cacheDir();
      const limits = cacheLimits();
      const items = listCache(root);
      if (g.json) {
        const json = {
          folder: root,
          enabled: process.env.PBR_CACHE !== 'off',
          limits: { max_days: limits.maxDays, max_bytes: limits.maxBytes },
          bytes: items.reduce((s, it) => s + it.bytes, 0),
          entries: items.map((it) => ({
            name: it.name,
            kind: it.kind,
            bytes: it.bytes,
            last_used: it.lastUsed.toISOString(),
            person_level: it.personLevel,
            in_use_by: it.users,
            holds: it.holds,
          })),
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const w = (s: string) => process.stdout.write(`${s}\n`);
      w(`run cache: ${root} (folders and files readable by their owner only)${process.env.PBR_CACHE === 'off' ? '; PBR_CACHE=off: runs neither read nor write it' : ''}`);
      w(
        `limits: entries unused for ${limits.maxDays} days go, then the least recently used beyond ${size(limits.maxBytes)}, at the end of each run ` +
          '(PBR_CACHE_MAX_DAYS, PBR_CACHE_MAX_GB)',
      );
      if (items.length === 0) {
        w('the cache is empty');
        return;
      }
      w('');
      w(table(['entry', 'kind', 'size', 'last used', 'person-level', 'holds'], rows(items)));
      w(`total ${size(items.reduce((s, it) => s + it.bytes, 0))}`);
    });
  cache
    .command('clear')
    .description('remove the entries of the run cache (those a running pbr uses are kept)')
    .option('--older-than <days>', 'only the entries unused for more than this many days')
    .action((raw: unknown) => {
      const opts = parseOptions(ClearOptions, raw, 'cache clear');
      const g = program.opts<{ json?: boolean }>();
      const root = cacheDir();
      const { removed, kept } = clearCache(root, opts.olderThan);
      const bytes = removed.reduce((s, it) => s + it.bytes, 0);
      if (g.json) {
        process.stdout.write(`${JSON.stringify({ folder: root, removed: removed.map((it) => it.name), bytes, kept: kept.map((it) => it.name) }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`removed ${removed.length} item${removed.length === 1 ? '' : 's'} (${size(bytes)}) from ${root}\n`);
      if (kept.length > 0) process.stdout.write(`kept ${kept.length} in use by a running pbr: ${kept.map((it) => it.name).join(', ')}\n`);
    });
}
