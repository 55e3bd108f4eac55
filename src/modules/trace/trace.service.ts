import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, Row } from '../../platform/db-types.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import { gramsToKg } from '../../platform/weight.js';
import { linesOfOrders } from '../allocation/allocation.repo.js';
import { fulfilmentsOfLines } from '../fulfilment/fulfilment.repo.js';
import { assessmentsOfLots } from '../grading/grading.repo.js';
import { canSeeOrder } from '../orders/access.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { plotsOfLots } from '../plots/plots.repo.js';
import * as repo from './trace.repo.js';

/**
 * The provenance of an order as one tree: order → lines → lots → plots, with the producer and the
 * assessments of each lot, the commitment behind each forward line, the order's provenance events
 * and an EUDR due-diligence summary.
 *
 * Who: the order's buyer, the brand managers of its brand, admins (the order visibility rule);
 * anyone else gets ForbiddenError. The tree uses its own plain types, built here from a constant
 * number of queries (10, whatever the size of the order).
 *
 * Producers: a buyer learns who grew the coffee (display name, village, district, regency: the
 * supplier information EUDR due diligence asks for) but never their contact data, and no producer
 * node ID: each producer gets an opaque per-order label ("Contributor 1", … in the order of their
 * first line), stable for the order and meaningless outside it. Brand managers and admins may also
 * read the producer's ID (TraceProducer.producerId).
 *
 * EUDR figures count the supply that currently serves the order: ACTIVE spot lines' lots and the
 * lots of ACTIVE fulfilments of ACTIVE forward lines. A forward line's undelivered weight, and any
 * lot without plots, is coffee of unknown origin; an order with any of it is not compliant
 * (mixing in unknown origin taints the whole consignment).
 */

export const PRODUCTION_COUNTRY = 'ID';
export const EUDR_CUT_OFF = '2020-12-31';

export interface TraceProducer {
  label: string;
  producerId: number;
  brandId: number;
  displayName: string;
  village: string;
  district: string;
  regency: string;
}

export interface TraceAssessment {
  assessedAt: Date;
  gradeCode: string | null;
  gradeRank: number | null;
  offGrade: boolean;
  defectValue: string;
  moisturePct: string;
  cuppingScore: string | null;
}

export interface TracePlot {
  /** Internal: to count distinct plots; not exposed. */
  plotId: number;
  geolocation: unknown;
  areaHa: string;
  altitudeM: number | null;
  eudrReady: boolean;
}

export interface TraceLot {
  lotId: number;
  /** Weight of this lot in the line: the spot line's weight, or the fulfilment's. */
  weightG: number;
  /** null for a spot line's lot. */
  fulfilmentStatus: Row<'fulfilments'>['status'] | null;
  harvestStart: string;
  harvestEnd: string;
  process: Row<'lots'>['process'];
  regency: string;
  gradeCode: string | null;
  gradeRank: number | null;
  offGrade: boolean;
  eudrReady: boolean;
  plots: TracePlot[];
  assessments: TraceAssessment[];
  producer: TraceProducer;
}

export interface TraceCommitment {
  windowStart: string;
  windowEnd: string;
  minGradeCode: string;
  minGradeRank: number;
  regency: string;
}

export interface TraceLine {
  lineId: number;
  kind: 'SPOT' | 'FORWARD';
  status: Row<'allocation_lines'>['status'];
  weightG: number;
  fulfilledG: number;
  gradeCode: string | null;
  gradeRank: number | null;
  regency: string;
  contributor: TraceProducer;
  commitment: TraceCommitment | null;
  lots: TraceLot[];
  replacesLineId: number | null;
  createdAt: Date;
}

export interface TraceEvent {
  kind: string;
  at: Date;
  weightG: number | null;
  lineId: number | null;
  contributor: TraceProducer | null;
  summary: string;
}

export interface DueDiligence {
  productName: string;
  commodity: string;
  species: string;
  process: string;
  form: string;
  supplierName: string;
  customerName: string;
  destinationCountry: string;
  netMassAllocatedG: number;
  netMassFulfilledG: number;
  uncoveredG: number;
  unknownOriginG: number;
  country: string;
  regions: string[];
  productionStart: string | null;
  productionEnd: string | null;
  plotCount: number;
  plotsEudrReady: number;
  allPlotsGeolocated: boolean;
  eudrCompliant: boolean;
  deforestationCutOff: string;
}

export interface OrderTrace {
  order: Row<'orders'>;
  lines: TraceLine[];
  events: TraceEvent[];
  dueDiligence: DueDiligence;
}

/** The trace of an order (its buyer, its brand's managers, admins). */
export async function orderTrace(db: Kysely<DB>, actor: Principal | null, orderId: number): Promise<OrderTrace> {
  if (!actor) throw new UnauthenticatedError();
  const order = await ordersRepo.findOrder(db, orderId);
  if (!order) throw new NotFoundError('Order', 'orderId');
  if (!canSeeOrder(actor, order)) throw new ForbiddenError('Only the order\'s buyer, its brand\'s managers and admins see its trace');

  const [header, lines, events] = await Promise.all([repo.orderHeader(db, order), linesOfOrders(db, [order.id]), repo.eventsOfOrder(db, order.id)]);
  const fulfilments = await fulfilmentsOfLines(db, lines.map((l) => l.id));
  const lotIds = [...new Set([...lines.flatMap((l) => (l.lot_id !== null ? [l.lot_id] : [])), ...fulfilments.map((f) => f.lot_id)])];
  const commitmentIds = [...new Set(lines.flatMap((l) => (l.commitment_id !== null ? [l.commitment_id] : [])))];
  const [lots, commitments, plots, assessments] = await Promise.all([
    repo.lotsByIds(db, lotIds),
    repo.commitmentsByIds(db, commitmentIds),
    plotsOfLots(db, lotIds),
    assessmentsOfLots(db, lotIds),
  ]);
  const producerIds = [...new Set([...lines.map((l) => l.producer_id), ...lots.map((l) => l.producer_id)])];
  const producerRows = await repo.producerPublicRows(db, producerIds);

  // Contributors, labelled in the order of their first line.
  const producerRow = new Map(producerRows.map((p) => [p.id, p]));
  const contributors = new Map<number, TraceProducer>();
  const contributor = (producerId: number): TraceProducer => {
    let c = contributors.get(producerId);
    if (!c) {
      const p = producerRow.get(producerId);
      c = {
        label: `Contributor ${contributors.size + 1}`,
        producerId,
        brandId: order.brand_id,
        displayName: p?.display_name ?? '',
        village: p?.village ?? '',
        district: p?.district ?? '',
        regency: p?.regency ?? '',
      };
      contributors.set(producerId, c);
    }
    return c;
  };
  for (const l of lines) contributor(l.producer_id);

  const plotsOf = groupBy(plots, (p) => p.lot_id);
  const assessmentsOf = groupBy(assessments, (a) => a.lot_id);
  const lotById = new Map(lots.map((l) => [l.id, l]));
  const commitmentById = new Map(commitments.map((c) => [c.id, c]));
  const fulfilmentsOf = groupBy(fulfilments, (f) => f.line_id);

  const traceLot = (lotId: number, weightG: number, fulfilmentStatus: TraceLot['fulfilmentStatus']): TraceLot => {
    const lot = lotById.get(lotId) as Row<'lots'>;
    return {
      lotId,
      weightG,
      fulfilmentStatus,
      harvestStart: lot.harvest_start,
      harvestEnd: lot.harvest_end,
      process: lot.process,
      regency: lot.regency,
      gradeCode: lot.grade_code,
      gradeRank: lot.grade_rank,
      offGrade: lot.off_grade,
      eudrReady: lot.eudr_ready,
      plots: (plotsOf.get(lotId) ?? []).map((p) => ({
        plotId: p.id,
        geolocation: p.geometry,
        areaHa: p.area_ha,
        altitudeM: p.altitude_m,
        eudrReady: p.eudr_ready,
      })),
      assessments: (assessmentsOf.get(lotId) ?? []).map((a) => ({
        assessedAt: a.created_at,
        gradeCode: a.grade_code,
        gradeRank: a.grade_rank,
        offGrade: a.off_grade,
        defectValue: a.defect_value,
        moisturePct: a.moisture_pct,
        cuppingScore: a.cupping_score,
      })),
      producer: contributor(lot.producer_id),
    };
  };

  const traceLines: TraceLine[] = lines.map((l) => {
    const lot = l.lot_id !== null ? (lotById.get(l.lot_id) as Row<'lots'>) : null;
    const c = l.commitment_id !== null ? (commitmentById.get(l.commitment_id) as Row<'commitments'>) : null;
    return {
      lineId: l.id,
      kind: lot ? 'SPOT' : 'FORWARD',
      status: l.status,
      weightG: l.weight_g,
      fulfilledG: l.fulfilled_g,
      gradeCode: lot ? lot.grade_code : (c?.min_grade_code ?? null),
      gradeRank: lot ? lot.grade_rank : (c?.min_grade_rank ?? null),
      regency: (lot ?? c)?.regency ?? '',
      contributor: contributor(l.producer_id),
      commitment: c
        ? { windowStart: c.window_start, windowEnd: c.window_end, minGradeCode: c.min_grade_code, minGradeRank: c.min_grade_rank, regency: c.regency }
        : null,
      lots: lot ? [traceLot(lot.id, l.weight_g, null)] : (fulfilmentsOf.get(l.id) ?? []).map((f) => traceLot(f.lot_id, f.weight_g, f.status)),
      replacesLineId: l.replaces_line_id,
      createdAt: l.created_at,
    };
  });

  const traceEvents: TraceEvent[] = events.map((e) => {
    const p = e.payload as Record<string, unknown>;
    const weightG = typeof p.weightG === 'number' ? p.weightG : null;
    const lineId = typeof p.lineId === 'number' ? p.lineId : null;
    const who = typeof p.producerId === 'number' && contributors.has(p.producerId) ? (contributors.get(p.producerId) as TraceProducer) : null;
    return { kind: e.kind, at: e.at, weightG, lineId, contributor: who, summary: summariseOrderEvent(e.kind, p, weightG, who) };
  });

  return {
    order,
    lines: traceLines,
    events: traceEvents,
    dueDiligence: dueDiligence(order, header, traceLines),
  };
}

function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** A one-line summary of an order event for the buyer: weights, labels and reasons, no names or ids. */
export function summariseOrderEvent(kind: string, p: Record<string, unknown>, weightG: number | null, who: TraceProducer | null): string {
  const kg = weightG === null ? '? kg' : `${gramsToKg(weightG)} kg`;
  const label = who?.label ?? 'a contributor';
  switch (kind) {
    case 'ALLOCATED':
      return `Allocated ${kg} to ${label}`;
    case 'REALLOCATED':
      return `Reallocated ${kg} to ${label} to cover a shortfall`;
    case 'SHORTFALL':
      return p.cause === 'LOT_FAILED_GRADING'
        ? `Shortfall of ${kg} from ${label}: a lot failed grading`
        : `Shortfall of ${kg} declared by ${label}${typeof p.reason === 'string' ? `: ${p.reason}` : ''}`;
    case 'FULFILLED':
      return `${label} delivered ${kg} against a forward line`;
    case 'FULFILMENT_FAILED':
      return `${kg} delivered by ${label} failed grading and no longer counts`;
    case 'FULFILMENT_RELEASED':
      return `${kg} delivered by ${label} was released (order cancelled)`;
    case 'RELEASED':
      return `Released ${kg} allocated to ${label}`;
    default:
      return kind;
  }
}

function dueDiligence(order: Row<'orders'>, header: repo.OrderHeader | undefined, lines: readonly TraceLine[]): DueDiligence {
  const active = lines.filter((l) => l.status === 'ACTIVE');
  // The lots currently serving the order, with the weight each serves.
  const serving = active.flatMap((l) => l.lots.filter((lot) => lot.fulfilmentStatus === null || lot.fulfilmentStatus === 'ACTIVE'));
  const netMassAllocatedG = active.reduce((s, l) => s + l.weightG, 0);
  const netMassFulfilledG = serving.reduce((s, lot) => s + lot.weightG, 0);
  const undelivered = active.filter((l) => l.kind === 'FORWARD').reduce((s, l) => s + (l.weightG - l.fulfilledG), 0);
  const withoutPlots = serving.filter((lot) => lot.plots.length === 0).reduce((s, lot) => s + lot.weightG, 0);
  const unknownOriginG = undelivered + withoutPlots;

  const regions = new Set<string>(serving.map((lot) => lot.regency));
  for (const l of active) if (l.kind === 'FORWARD' && l.weightG > l.fulfilledG && l.commitment) regions.add(l.commitment.regency);
  const starts = serving.map((lot) => lot.harvestStart).sort();
  const ends = serving.map((lot) => lot.harvestEnd).sort();

  // Distinct plots: a plot behind two lots or two lines counts once.
  const plots = [...new Map(serving.flatMap((lot) => lot.plots.map((p) => [p.plotId, p] as const))).values()];
  const plotsEudrReady = plots.filter((p) => p.eudrReady).length;
  const allPlotsGeolocated = serving.length > 0 && withoutPlots === 0 && plotsEudrReady === plots.length;

  return {
    productName: header?.product_name ?? '',
    commodity: header?.commodity ?? '',
    species: header?.species ?? '',
    process: header?.process ?? '',
    form: header?.form ?? '',
    supplierName: header?.brand_name ?? '',
    customerName: header?.buyer_name ?? '',
    destinationCountry: order.destination_country,
    netMassAllocatedG,
    netMassFulfilledG,
    uncoveredG: order.uncovered_g,
    unknownOriginG,
    country: PRODUCTION_COUNTRY,
    regions: [...regions].sort(),
    productionStart: starts[0] ?? null,
    productionEnd: ends.at(-1) ?? null,
    plotCount: plots.length,
    plotsEudrReady,
    allPlotsGeolocated,
    eudrCompliant: allPlotsGeolocated && unknownOriginG === 0 && netMassFulfilledG > 0,
    deforestationCutOff: EUDR_CUT_OFF,
  };
}
