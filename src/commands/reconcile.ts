import type { Command } from 'commander';
import { registerNotBuilt } from './notBuilt.js';

export function register(program: Command): void {
  registerNotBuilt(program, 'reconcile', "a provider's expected outcomes against a run, per person");
}
