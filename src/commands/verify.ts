import type { Command } from 'commander';
import { registerNotBuilt } from './notBuilt.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'verify', "re-runs from the manifest and checks every output hash");
}
