import type { Command } from 'commander';
import { registerNotBuilt } from './notBuilt.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'synth', "writes a synthetic dataset folder and a matching contract file");
}
