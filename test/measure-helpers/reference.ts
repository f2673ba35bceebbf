/**
 * An independent, deliberately plain implementation of method.md sections 1-7 in TypeScript
 * (per person, per offence, no SQL), used only to cross-check the SQL engine on generated data.
 * It shares no code with src/measure except the z value, which is passed in.
 */
import type { Contract } from '../../src/contract/schema.js';
import type { BaselineRow, OffenceRow, PersonRow, StartRow } from './load.js';

type Ymd = [number, number, number];
const parse = (s: string): Ymd => s.split('-').map(Number) as Ymd;
const fmt = ([y, m, d]: Ymd): string => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

/** add_months with clamping to the month end. */
export function addMonths(s: string, k: number): string {
  const [y, m, d] = parse(s);
  const idx = y * 12 + (m - 1) + k;
  const ny = Math.floor(idx / 12);
  const nm = (idx % 12) + 1;
  return fmt([ny, nm, Math.min(d, daysIn(ny, nm))]);
}

function ageAt(dob: string, at: string): number {
  const [by, bm, bd] = parse(dob);
  const [y, m, d] = parse(at);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

interface Period { label: string; start: string; end: string; cohort: boolean; baseline: boolean }

function periodOf(s: string, type: string): { start: string; label: string; months: number } {
  const [y, m] = parse(s);
  if (type === 'quarter') {
    const q = Math.floor((m - 1) / 3);
    return { start: fmt([y, q * 3 + 1, 1]), label: `${y}Q${q + 1}`, months: 3 };
  }
  if (type === 'year') return { start: fmt([y, 1, 1]), label: String(y), months: 12 };
  const fy = m < 4 ? y - 1 : y;
  return { start: fmt([fy, 4, 1]), label: `${fy}-${String((fy + 1) % 100).padStart(2, '0')}`, months: 12 };
}

function periodsBetween(from: string, to: string, type: string): Period[] {
  const out: Period[] = [];
  let p = periodOf(from, type);
  const last = periodOf(to, type).start;
  while (p.start <= last) {
    const next = addMonths(p.start, p.months);
    const [ny, nm, nd] = parse(next);
    const end = new Date(Date.UTC(ny, nm - 1, nd) - 86400000).toISOString().slice(0, 10);
    out.push({ label: p.label, start: p.start, end, cohort: false, baseline: false });
    p = periodOf(next, type);
  }
  return out;
}

export interface RefMeasure {
  area: string; period: string; status: string;
  eligible: number; measurable: number; reoffenders: number; reoffences: number; events: number;
  binary_rate: number | null; frequency_rate: number | null; reoffences_per_100: number | null;
  reconviction_events_per_100: number | null; expected_rate: number | null;
  baseline_measurable: number | null; baseline_binary_rate: number | null; baseline_expected_rate: number | null;
  baseline_frequency_rate: number | null; adjusted_binary_rate: number | null;
  lower_threshold: number | null; upper_threshold: number | null;
  binary_outcome: string; frequency_outcome: string | null;
}

export interface RefInput {
  people: PersonRow[];
  starts: StartRow[];
  offences: OffenceRow[];
  baselines?: BaselineRow[];
  contract: Contract;
  asOf: string;
  areas: string[];
  z: number;
}

/** measures per area (and ALL) and cohort period, unrounded; and per measurable person and period, what counted. */
export function referenceMeasures(inp: RefInput): RefMeasure[] & { perPerson: Map<string, string> } {
  const c = inp.contract;
  const type = c.cohort.period;
  const lastStart = inp.starts.map((s) => s.start_date).sort().at(-1)!;
  const cohortPeriods = periodsBetween(c.cohort.from, c.cohort.to ?? lastStart, type);
  let baselinePeriods = periodsBetween(c.baseline.from, c.baseline.to, type).filter((p) => p.start >= c.baseline.from && p.end <= c.baseline.to);
  // no period of the cohort type inside the baseline range: the range itself is one period
  if (baselinePeriods.length === 0) baselinePeriods = [{ label: `${c.baseline.from}/${c.baseline.to}`, start: c.baseline.from, end: c.baseline.to, cohort: false, baseline: true }];
  const person = new Map(inp.people.map((p) => [p.person_id, p]));
  const offencesOf = new Map<string, OffenceRow[]>();
  for (const o of inp.offences) offencesOf.set(o.person_id, [...(offencesOf.get(o.person_id) ?? []), o]);

  interface Agg { eligible: number; measurable: number; r: number; k: number; ev: number; ogrs: number }
  const zero = (): Agg => ({ eligible: 0, measurable: 0, r: 0, k: 0, ev: 0, ogrs: 0 });

  /** `${period} ${person_id}` -> `${area} ${index start} ${counted offence ids}` (measurable people). */
  const perPerson = new Map<string, string>();

  function measurePeriod(p: Period): Map<string, Agg> {
    const agg = new Map<string, Agg>([...inp.areas, 'ALL'].map((a) => [a, zero()]));
    const index = new Map<string, StartRow>();
    for (const s of inp.starts) {
      if (s.start_date < p.start || s.start_date > p.end) continue;
      const pr = person.get(s.person_id)!;
      if (s.allocation !== c.population.allocation) continue;
      if (!(c.population.start_types as string[]).includes(s.start_type!)) continue;
      if (s.em_only && c.population.exclude_em_only) continue;
      if (ageAt(pr.date_of_birth!, s.start_date) < c.population.min_age) continue;
      if (s.start_type === 'CUSTODY_RELEASE' && s.sentence_length_days! < c.population.min_custody_days) continue;
      const cur = index.get(s.person_id);
      const byteLess = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
      if (!cur || s.start_date < cur.start_date || (s.start_date === cur.start_date && byteLess(s.start_id, cur.start_id))) index.set(s.person_id, s);
    }
    for (const [pid, s] of index) {
      const pr = person.get(pid)!;
      for (const key of [s.cpa!, 'ALL']) {
        const a = agg.get(key)!;
        a.eligible += 1;
        if (!pr.pnc_matched) continue;
        a.measurable += 1;
        // OGRS in millionths keeps the sum exact for the test data (6 decimals).
        a.ogrs += Math.round(Number(s.ogrs) * 1e6);
        const i = s.start_date;
        const windowEnd = addMonths(i, c.follow_up.months);
        const waitingEnd = addMonths(i, c.follow_up.months + c.follow_up.waiting_months);
        const counted = new Map<string, OffenceRow>();
        for (const o of offencesOf.get(pid) ?? []) {
          if (!(o.offence_date > i && o.offence_date <= windowEnd)) continue;
          if (!(c.proven.disposals as string[]).includes(o.disposal_type!)) continue;
          if (o.breach && c.proven.exclude_breaches) continue;
          if (o.disposal_date > waitingEnd || o.disposal_date > inp.asOf) continue;
          counted.set(o.offence_id, o);
        }
        const events = new Set<string>();
        for (const o of counted.values()) if (o.disposal_type === 'CONVICTION') events.add(o.court_event_id ? `E${o.court_event_id}` : `D${o.disposal_date}`);
        if (key === 'ALL') perPerson.set(`${p.label} ${pid}`, `${s.cpa} ${s.start_id} ${[...counted.keys()].sort().join(' ')}`.trim());
        if (counted.size > 0) a.r += 1;
        a.k += counted.size;
        a.ev += events.size;
      }
    }
    return agg;
  }

  // Baselines.
  const base = new Map<string, { n: number; B: number | null; Be: number | null; Bf: number | null; r: number | null; k: number | null }>();
  if (inp.baselines) {
    for (const b of inp.baselines.filter((x) => (x.population ?? 'CRC') === c.population.allocation)) {
      base.set(b.cpa, {
        n: b.baseline_measurable, B: Number(b.baseline_binary_rate), Be: Number(b.baseline_expected_rate),
        Bf: b.baseline_frequency_rate === undefined ? null : Number(b.baseline_frequency_rate), r: null, k: null,
      });
    }
  } else {
    const pooled = new Map<string, Agg>([...inp.areas, 'ALL'].map((a) => [a, zero()]));
    for (const p of baselinePeriods) {
      for (const [a, g] of measurePeriod(p)) {
        const t = pooled.get(a)!;
        t.measurable += g.measurable; t.r += g.r; t.k += g.k; t.ogrs += g.ogrs;
      }
    }
    for (const [a, t] of pooled) {
      if (t.measurable === 0) continue;
      base.set(a, { n: t.measurable, B: t.r / t.measurable, Be: t.ogrs / 1e6 / t.measurable, Bf: t.r > 0 ? t.k / t.r : null, r: t.r, k: t.k });
    }
  }

  const out: RefMeasure[] = [];
  for (const p of cohortPeriods) {
    const agg = measurePeriod(p);
    const final = inp.asOf >= addMonths(p.end, c.follow_up.months + c.follow_up.waiting_months);
    for (const area of [...inp.areas, 'ALL']) {
      const g = agg.get(area)!;
      const n = g.measurable;
      const b = n > 0 ? g.r / n : null;
      const f = g.r > 0 ? g.k / g.r : null;
      const e = n > 0 ? g.ogrs / 1e6 / n : null;
      const bl = base.get(area);
      let a: number | null = null;
      if (b !== null && e !== null) {
        if (c.adjustment.method === 'none') a = b;
        else if (bl?.Be != null) a = c.adjustment.method === 'additive' ? b - (e - bl.Be) : e !== 0 ? (b * bl.Be) / e : null;
      }
      let h: number | null = null;
      if (n > 0 && bl?.B != null) {
        if (c.significance.method === 'baseline-band') h = inp.z * Math.sqrt((bl.B * (1 - bl.B)) / n);
        else if (a !== null && bl.n > 0) {
          const pp = (a * n + bl.B * bl.n) / (n + bl.n);
          h = pp <= 0 || pp >= 1 ? 0 : inp.z * Math.sqrt(pp * (1 - pp) * (1 / n + 1 / bl.n));
        }
      }
      const lower = h !== null ? bl!.B! - h : null;
      const upper = h !== null ? bl!.B! + h : null;
      let outcome = 'none';
      if (a !== null && lower !== null && upper !== null) outcome = a < lower ? 'payment' : a > upper ? 'deduction' : 'none';
      let fo: string | null = null;
      if (f !== null && bl?.Bf != null) {
        const reduced = bl.r !== null && bl.k !== null ? g.k * bl.r < bl.k * g.r : f < bl.Bf;
        fo = reduced ? 'reduced' : 'not_reduced';
      }
      out.push({
        area, period: p.label, status: final ? 'final' : 'interim',
        eligible: g.eligible, measurable: n, reoffenders: g.r, reoffences: g.k, events: g.ev,
        binary_rate: b, frequency_rate: f, reoffences_per_100: n > 0 ? (100 * g.k) / n : null,
        reconviction_events_per_100: n > 0 ? (100 * g.ev) / n : null, expected_rate: e,
        baseline_measurable: bl?.n ?? null, baseline_binary_rate: bl?.B ?? null, baseline_expected_rate: bl?.Be ?? null,
        baseline_frequency_rate: bl?.Bf ?? null, adjusted_binary_rate: a, lower_threshold: lower, upper_threshold: upper,
        binary_outcome: outcome, frequency_outcome: fo,
      });
    }
  }
  return Object.assign(out, { perPerson });
}
