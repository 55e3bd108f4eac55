import { Decimal } from 'decimal.js';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ConflictError, type Issue, issueAt, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { parseInput } from '../../platform/validate.js';
import { assertCanManageProducer, loadProducerAccess, visibleProducersFilter } from '../producers/access.js';
import { type PlotGeometry, validatePlotGeolocation } from './geo.js';
import { plotAltitudeM, plotAreaHa, plotName } from './plot-fields.js';
import * as repo from './plots.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Plots: where a producer grows. Registered by the producer themself, their cooperative manager or
 * an admin; the geolocation must pass the EUDR checks of geo.ts, so every stored plot is EUDR-ready.
 */

/** The request-scoped bits the visibility checks need (a GraphQL Context fits). */
export interface AccessCtx {
  db: Kysely<DB>;
  principal: Principal | null;
}

const RegisterPlotInput = z.object({
  producerId: z.number().int(),
  name: plotName,
  areaHa: plotAreaHa,
  altitudeM: plotAltitudeM,
  geolocation: z.unknown(),
});

/** Validate geolocation against EUDR; each failed rule becomes an issue "[RULE] message" at its path. */
function checkGeolocation(value: unknown, declaredAreaHa: string, path: string): { geometry: PlotGeometry; computedAreaHa: string | null } {
  const result = validatePlotGeolocation(value, declaredAreaHa, path);
  if (!result.ok) {
    throw new ValidationError(result.issues.map((i): Issue => issueAt(i.path, { en: `[${i.rule}] ${i.text.en}`, id: `[${i.rule}] ${i.text.id}` })));
  }
  return { geometry: result.geometry, computedAreaHa: result.computedAreaHa };
}

export async function registerPlot(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof RegisterPlotInput>) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(RegisterPlotInput, input);
  const geo = checkGeolocation(parsed.geolocation, parsed.areaHa, 'input.geolocation');
  return inTransaction(db, async (trx) => {
    await assertCanManageProducer(trx, actor, parsed.producerId, 'input.producerId');
    return repo.insertPlot(trx, {
      producer_id: parsed.producerId,
      name: parsed.name,
      area_ha: parsed.areaHa,
      altitude_m: parsed.altitudeM,
      geometry: JSON.stringify(geo.geometry),
      computed_area_ha: geo.computedAreaHa,
      eudr_ready: true,
    });
  });
}

const UpdatePlotInput = z.object({
  plotId: z.number().int(),
  name: plotName.optional(),
  areaHa: plotAreaHa.optional(),
  altitudeM: plotAltitudeM.optional(),
  geolocation: z.unknown().optional(),
});

/**
 * Change a plot. Name and altitude may always change. Area and geolocation are what the EUDR
 * due diligence of past lots rests on, so they may only change while no lot comes from the plot
 * (otherwise register a new plot). The geolocation is re-validated against the resulting area.
 */
export async function updatePlot(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof UpdatePlotInput>) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(UpdatePlotInput, input);
  const changesShape = parsed.areaHa !== undefined || parsed.geolocation !== undefined;
  if (parsed.name === undefined && parsed.altitudeM === undefined && !changesShape) {
    throw ValidationError.field('input', ISSUES.nothingToChangePrefixed({ fields: 'name, areaHa, altitudeM, geolocation' }));
  }
  return inTransaction(db, async (trx) => {
    const plot = await repo.lockPlot(trx, parsed.plotId);
    if (!plot) throw new NotFoundError('Plot', 'input.plotId');
    await assertCanManageProducer(trx, actor, plot.producer_id, 'input.plotId', 'Plot');
    const set: Parameters<typeof repo.updatePlot>[2] = {};
    if (parsed.name !== undefined) set.name = parsed.name;
    if (parsed.altitudeM !== undefined) set.altitude_m = parsed.altitudeM;
    if (changesShape) {
      if (await repo.plotHasLots(trx, plot.id)) {
        throw new ConflictError(
          'Lots have been declared from this plot, so its area and geolocation are fixed; register a new plot instead',
          parsed.geolocation !== undefined ? 'input.geolocation' : 'input.areaHa',
        );
      }
      const area = parsed.areaHa ?? new Decimal(plot.area_ha).toString();
      const geo = checkGeolocation(parsed.geolocation ?? plot.geometry, area, parsed.geolocation !== undefined ? 'input.geolocation' : 'input.areaHa');
      set.area_ha = area;
      set.geometry = JSON.stringify(geo.geometry);
      set.computed_area_ha = geo.computedAreaHa;
      set.eudr_ready = true;
    }
    return repo.updatePlot(trx, plot.id, set);
  });
}

// ---------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------

/**
 * An extra way to see a plot, beyond the producer's own circle (the producer, their cooperative
 * manager, brand managers and curators of brands they are a member of, admins). The orders module
 * registers one so that a buyer sees the plots in their order's provenance. Rules must batch their
 * I/O per request (a page of plots must not cost a query each).
 */
export type PlotVisibilityRule = (ctx: AccessCtx, plot: repo.PlotRow) => boolean | Promise<boolean>;
const plotVisibilityRules: PlotVisibilityRule[] = [];

export function extendPlotVisibility(rule: PlotVisibilityRule): void {
  plotVisibilityRules.push(rule);
}

/** Whether the caller may see this plot (type-level check of Plot; batched per request). */
export async function canSeePlot(ctx: AccessCtx, plot: repo.PlotRow): Promise<boolean> {
  if (!ctx.principal) return false;
  if ((await loadProducerAccess(ctx, plot.producer_id)).view) return true;
  for (const rule of plotVisibilityRules) if (await rule(ctx, plot)) return true;
  return false;
}

/** Plots the caller may see (filtered in SQL), optionally of one producer. */
export function listPlots(db: Kysely<DB>, actor: Principal | null, filter: { producerId?: number | null }, page: KeysetPage) {
  if (!actor) throw new UnauthenticatedError();
  return repo.listPlots(db, visibleProducersFilter(actor), filter, page);
}

/** A page of the plots the caller may see for each of many producers (one query). */
export function plotsPerProducer(db: Kysely<DB>, actor: Principal | null, producerIds: readonly number[], page: KeysetPage) {
  if (!actor) throw new UnauthenticatedError();
  return repo.plotsPerProducer(db, visibleProducersFilter(actor), producerIds, page);
}

/** Plots of many lots (for Lot.plots), grouped per lot in the order asked. */
export async function plotsOfLots(db: Kysely<DB>, lotIds: readonly number[]): Promise<repo.PlotRow[][]> {
  const rows = await repo.plotsOfLots(db, lotIds);
  return lotIds.map((id) => rows.filter((r) => r.lot_id === id));
}
