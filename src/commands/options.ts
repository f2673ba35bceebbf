import { z } from 'zod';
import { InputError } from '../errors.js';

/** Parse commander's option object through a zod schema; a failure is a usage error (exit 2). */
export function parseOptions<S extends z.ZodType>(schema: S, opts: unknown, command: string): z.output<S> {
  const r = schema.safeParse(opts);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const key = i.path.map(String).join('.');
    const flag = key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : '(options)';
    throw new InputError(`pbr ${command}: ${flag}: ${i.message}; see 'pbr ${command} --help'`);
  }
  return r.data;
}

export const isoDateOption = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/** Global flags every command accepts. */
export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}
