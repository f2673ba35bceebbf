import { Command, CommanderError } from 'commander';
import { CheckFailedError, InputError, NotBuiltError } from './errors.js';
import { ENGINE_VERSION } from './version.js';
import { register as registerRun } from './commands/run.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerSynth } from './commands/synth.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerAssess } from './commands/assess.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerReconcile } from './commands/reconcile.js';
import { register as registerVerify } from './commands/verify.js';
import { register as registerCheck } from './commands/check.js';
import { register as registerExtract } from './commands/extract.js';
import { register as registerContractSchema } from './commands/contractSchema.js';
import { register as registerMap } from './commands/map.js';
import { register as registerMappingSchema } from './commands/mappingSchema.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('pbr')
    .description('Payment-by-results engine for probation services: proven reoffending, payments and statements.')
    .version(ENGINE_VERSION)
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress on stderr')
    .option('--debug', 'show stack traces for internal failures')
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const register of [
    registerDemo,
    registerRun,
    registerValidate,
    registerSynth,
    registerAssess,
    registerDiff,
    registerReconcile,
    registerVerify,
    registerCheck,
    registerExtract,
    registerContractSchema,
    registerMap,
    registerMappingSchema,
  ]) {
    register(program);
  }
  for (const c of program.commands) c.exitOverride();
  return program;
}

function useColor(): boolean {
  return process.stderr.isTTY === true && !process.env.NO_COLOR;
}

/** The one error funnel: every command's failure ends here and becomes an exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one-line message (or the help / version).
      return err.exitCode === 0 ? 0 : 2;
    }
    const red = (s: string) => (useColor() ? `\x1b[31m${s}\x1b[0m` : s);
    if (err instanceof InputError) {
      process.stderr.write(`${red('error:')} ${err.message}\n`);
      return 2;
    }
    if (err instanceof NotBuiltError || err instanceof CheckFailedError) {
      process.stderr.write(`${red('error:')} ${err.message}\n`);
      return 1;
    }
    const debug = argv.includes('--debug') || process.env.PBR_DEBUG === '1';
    const e = err as Error;
    if (/Out of Memory Error/.test(e?.message ?? '') && !debug) {
      process.stderr.write(
        `${red('error:')} DuckDB ran out of memory (${e.message.split('\n')[0]!.replace(/^.*Out of Memory Error: /, '')}); ` +
          'raise --memory-limit, lower --threads, or free memory, and run again\n',
      );
      return 1;
    }
    process.stderr.write(`${red('internal error:')} ${e?.message ?? String(err)}\n`);
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('run again with --debug for the stack trace, and report it with the command you ran\n');
    return 1;
  }
}
