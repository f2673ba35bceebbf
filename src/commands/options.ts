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

/** A calendar date YYYY-MM-DD that exists (2022-02-30 does not). */
export const isoDateOption = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, { error: (iss) => `${String(iss.input)} is not a real date; give a calendar date YYYY-MM-DD` });

/** Global flags every command accepts. */
export interface GlobalFlags {
  json?: boolean;
  quiet?: boolean;
  debug?: boolean;
}
