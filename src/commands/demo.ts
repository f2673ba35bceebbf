import type { Command } from 'commander';
import { registerNotBuilt } from './notBuilt.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'demo', "makes the synthetic national dataset and runs everything on it");
}
