import { Decimal } from 'decimal.js';
import { kg } from '../../platform/format.js';
import { z } from 'zod';
import { ValidationError } from '../../platform/errors.js';
import { parseInput, zm } from '../../platform/validate.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import { type AllocationInputError, type Constraints, STRATEGIES, type Strategy, SUPPLY_MODES, type SupplyMode } from './engine.js';
import { ISSUES, kgId } from '../../platform/issue-messages.js';

/**
 * Allocation constraints and strategy (pure): parsing what the client gives, the form stored on
 * the order, and the form the engine takes. Used by acceptance (orders) and reallocation
 * (fulfilment) alike.
 */

/** Constraints as the client gives them (weights already in grams, percentages as decimal text). */
export interface ConstraintsInput {
  wholeBags?: boolean | null;
  minContribution?: number | null;
  maxSharePct?: string | null;
  regencies?: readonly string[] | null;
  eudrOnly?: boolean | null;
  supply?: SupplyMode | null;
}

/** Constraints as stored on the order (orders.constraints) and shown back. */
export interface StoredConstraints {
  wholeBags: boolean;
  minContributionG: number;
  maxSharePct: string | null;
  regencies: string[] | null;
  eudrOnly: boolean;
  supply: SupplyMode;
}

/** What of the order the constraints depend on. */
export interface OrderQuantity {
  whole_bags: boolean;
  quantity_g: number;
}

const ConstraintsSchema = z
  .object({
    wholeBags: z.boolean().nullish(),
    minContribution: z.number().int(zm(ISSUES.wholeNumberOfGrams)).min(0, zm({ en: 'must be 0 (no minimum) or more', id: 'harus 0 (tanpa minimum) atau lebih' })).nullish(),
    maxSharePct: z
      .string()
      .trim()
      .regex(/^\d{1,3}(\.\d{1,4})?$/, zm({ en: 'must be a percentage with at most 4 decimals, e.g. "12.5"', id: 'harus persentase dengan paling banyak 4 angka desimal, misalnya "12.5"' }))
      .refine((v) => new Decimal(v).gt(0) && new Decimal(v).lte(100), zm({ en: 'must be more than 0 and at most 100', id: 'harus lebih dari 0 dan paling besar 100' }))
      .nullish(),
    regencies: z
      .array(z.string().trim().min(1, zm(ISSUES.notEmpty)).max(100, zm(ISSUES.maxChars({ max: 100 }))))
      .min(1, zm({ en: 'must name at least one regency (omit it to allow every regency)', id: 'sebutkan paling sedikit satu kabupaten (kosongkan kolom ini untuk semua kabupaten)' }))
      .max(50, zm(ISSUES.atMostItems({ max: 50, what: { en: 'regencies', id: 'kabupaten' } })))
      .nullish(),
    eudrOnly: z.boolean().nullish(),
    supply: z.enum(SUPPLY_MODES as unknown as [SupplyMode, ...SupplyMode[]]).nullish(),
  })
  .nullish();

/** Where each engine input field lives in the GraphQL input. */
const ENGINE_FIELD_PATH: Record<string, string> = {
  quantityG: 'input.constraints.wholeBags',
  minGradeRank: 'input.orderId',
  strategy: 'input.strategy',
  wholeBags: 'input.constraints.wholeBags',
  eudrOnly: 'input.constraints.eudrOnly',
  supply: 'input.constraints.supply',
  minContributionG: 'input.constraints.minContribution',
  maxSharePct: 'input.constraints.maxSharePct',
  regencies: 'input.constraints.regencies',
};

/** What each engine input field is, in Indonesian (the engine's own message is English only). */
const ENGINE_FIELD_ID: Record<string, string> = {
  quantityG: 'Jumlah pesanan', minGradeRank: 'Mutu minimum pesanan', strategy: 'Strategi alokasi', wholeBags: 'Pilihan karung utuh',
  eudrOnly: 'Pilihan khusus EUDR', supply: 'Jenis pasokan', minContributionG: 'Kontribusi minimum', maxSharePct: 'Bagian maksimum',
  regencies: 'Daftar kabupaten',
};

/** An engine input error as a ValidationError naming the GraphQL input field. */
export function toValidationError(e: AllocationInputError): ValidationError | AllocationInputError {
  const path = ENGINE_FIELD_PATH[e.field];
  if (!path) return e;
  return ValidationError.field(path, { en: e.message, id: `${ENGINE_FIELD_ID[e.field] ?? e.field} tidak dapat dipakai untuk alokasi (${e.message})` });
}

/**
 * Effective constraints for an order: the order's wholeBags always applies (it cannot be switched
 * off), every other constraint defaults to "none". Bad values are a ValidationError naming
 * `input.constraints.<field>`.
 */
export function resolveConstraints(order: OrderQuantity, input: ConstraintsInput | null | undefined): StoredConstraints {
  const c = parseInput(ConstraintsSchema, input ?? null, 'input.constraints') ?? {};
  if (order.whole_bags && c.wholeBags === false) {
    throw ValidationError.field('input.constraints.wholeBags', {
      en: 'the order asks for whole 60 kg bags; this cannot be switched off',
      id: 'pesanan ini meminta karung utuh 60 kg; pilihan ini tidak dapat dimatikan',
    });
  }
  const wholeBags = order.whole_bags || c.wholeBags === true;
  if (wholeBags && order.quantity_g % BAG_G !== 0) {
    throw ValidationError.field('input.constraints.wholeBags', {
      en: `the order quantity ${kg(order.quantity_g, 'en')} is not a whole number of 60 kg bags`,
      id: `jumlah pesanan ${kgId(gramsToKg(order.quantity_g))} bukan kelipatan karung 60 kg`,
    });
  }
  const regencies = c.regencies ? [...new Set(c.regencies)] : null;
  return {
    wholeBags,
    minContributionG: c.minContribution ?? 0,
    maxSharePct: c.maxSharePct ? new Decimal(c.maxSharePct).toFixed() : null,
    regencies,
    eudrOnly: c.eudrOnly ?? false,
    supply: c.supply ?? 'EITHER',
  };
}

/** Regency names are matched case-insensitively (as availability does). */
export const regencyKey = (r: string) => r.trim().toLowerCase();

export function engineConstraints(c: StoredConstraints): Constraints {
  return {
    wholeBags: c.wholeBags,
    minContributionG: c.minContributionG,
    // At most 4 decimals (validated), which the engine takes exactly: round(pct · 10^4).
    maxSharePct: c.maxSharePct === null ? null : Number(c.maxSharePct),
    regencies: c.regencies === null ? null : c.regencies.map(regencyKey),
    eudrOnly: c.eudrOnly,
    supply: c.supply,
  };
}

export function resolveStrategy(given: Strategy | null | undefined, brandDefault: string | null | undefined): Strategy {
  if (given) return given;
  return STRATEGIES.includes(brandDefault as Strategy) ? (brandDefault as Strategy) : 'PRO_RATA';
}
