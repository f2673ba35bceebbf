/** Reading measure results back in tests (small results only). */
import type { Measured } from './load.js';
import { rows } from './load.js';

export type Row = Record<string, unknown>;

/** The offender_outcomes row of a person in a period (label, e.g. 2024Q1), or undefined. */
export async function outcome(m: Measured, person: string, period: string): Promise<Row | undefined> {
  const r = await rows(
    m.db,
    `SELECT * REPLACE (strftime(index_date, '%Y-%m-%d') AS index_date, strftime(first_offence_date, '%Y-%m-%d') AS first_offence_date,
            strftime(window_end, '%Y-%m-%d') AS window_end, strftime(waiting_end, '%Y-%m-%d') AS waiting_end)
     FROM offender_outcomes WHERE person_id = $p AND period = $period`,
    { p: person, period },
  );
  return r[0];
}

/** offence_id -> reason for every offence listed for a person in a period. */
export async function reasons(m: Measured, person: string, period: string): Promise<Record<string, string>> {
  const r = await rows(
    m.db,
    `SELECT offence_id AS id, reason FROM m_offences WHERE person_id = $p AND period = $period ORDER BY id`,
    { p: person, period },
  );
  return Object.fromEntries(r.map((x) => [String(x.id), String(x.reason)]));
}

/** The measures row of an area (or ALL) in a period. */
export async function measureRow(m: Measured, area: string, period: string): Promise<Row> {
  const r = await rows(m.db, `SELECT * FROM measures WHERE area = $a AND period = $period`, { a: area, period });
  if (r.length !== 1) throw new Error(`expected one measures row for ${area} ${period}, got ${r.length}`);
  return r[0]!;
}

/** Persons (sorted) in the cohort of a period. */
export async function cohortOf(m: Measured, period: string): Promise<string[]> {
  const r = await rows(m.db, `SELECT person_id FROM offender_outcomes WHERE period = $period ORDER BY person_id`, { period });
  return r.map((x) => String(x.person_id));
}

/** Rates are compared to 12 decimals (they are DOUBLE). */
export function close(actual: unknown, expected: number, digits = 12): boolean {
  return typeof actual === 'number' && Math.abs(actual - expected) < 10 ** -digits;
}
