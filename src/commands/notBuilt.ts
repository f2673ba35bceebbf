import type { Command } from 'commander';
import { NotBuiltError } from '../errors.js';

/** Register a command whose implementation has not landed yet: listed in --help, exits 1. */
export function registerNotBuilt(program: Command, name: string, summary: string): void {
  program
    .command(name)
    .description(`${summary} (not built yet)`)
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new NotBuiltError(`pbr ${name} is not built yet`);
    });
}
