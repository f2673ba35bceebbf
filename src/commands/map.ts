import type { Command } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { InputError } from '../errors.js';

const MapOptions = z.object({
  data: z.string({ error: 'required: the folder of extracts' }).min(1),
  out: z.string().min(1).optional(),
});

export function register(program: Command): void {
  program
    .command('map')
    .description('drafts a mapping file from the extracts in a folder: column matches, codes, date formats, true/false tokens and suspect missing values, each to confirm')
    .option('--data <dir>', 'folder of extracts (.csv, .csv.gz, .parquet, .xlsx)')
    .option('--out <file>', 'write the draft here (default: stdout); an existing file is not replaced')
    .action(async (raw: unknown) => {
      const opts = parseOptions(MapOptions, raw, 'map');
      if (!existsSync(opts.data) || !statSync(opts.data).isDirectory()) throw new InputError(`${opts.data}: not a folder; give --data the folder holding the extracts`);
      if (opts.out && existsSync(opts.out)) throw new InputError(`${opts.out}: exists already; give --out a new file name (the draft never replaces a file)`);
      const { Db } = await import('../db/duckdb.js');
      const { profileFolder, draftMapping } = await import('../map/draft.js');
      const db = await Db.open();
      try {
        const { profiles, skipped } = await profileFolder(db, opts.data);
        if (profiles.length === 0) throw new InputError(`${opts.data}: no .csv, .csv.gz, .parquet or .xlsx file could be read here`);
        const text = draftMapping(opts.data, profiles, skipped);
        if (opts.out) {
          writeFileSync(opts.out, text, { flag: 'wx' });
          process.stderr.write(`draft mapping written to ${opts.out}: confirm every line marked '# confirm', then run pbr validate --data ${opts.data} --mapping ${opts.out}\n`);
        } else process.stdout.write(text);
      } finally {
        db.close();
      }
    });
}
