import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { ISSUES, nId } from '../../platform/issue-messages.js';
import { zm } from '../../platform/validate.js';

/**
 * The field rules of a plot (pure: zod schemas and limits, no I/O), one definition for every way a
 * plot is registered: registerPlot/updatePlot (plots.service) and the bulk producer import
 * (producers.service). The geolocation rules are geo.ts.
 */

/** Largest declared plot area accepted, ha (a smallholder plot is ~0.5–2 ha; an estate rarely 1,000). */
export const MAX_PLOT_AREA_HA = '10000';
/** Altitude range accepted, m (Java's highest peak is 3,676 m). */
export const ALTITUDE_RANGE_M = { min: 0, max: 5000 } as const;

/** Declared plot area (zod): a decimal string of hectares, > 0, ≤ MAX_PLOT_AREA_HA, ≤ 4 decimals. */
export const plotAreaHa = z
  .string()
  .trim()
  .regex(
    /^\d{1,5}(\.\d{1,4})?$/,
    zm({
      en: 'must be a positive decimal number of hectares with at most 4 decimals, e.g. "1.25"',
      id: 'harus luas dalam hektare, angka desimal positif dengan paling banyak 4 angka di belakang titik, misalnya "1.25"',
    }),
  )
  .refine((v) => new Decimal(v).gt(0), zm({ en: 'must be greater than 0 ha', id: 'harus lebih dari 0 ha' }))
  .refine((v) => new Decimal(v).lte(MAX_PLOT_AREA_HA), zm({ en: `must be at most ${MAX_PLOT_AREA_HA} ha`, id: `paling luas ${nId(MAX_PLOT_AREA_HA)} ha` }));

/** Plot altitude (zod), whole metres within ALTITUDE_RANGE_M. */
export const plotAltitudeM = z
  .number()
  .int(zm({ en: 'must be a whole number of metres', id: 'harus bilangan bulat dalam meter' }))
  .min(ALTITUDE_RANGE_M.min, zm({ en: `must be at least ${ALTITUDE_RANGE_M.min} m`, id: `paling rendah ${ALTITUDE_RANGE_M.min} m` }))
  .max(ALTITUDE_RANGE_M.max, zm({ en: `must be at most ${ALTITUDE_RANGE_M.max} m`, id: `paling tinggi ${nId(ALTITUDE_RANGE_M.max)} m` }));

/** Plot name (zod). */
export const plotName = z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200, zm(ISSUES.maxChars({ max: 200 })));
