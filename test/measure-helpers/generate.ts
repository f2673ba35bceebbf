/**
 * A seeded generator of small random datasets for cross-checking the engine against the
 * reference implementation. Dates are drawn to land often on the rules' boundaries: month ends,
 * 29 February, the index date, the window end and the waiting end (+- 1 day), 18th birthdays.
 */
import { addMonths } from './reference.js';
import type { OffenceRow, PersonRow, StartRow } from './load.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addDays = (s: string, k: number): string => new Date(Date.parse(`${s}T00:00:00Z`) + k * 86400000).toISOString().slice(0, 10);

export interface Generated { people: PersonRow[]; starts: StartRow[]; offences: OffenceRow[] }

export function generate(seed: number, nPeople: number, areas: string[]): Generated {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T,>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const people: PersonRow[] = [];
  const starts: StartRow[] = [];
  const offences: OffenceRow[] = [];
  const SPECIAL_DAYS = ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-06-30', '2011-02-28', '2011-03-31', '2011-12-31', '2024-01-01', '2011-01-01'];
  let sid = 0;
  let oid = 0;
  for (let i = 0; i < nPeople; i++) {
    const pid = `P${String(i).padStart(4, '0')}`;
    const year = rnd() < 0.5 ? 2011 : 2024;
    const dates: string[] = [];
    const nStarts = int(1, 3);
    for (let j = 0; j < nStarts; j++) {
      const d = rnd() < 0.25 ? pick(SPECIAL_DAYS.filter((s) => s.startsWith(String(year)))) : addDays(`${year}-01-01`, int(0, year === 2024 ? 181 : 364));
      dates.push(d);
    }
    const first = [...dates].sort()[0]!;
    // some people turn 18 around their first start; some are born on 29 February
    const r = rnd();
    const dob = r < 0.1 ? addDays(addMonths(first, -18 * 12), int(-1, 1)) : r < 0.15 ? pick(['2004-02-29', '1992-02-29', '1988-02-29']) : addDays('1950-01-01', int(0, 20000));
    people.push({ person_id: pid, date_of_birth: dob, sex: pick(['M', 'M', 'F', 'U']), pnc_matched: rnd() < 0.92, group: 'treatment' });
    for (const d of dates) {
      const type = pick(['CO', 'SSO', 'CUSTODY_RELEASE'] as const);
      starts.push({
        start_id: pick(['S', 's', 'S-', 'T']) + String(sid++).padStart(5, '0'),
        person_id: pid,
        start_date: rnd() < 0.1 ? first : d,
        start_type: type,
        sentence_length_days: type === 'CUSTODY_RELEASE' && rnd() < 0.3 ? int(1, 2) : int(1, 900),
        cpa: pick(areas),
        allocation: rnd() < 0.85 ? 'CRC' : 'NPS',
        em_only: rnd() < 0.1,
        ogrs: (int(0, 1000000) / 1000000).toFixed(6),
      });
    }
    const nOff = int(0, 6);
    const events = ['E1', 'E2', 'E3'];
    for (let j = 0; j < nOff; j++) {
      const anchor = pick(dates);
      const kind = rnd();
      let od: string;
      if (kind < 0.15) od = anchor;
      else if (kind < 0.3) od = addDays(addMonths(anchor, 12), int(-1, 1));
      else od = addDays(addMonths(anchor, int(-3, 15)), int(-20, 20));
      let dd: string;
      if (rnd() < 0.2) dd = addDays(addMonths(anchor, 18), int(-1, 1));
      else dd = addDays(od, int(0, 250));
      if (dd < od) dd = od;
      offences.push({
        offence_id: `O${String(oid++).padStart(6, '0')}`,
        person_id: pid,
        offence_date: od,
        disposal_date: dd,
        disposal_type: pick(['CONVICTION', 'CONVICTION', 'CONVICTION', 'CAUTION', 'OTHER']),
        court_event_id: rnd() < 0.3 ? undefined : `${pid}-${pick(events)}`,
        breach: rnd() < 0.1,
      });
    }
  }
  return { people, starts, offences };
}
