import type { Command } from 'commander';
import { registerNotBuilt } from './notBuilt.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'validate', "the validation report only");
}
