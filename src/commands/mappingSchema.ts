import type { Command } from 'commander';
import { mappingJsonSchema } from '../mapping/schema.js';

export function register(program: Command): void {
  program
    .command('mapping-schema')
    .description("prints the mapping file's JSON Schema (for editors)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(mappingJsonSchema(), null, 2)}\n`);
    });
}
