import { Command, CommanderError } from 'commander';
import { CheckFailedError, InputError, NotBuiltError, errorPath, escapeControls, systemErrorCode } from './errors.js';
import { ENGINE_VERSION } from './version.js';

type Register = (program: Command) => void;

/**
 * Every command, in the order of `pbr --help`, with the module that registers it. Modules are
 * imported on use: a command loads only its own (a usage error or `pbr validate` does not load
 * the report's chart and workbook packages, about a second per start).
 */
const COMMANDS: [string, () => Promise<{ register: Register }>][] = [
  ['demo', () => import('./commands/demo.js')],
  ['run', () => import('./commands/run.js')],
  ['validate', () => import('./commands/validate.js')],
  ['synth', () => import('./commands/synth.js')],
  ['assess', () => import('./commands/assess.js')],
  ['diff', () => import('./commands/diff.js')],
  ['reconcile', () => import('./commands/reconcile.js')],
  ['verify', () => import('./commands/verify.js')],
  ['check', () => import('./commands/check.js')],
  ['extract', () => import('./commands/extract.js')],
  ['contract-schema', () => import('./commands/contractSchema.js')],
  ['map', () => import('./commands/map.js')],
  ['mapping-schema', () => import('./commands/mappingSchema.js')],
  ['cache', () => import('./commands/cache.js')],
];

/**
 * The program with the command that argv names registered, or every command when argv names
 * none of them (`pbr --help`, `pbr help run`, an unknown command: the same output as ever).
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
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
    .configureOutput({ outputError: (str, write) => write(escapeControls(str.trimEnd()) + '\n') });
  // the first word after the global options (which take no value) is the command
  const named = argv.slice(2).find((a) => !a.startsWith('-'));
  const one = COMMANDS.filter(([name]) => name === named);
  for (const [, load] of one.length === 1 ? one : COMMANDS) {
    (await load()).register(program);
  }
  for (const c of program.commands) c.exitOverride();
  return program;
}

function useColor(): boolean {
  return process.stderr.isTTY === true && !process.env.NO_COLOR;
}

/** What a user can do about an operating-system error with no better message. */
const SYSTEM_ADVICE: Record<string, string> = {
  ENOSPC: 'no space left on the disk; free some space and run again',
  EDQUOT: 'disk quota exceeded; free some space and run again',
  EROFS: 'read-only file system; choose a place you can write to',
  EACCES: 'permission denied; choose a place you can read or write, or ask for access',
  EPERM: 'operation not permitted; choose a place you can read or write',
  EISDIR: 'is a folder where a file was expected; give the path of the file',
  ENOTDIR: 'a part of this path is not a folder; check the path',
};

/**
 * A closed stdout or stderr (`pbr validate ... | head -1`) is not an error: output that nobody
 * reads is dropped and the command's own exit code stands.
 */
function ignoreClosedPipes(): void {
  for (const s of [process.stdout, process.stderr]) {
    if (s.listenerCount('error') > 0) continue;
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
  }
}

/** The one error funnel: every command's failure ends here and becomes an exit code. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  const program = await buildProgram(argv);
  // every message is printed with its control characters escaped (defence in depth: values in
  // messages are already cut and escaped where they are made)
  const say = (label: string, msg: string, keepNewlines = false) => process.stderr.write(`${label} ${escapeControls(msg, keepNewlines)}\n`);
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
      say(red('error:'), err.message);
      return 2;
    }
    if (err instanceof NotBuiltError || err instanceof CheckFailedError) {
      say(red('error:'), err.message);
      return 1;
    }
    const debug = argv.includes('--debug') || process.env.PBR_DEBUG === '1';
    const e = err as NodeJS.ErrnoException;
    const code = systemErrorCode(e);
    if (code && SYSTEM_ADVICE[code] && !debug) {
      // a file-system problem the user can act on: one line naming the path
      const where = errorPath(e) ?? (e.message ?? '').split('\n')[0]!.replace(/^[A-Z][A-Za-z ]*Error: /, '');
      say(red('error:'), `${where}: ${SYSTEM_ADVICE[code]}`);
      return 2;
    }
    if (/Out of Memory Error/.test(e?.message ?? '') && !debug) {
      say(
        red('error:'),
        `DuckDB ran out of memory (${e.message.split('\n')[0]!.replace(/^.*Out of Memory Error: /, '')}); ` +
          'raise --memory-limit, lower --threads, or free memory, and run again',
      );
      return 1;
    }
    say(red('internal error:'), e?.message ?? String(err), true);
    if (debug && e?.stack) process.stderr.write(`${escapeControls(e.stack, true)}\n`);
    else process.stderr.write('run again with --debug for the stack trace, and report it with the command you ran\n');
    return 1;
  }
}
