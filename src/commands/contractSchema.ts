import type { Command } from 'commander';
import { contractJsonSchema } from '../contract/schema.js';

export function register(program: Command): void {
  program
    .command('contract-schema')
    .description("prints the contract file's JSON Schema (for editors)")
    .action(() => {
      process.stdout.write(`${JSON.stringify(contractJsonSchema(), null, 2)}\n`);
    });
}
