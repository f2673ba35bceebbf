import { z } from 'zod';

/**
 * The contract file (formats.md section 2), validated by this one schema: every default of
 * method.md lives here and nowhere else. `pbr contract-schema` prints its JSON Schema.
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

const money = z.number().finite().nonnegative();
const share = z.number().min(0).max(1);

const Band = z
  .object({
    start_type: z.enum(START_TYPES),
    max_length_days: z.number().int().positive().nullable().default(null),
    weight: z.number().finite().nonnegative(),
  })
  .strict();

const ContractYear = z
  .object({
    from: isoDate,
    to: isoDate,
    annual_price: money,
    volume_low: z.number().nonnegative(),
    volume_high: z.number().nonnegative(),
  })
  .strict()
  .refine((y) => y.from <= y.to, { message: 'from must not be after to', path: ['to'] })
  .refine((y) => y.volume_low <= y.volume_high, { message: 'volume_low must not exceed volume_high', path: ['volume_high'] });

export const ContractSchema = z
  .object({
    $schema: z.string().optional(),
    contract: z.string().min(1),
    description: z.string().optional(),
    scheme: z.enum(['tr-crc', 'peterborough', 'doncaster']).default('tr-crc'),
    population: z
      .object({
        allocation: z.enum(ALLOCATIONS).default('CRC'),
        start_types: z.array(z.enum(START_TYPES)).min(1).default(['CO', 'SSO', 'CUSTODY_RELEASE']),
        exclude_em_only: z.boolean().default(true),
        min_age: z.number().int().nonnegative().default(18),
        min_custody_days: z.number().int().positive().default(2),
      })
      .strict()
      .prefault({}),
    cohort: z
      .object({
        period: z.enum(['quarter', 'year', 'financial-year']).default('quarter'),
        /** First day of the first cohort period measured. */
        from: isoDate.default('2015-10-01'),
        /** Last day of the last cohort period; null = through the latest start in the data. */
        to: isoDate.nullable().default(null),
      })
      .strict()
      .prefault({}),
    baseline: z
      .object({
        from: isoDate.default('2011-01-01'),
        to: isoDate.default('2011-12-31'),
      })
      .strict()
      .prefault({}),
    follow_up: z
      .object({
        months: z.number().int().positive().default(12),
        waiting_months: z.number().int().nonnegative().default(6),
        /** null = the latest disposal_date of the reconvictions extract. */
        as_of: isoDate.nullable().default(null),
      })
      .strict()
      .prefault({}),
    proven: z
      .object({
        disposals: z.array(z.enum(DISPOSALS)).min(1).default(['CONVICTION', 'CAUTION']),
        exclude_breaches: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    adjustment: z
      .object({ method: z.enum(['additive', 'ratio', 'none']).default('additive') })
      .strict()
      .prefault({}),
    significance: z
      .object({
        method: z.enum(['baseline-band', 'two-proportion']).default('baseline-band'),
        confidence: z.number().gt(0).lt(1).default(0.95),
        sided: z.enum(['one', 'two']).default('two'),
      })
      .strict()
      .prefault({}),
    payments: z
      .object({
        binary_price: money.nullable().default(null),
        deduction_price: money.nullable().default(null),
        frequency_price: money.nullable().default(null),
        frequency_hurdle: z.enum(['binary-payment', 'none']).default('binary-payment'),
        cap_per_period: money.nullable().default(null),
        deduction_cap_per_period: money.nullable().default(null),
      })
      .strict()
      .prefault({}),
    fee_for_service: z
      .object({
        bands: z.array(Band).default([]),
        learning_curve_discount: share.nullable().default(null),
        service_credit_rate: share.default(0),
        service_credit_cap: share.nullable().default(null),
        areas: z.record(z.string(), z.array(ContractYear)).default({}),
      })
      .strict()
      .prefault({}),
    /** Area code -> name. When present, starts in other areas are rejected. */
    areas: z.record(z.string().min(1), z.string()).nullable().default(null),
    /** peterborough: reduction thresholds for one cohort and for the whole pilot. */
    thresholds: z
      .object({ cohort: share.default(0.1), overall: share.default(0.075) })
      .strict()
      .prefault({}),
    /** peterborough: price per reconviction event avoided. */
    price_per_event: money.nullable().default(null),
    /** doncaster: percentage points of reduction that keep the at-risk share. */
    target_points: z.number().nonnegative().default(5),
    /** doncaster: share of the contract value refunded when the target is missed. */
    at_risk_share: share.default(0.1),
    /** doncaster: the contract value at stake. */
    contract_value: money.nullable().default(null),
  })
  .strict()
  .refine((c) => c.cohort.to === null || c.cohort.from <= c.cohort.to, {
    message: 'cohort.from must not be after cohort.to',
    path: ['cohort', 'to'],
  })
  .refine((c) => c.baseline.from <= c.baseline.to, {
    message: 'baseline.from must not be after baseline.to',
    path: ['baseline', 'to'],
  });

/** A contract as written in the file. */
export type ContractInput = z.input<typeof ContractSchema>;
/** A contract with every default resolved. */
export type Contract = z.output<typeof ContractSchema>;

export function contractJsonSchema(): unknown {
  return z.toJSONSchema(ContractSchema, { io: 'input', unrepresentable: 'any' });
}
