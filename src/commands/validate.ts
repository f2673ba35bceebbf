import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseOptions } from './options.js';
import { Db } from '../db/duckdb.js';
import { InputError } from '../errors.js';
import { loadContract } from '../contract/load.js';
import { ContractSchema } from '../contract/schema.js';
import { loadDataset } from '../validate/load.js';
import { loadMapping } from '../mapping/load.js';
import { describeRejects, summarise, writeValidationJson } from '../core/validationReport.js';
import { ownerOnly } from '../core/personLevel.js';

const ValidateOptions = z.object({
  data: z.string({ error: 'required: the dataset folder' }).min(1),
  contract: z.string().min(1).optional(),
  mapping: z.string().min(1).optional(),
  out: z.string().min(1).default('reports/validate'),
});

export function register(program: Command): void {
  program
    .command('validate')
    .description('the validation report only: every rejected row with file, line, column and reason')
    .option('--data <dir>', 'dataset folder')
    .option('--contract <file>', 'contract file (areas and population are checked against it)')
    .option('--mapping <file>', 'mapping file (YAML or JSON): how the files of --data become the inputs (see pbr map)')
    .option('--out <dir>', 'folder for validation.json', 'reports/validate')
    .action(async (raw: unknown) => {
      const opts = parseOptions(ValidateOptions, raw, 'validate');
      const g = program.opts<{ json?: boolean }>();
      const contract = opts.contract ? loadContract(opts.contract).contract : ContractSchema.parse({ contract: 'none' });
      const mapping = opts.mapping ? loadMapping(opts.mapping) : null;
      const db = await Db.open();
      try {
        const load = await loadDataset(db, opts.data, contract, { mapping });
        const summary = summarise(load.inputs, load.rejectedRows, load.rejectCount, load.mapping);
        mkdirSync(opts.out, { recursive: true });
        const file = path.join(opts.out, 'validation.json');
        await writeValidationJson(db, file, summary);
        ownerOnly(file); // it lists the values of rejected rows: person-level
        if (g.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else for (const l of await describeRejects(db, summary, 10, file)) process.stdout.write(`${l}\n`);
        if (load.rejectedRows > 0) {
          throw new InputError(`${load.rejectedRows} row(s) rejected; every one is listed in ${file}: fix them, or run with --allow-rejects to compute on the rest`);
        }
      } finally {
        db.close();
      }
    });
}
