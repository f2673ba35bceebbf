import { z } from 'zod';

/**
 * The contract file (docs/contract.md), validated by this one schema: every default of
 * method.md lives here and nowhere else, and every key carries the description that
 * `pbr contract-schema` (and schema/contract.schema.json) gives editors as hover text and that
 * docs/contract.md explains with examples.
 */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'expected a real calendar date YYYY-MM-DD');

export const START_TYPES = ['CO', 'SSO', 'CUSTODY_RELEASE'] as const;
export const ALLOCATIONS = ['CRC', 'NPS'] as const;
export const DISPOSALS = ['CONVICTION', 'CAUTION', 'OTHER'] as const;

/** Longest area code and name the engine takes (they become file names and table cells). */
export const MAX_AREA_CODE = 40;
export const MAX_AREA_NAME = 200;
/** Largest amount of money a contract may state (a trillion pounds): every product stays exact. */
export const MAX_MONEY = 1e12;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const money = z
  .number()
  .finite()
  .nonnegative()
  .max(MAX_MONEY, `expected at most ${MAX_MONEY.toExponential()} (a trillion pounds)`);
const share = z.number().min(0).max(1);

/** An area code: the key used in the extracts' `cpa` column, in file names and in every output. */
export const areaCode = z
  .string()
  .min(1, 'an area code may not be empty')
  .max(MAX_AREA_CODE, `an area code has at most ${MAX_AREA_CODE} characters`)
  .refine((s) => !CONTROL.test(s), 'an area code may not contain control characters')
  .refine((s) => s.trim() === s, 'an area code may not start or end with a space')
  .refine((s) => s.toUpperCase() !== 'ALL', "'ALL' is reserved for all areas together; give the area another code");

const areaName = z
  .string()
  .min(1, 'an area name may not be empty')
  .max(MAX_AREA_NAME, `an area name has at most ${MAX_AREA_NAME} characters`)
  .refine((s) => !CONTROL.test(s), 'an area name may not contain control characters');

const Band = z
  .object({
    start_type: z.enum(START_TYPES).describe('The start type this band weighs: CO, SSO or CUSTODY_RELEASE.'),
    max_length_days: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe('Longest sentence_length_days in the band; null: no upper limit. A start takes the first band (in file order) it fits.'),
    weight: z.number().finite().nonnegative().max(1000).describe('Weight of one start of this band in the weighted volume.'),
  })
  .strict()
  .describe('A fee-for-service volume band.');

const ContractYear = z
  .object({
    from: isoDate.describe('First day of the contract year.'),
    to: isoDate.describe('Last day of the contract year.'),
    annual_price: money.describe("The year's price in pounds (before the learning-curve discount); paid in twelve monthly fees."),
    volume_low: z.number().nonnegative().max(MAX_MONEY).describe('Bottom of the expected weighted-volume range: below it the year-end reconciliation deducts.'),
    volume_high: z.number().nonnegative().max(MAX_MONEY).describe('Top of the expected weighted-volume range: above it the year-end reconciliation pays.'),
  })
  .strict()
  .refine((y) => y.from <= y.to, { message: 'from must not be after to', path: ['to'] })
  .refine((y) => y.volume_low <= y.volume_high, { message: 'volume_low must not exceed volume_high', path: ['volume_high'] })
  .describe('One contract year of an area: its dates, price and expected volume range.');

/** Keys a clause label may name: the contract keys that price statement lines (payments.csv `rule`). */
export const PRICED_KEYS = [
  'payments.binary_price',
  'payments.deduction_price',
  'payments.frequency_price',
  'payments.cap_per_period',
  'payments.deduction_cap_per_period',
  'fee_for_service.annual_price',
  'fee_for_service.volume_low',
  'fee_for_service.volume_high',
  'fee_for_service.service_credit_rate',
  'fee_for_service.service_credit_cap',
  'price_per_event',
  'payment_cap',
  'at_risk_share',
  'bonus_per_point',
  'cohort.top_up',
] as const;

/** A clause key: a priced key, or a fee key of one area's contract year as payments.csv names it. */
const clauseKey = z
  .string()
  .refine(
    (k) =>
      (PRICED_KEYS as readonly string[]).includes(k) ||
      /^fee_for_service\.areas\.[^\s[\]]+\[\d+\]\.(annual_price|volume_low|volume_high)$/.test(k),
    { message: `expected a priced contract key: ${PRICED_KEYS.join(', ')}, or fee_for_service.areas.AREA[i].annual_price (volume_low, volume_high)` },
  );

export const ContractSchema = z
  .object({
    $schema: z.string().optional().describe('The JSON Schema this file follows (for editors); ignored by the engine.'),
    contract: z.string().min(1).max(200).describe('Name of the contract, shown on every statement and in the manifest.'),
    description: z.string().max(2000).optional().describe('Free text about the contract; not used in any calculation.'),
    scheme: z
      .enum(['tr-crc', 'peterborough', 'doncaster'])
      .default('tr-crc')
      .describe(
        'Payment mechanism: tr-crc (the Transforming Rehabilitation CRC mechanism: binary and frequency against a baseline, fee for service), peterborough (reconviction events against a comparison group), doncaster (binary rate against a baseline year with a target).',
      ),
    population: z
      .object({
        allocation: z.enum(ALLOCATIONS).default('CRC').describe('Whose cases are measured: CRC (community rehabilitation companies) or NPS (the national probation service); also the starts counted for fee-for-service volumes.'),
        start_types: z
          .array(z.enum(START_TYPES))
          .min(1)
          .default(['CO', 'SSO', 'CUSTODY_RELEASE'])
          .describe('Start types that make a person eligible: CO (community order), SSO (suspended sentence order), CUSTODY_RELEASE (release from custody).'),
        exclude_em_only: z.boolean().default(true).describe('Leave out orders whose only requirement is an electronically monitored curfew.'),
        min_age: z.number().int().nonnegative().max(150).default(18).describe('Youngest age (completed years on the start date) that is eligible; also used for fee-for-service volumes.'),
        min_custody_days: z
          .number()
          .int()
          .positive()
          .default(2)
          .describe('Shortest custodial sentence (days) whose release is eligible; the default 2 leaves out one-day sentences.'),
      })
      .strict()
      .prefault({})
      .describe('Who is in a cohort (method section 2).'),
    cohort: z
      .object({
        period: z
          .enum(['quarter', 'year', 'financial-year'])
          .default('quarter')
          .describe('Length of a cohort period: quarter (2015Q4), year (2011) or financial-year (1 April to 31 March, 2019-20).'),
        from: isoDate.default('2015-10-01').describe('A day in the first cohort period measured (the whole period is measured).'),
        to: isoDate.nullable().default(null).describe('A day in the last cohort period measured; null: through the latest start in the data.'),
        top_up: z
          .enum(['none', 'year', 'financial-year'])
          .default('none')
          .describe(
            'Annual top-up (method section 12): none, or year / financial-year to measure every whole year inside from..to as well and pay the difference between the annual result and the sum of its periods\' lines as binary_top_up and frequency_top_up lines. Needs cohort.period quarter and scheme tr-crc.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The cohort periods measured and paid.'),
    baseline: z
      .object({
        from: isoDate.default('2011-01-01').describe('First day of the baseline range.'),
        to: isoDate.default('2011-12-31').describe('Last day of the baseline range; its periods are pooled into one baseline per area.'),
      })
      .strict()
      .prefault({})
      .describe('The baseline range computed from the extracts (method section 5), unless a baselines file is given.'),
    follow_up: z
      .object({
        months: z.number().int().positive().max(120).default(12).describe('Follow-up window in months after the index date in which an offence must be committed.'),
        waiting_months: z
          .number()
          .int()
          .nonnegative()
          .max(120)
          .default(6)
          .describe('Further months after the window in which the offence must be disposed of (convicted or cautioned).'),
        as_of: isoDate
          .nullable()
          .default(null)
          .describe('Date the results are known to; null: the latest disposal_date in the reconvictions extract. --as-of overrides it.'),
      })
      .strict()
      .prefault({})
      .describe('The follow-up of each person (method section 3).'),
    proven: z
      .object({
        disposals: z
          .array(z.enum(DISPOSALS))
          .min(1)
          .default(['CONVICTION', 'CAUTION'])
          .describe('Disposal types that prove an offence (tr-crc): CONVICTION, CAUTION, OTHER; the published measure uses CONVICTION and CAUTION. peterborough and doncaster count convictions only.'),
        exclude_breaches: z.boolean().default(true).describe('Leave out breaches of an order or licence (they are not new offences).'),
      })
      .strict()
      .prefault({})
      .describe('What counts as a proven reoffence (method section 3).'),
    adjustment: z
      .object({
        method: z
          .enum(['additive', 'ratio', 'none'])
          .default('additive')
          .describe('Case-mix adjustment of the binary rate: additive a = b - (e - B_e), ratio a = b * B_e / e, or none a = b.'),
      })
      .strict()
      .prefault({})
      .describe('How the binary rate is adjusted for the cohort\'s OGRS risk mix (method section 6).'),
    significance: z
      .object({
        method: z
          .enum(['baseline-band', 'two-proportion', 'fixed'])
          .default('baseline-band')
          .describe(
            'How the thresholds are set: baseline-band (B plus or minus z * sqrt(B(1-B)/n)), two-proportion (a pooled two-sample test), or fixed (the thresholds file of the dataset, published in advance; method section 13).',
          ),
        confidence: z.number().gt(0).lt(1).default(0.95).describe('Confidence level of the band or test, between 0 and 1. Not used by fixed.'),
        sided: z.enum(['one', 'two']).default('two').describe('two: z = Phi^-1(1 - (1 - confidence) / 2); one: z = Phi^-1(confidence). Not used by fixed.'),
      })
      .strict()
      .prefault({})
      .describe('When a change in the binary rate counts (method section 7).'),
    termination: z
      .object({
        increase_points: z
          .number()
          .positive()
          .max(100)
          .describe('Percentage points by which the adjusted binary rate must exceed the baseline in a final period to count towards the watch.'),
        consecutive_periods: z
          .number()
          .int()
          .positive()
          .max(100)
          .describe('Number of consecutive final periods (this one included) in which the increase must hold.'),
      })
      .strict()
      .nullable()
      .default(null)
      .describe('Termination watch (method section 14): flags an area whose results stay worse than its baseline; moves no money. null: off.'),
    payments: z
      .object({
        binary_price: money.nullable().default(null).describe('Pounds per reoffender avoided: the line is (B - a) x n x this price when the binary outcome is payment. null: no binary payments.'),
        deduction_price: money.nullable().default(null).describe('Pounds per extra reoffender: (a - B) x n x this price is deducted when the binary outcome is deduction. null: no deductions.'),
        frequency_price: money.nullable().default(null).describe('Pounds per reoffence avoided: the line is (B_f - f) x r x this price when f is below B_f. null: no frequency payments.'),
        frequency_hurdle: z
          .enum(['binary-payment', 'none'])
          .default('binary-payment')
          .describe('binary-payment: the frequency payment is made only when the binary outcome is a payment; none: whenever the frequency is reduced.'),
        cap_per_period: money.nullable().default(null).describe('Largest positive total of an area and period; the excess is taken back on a cap line. null: no cap.'),
        deduction_cap_per_period: money.nullable().default(null).describe('Largest total of deductions of an area and period; the excess is given back on a cap line. null: no cap.'),
      })
      .strict()
      .prefault({})
      .describe('Payment by results prices and caps (method section 8).'),
    fee_for_service: z
      .object({
        bands: z.array(Band).default([]).describe('Volume bands in order: a start takes the weight of the first band it fits; a start type in no band does not count.'),
        learning_curve_discount: share
          .nullable()
          .default(null)
          .describe('Share taken off the price each contract year after the first: year y costs annual_price * (1 - discount)^(y - 1). null: none.'),
        service_credit_rate: share.default(0).describe("Share of a month's fee deducted for each service level missed that month."),
        service_credit_cap: share.nullable().default(null).describe("Largest share of a month's fee service credits may take. null: no cap."),
        rounding: z
          .enum(['per-month', 'balance-last-month'])
          .default('per-month')
          .describe(
            "per-month: each monthly fee is the year's price / 12 (pro rata for a part month) rounded to pence; balance-last-month: the last month of a contract year takes the balance, so that a contract year of twelve months is paid its price exactly (a shorter or longer one the sum of its exact monthly fees, rounded to pence).",
          ),
        areas: z
          .record(areaCode, z.array(ContractYear))
          .default({})
          .describe('Per area code, its contract years in order (year 1 first).'),
      })
      .strict()
      .prefault({})
      .describe('Fee for service (method section 9).'),
    areas: z
      .record(areaCode, areaName)
      .nullable()
      .default(null)
      .describe('Area code -> name of every contract package area. When given, starts in any other area are rejected. null: every cpa of the starts extract, named by its code.'),
    clauses: z
      .record(clauseKey, z.string().min(1).max(200).refine((s) => !CONTROL.test(s), 'a clause label may not contain control characters'))
      .default({})
      .describe('Optional label of the contract clause behind a priced key, shown on statements beside the key, e.g. { "payments.binary_price": "Schedule 4, para 2.3" }.'),
    publication: z
      .object({
        suppress_below: z
          .number()
          .int()
          .positive()
          .max(1000)
          .nullable()
          .default(null)
          .describe('In report.html and the publication pack (pbr run --focus), a count of people below this is shown as <N and rates from it as *; null: nothing suppressed. measures.csv, payments.csv, breakdowns.csv and statements keep exact figures.'),
      })
      .strict()
      .prefault({})
      .describe('What readers of the report see (method section 15).'),
    thresholds: z
      .object({
        cohort: share.default(0.1).describe('peterborough: the reduction in reconviction events one cohort must reach to be paid (0.1 = 10%).'),
        overall: share.default(0.075).describe('peterborough: the reduction the whole pilot must reach to be paid (0.075 = 7.5%).'),
      })
      .strict()
      .prefault({})
      .describe('peterborough: payment thresholds.'),
    price_per_event: money.nullable().default(null).describe('peterborough: pounds per reconviction event avoided. null: outcomes only, no payment lines.'),
    whole_pilot: z
      .enum(['pooled', 'weighted-mean'])
      .default('pooled')
      .describe("peterborough: the whole pilot's reduction from all cohorts' events pooled, or the mean of the cohorts' reductions weighted by their treatment offenders; the pilot amount follows (the pooled figures, or each cohort against its own comparison group)."),
    payment_cap: money.nullable().default(null).describe('peterborough: largest sum of all outcome payments of the pilot; the excess shows as a cap line. null: no cap.'),
    target_points: z.number().nonnegative().max(100).default(5).describe('doncaster: percentage points of fall against the baseline that keep the at-risk share.'),
    at_risk_share: share.default(0.1).describe("doncaster: share of the contract value refunded when a cohort misses the target."),
    contract_value: z
      .union([money, z.record(z.string().min(1).max(40), money)])
      .nullable()
      .default(null)
      .describe('doncaster: the contract value at stake: one amount, or one per cohort period label ({ "2011": 9800000, "2012": 10000000 }). null: outcomes only.'),
    bonus_per_point: money
      .nullable()
      .default(null)
      .describe('doncaster: pounds for each further percentage point of fall beyond target_points (pro rata). null: no bonus.'),
    bonus_cap_points: z
      .number()
      .nonnegative()
      .max(100)
      .default(5)
      .describe('doncaster: at most this many percentage points beyond the target earn the bonus.'),
  })
  .strict()
  .refine((c) => c.cohort.to === null || c.cohort.from <= c.cohort.to, {
    message: 'cohort.from must not be after cohort.to',
    path: ['cohort', 'to'],
  })
  .refine((c) => c.baseline.from <= c.baseline.to, {
    message: 'baseline.from must not be after baseline.to',
    path: ['baseline', 'to'],
  })
  .describe('A payment-by-results contract: who is measured, how, against what, and what is paid.');

/** A contract as written in the file. */
export type ContractInput = z.input<typeof ContractSchema>;
/** A contract with every default resolved. */
export type Contract = z.output<typeof ContractSchema>;

/** The published identity of the contract file's JSON Schema (schema/contract.schema.json). */
export const CONTRACT_SCHEMA_ID = 'https://github.com/pbr-engine/pbr-engine/schema/contract.schema.json';

export function contractJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(ContractSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $schema: s.$schema, $id: CONTRACT_SCHEMA_ID, title: 'pbr-engine contract file', ...s };
}
