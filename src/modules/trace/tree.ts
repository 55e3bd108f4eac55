import type { Row } from '../../platform/db-types.js';
import { kg as kgText, texts, type Texts } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import type { linesOfOrders } from '../allocation/allocation.repo.js';
import type { fulfilmentsOfLines } from '../fulfilment/fulfilment.repo.js';
import type { assessmentsOfLots } from '../grading/grading.repo.js';
import type { plotsOfLots } from '../plots/plots.repo.js';
import type { OrderHeader, TraceProducerRow } from './trace.repo.js';

/**
 * The order trace as plain data, built from rows without I/O (trace.service loads the rows).
 * See trace.service.ts for who may read it and what a buyer learns about producers.
 */

export const PRODUCTION_COUNTRY = 'ID';
export const EUDR_CUT_OFF = '2020-12-31';

export interface TraceProducer {
  label: string;
  producerId: number;
  brandId: number;
  /** The real name for the brand's managers, and for a buyer with the producer's consent; else the label. */
  displayName: string;
  nameDisclosed: boolean;
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
  /** One line for the buyer, in each language. */
  summary: Texts;
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

/** The rows a trace is built from: what trace.service loads, in a constant number of queries. */
export interface TraceRows {
  header: OrderHeader | undefined;
  lines: Awaited<ReturnType<typeof linesOfOrders>>;
  events: ReadonlyArray<Pick<Row<'provenance_events'>, 'kind' | 'at' | 'payload'>>;
  fulfilments: Awaited<ReturnType<typeof fulfilmentsOfLines>>;
  lots: readonly Row<'lots'>[];
  commitments: readonly Row<'commitments'>[];
  plots: Awaited<ReturnType<typeof plotsOfLots>>;
  assessments: Awaited<ReturnType<typeof assessmentsOfLots>>;
  producers: readonly TraceProducerRow[];
  /**
   * Names a buyer may see: producers consenting to NAME_TO_BUYERS (UU 27/2022). null: the reader
   * sees every name (the brand's managers, admins).
   */
  disclosedNames: ReadonlyMap<number, string> | null;
}

/** Build the trace of `order` from its rows. */
export function buildTrace(order: Row<'orders'>, rows: TraceRows): OrderTrace {
  const contributors = contributorLabels(order, rows.producers, rows.disclosedNames);
  for (const l of rows.lines) contributors.of(l.producer_id);
  const index: RowIndex = {
    lotById: new Map(rows.lots.map((l) => [l.id, l])),
    commitmentById: new Map(rows.commitments.map((c) => [c.id, c])),
    fulfilmentsOf: groupBy(rows.fulfilments, (f) => f.line_id),
  };
  const lots = lotBuilder(rows, index, contributors.of);
  const lines = rows.lines.map((l) => traceLine(l, index, lots, contributors.of));
  const events = rows.events.map((e) => traceEvent(e, contributors.known));
  return { order, lines, events, dueDiligence: dueDiligence(order, rows.header, lines) };
}

/** Contributors, labelled "Contributor n" in the order they are first asked for (the lines' order first). */
function contributorLabels(order: Row<'orders'>, producers: readonly TraceProducerRow[], disclosed: ReadonlyMap<number, string> | null) {
  const producerRow = new Map(producers.map((p) => [p.id, p]));
  const labelled = new Map<number, TraceProducer>();
  const of = (producerId: number): TraceProducer => {
    let c = labelled.get(producerId);
    if (!c) {
      const p = producerRow.get(producerId);
      const label = `Contributor ${labelled.size + 1}`;
      const name = disclosed === null ? (p?.display_name ?? null) : (disclosed.get(producerId) ?? null);
      c = {
        label,
        producerId,
        brandId: order.brand_id,
        displayName: name ?? label,
        nameDisclosed: name !== null,
        village: p?.village ?? '',
        district: p?.district ?? '',
        regency: p?.regency ?? '',
      };
      labelled.set(producerId, c);
    }
    return c;
  };
  /** An already labelled contributor (events never label a new one). */
  const known = (producerId: unknown): TraceProducer | null => (typeof producerId === 'number' ? (labelled.get(producerId) ?? null) : null);
  return { of, known };
}

interface RowIndex {
  lotById: Map<number, Row<'lots'>>;
  commitmentById: Map<number, Row<'commitments'>>;
  fulfilmentsOf: Map<number, TraceRows['fulfilments']>;
}

type LotBuilder = (lotId: number, weightG: number, fulfilmentStatus: TraceLot['fulfilmentStatus']) => TraceLot;

/** A lot of the trace with its plots, assessments and producer, serving `weightG` of a line. */
function lotBuilder(rows: TraceRows, index: RowIndex, contributor: (producerId: number) => TraceProducer): LotBuilder {
  const plotsOf = groupBy(rows.plots, (p) => p.lot_id);
  const assessmentsOf = groupBy(rows.assessments, (a) => a.lot_id);
  return (lotId, weightG, fulfilmentStatus) => {
    const lot = index.lotById.get(lotId) as Row<'lots'>;
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
}

/** A line of the trace: a spot line with its lot, or a forward line with its commitment and delivered lots. */
function traceLine(l: TraceRows['lines'][number], index: RowIndex, traceLot: LotBuilder, contributor: (producerId: number) => TraceProducer): TraceLine {
  const lot = l.lot_id !== null ? (index.lotById.get(l.lot_id) as Row<'lots'>) : null;
  const c = l.commitment_id !== null ? (index.commitmentById.get(l.commitment_id) as Row<'commitments'>) : null;
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
    lots: lot
      ? [traceLot(lot.id, l.weight_g, null)]
      : (index.fulfilmentsOf.get(l.id) ?? []).map((f) => traceLot(f.lot_id, f.weight_g, f.status)),
    replacesLineId: l.replaces_line_id,
    createdAt: l.created_at,
  };
}

/** An order event for the buyer: its weight, line and contributor label from the payload, and a summary. */
function traceEvent(e: TraceRows['events'][number], known: (producerId: unknown) => TraceProducer | null): TraceEvent {
  const p = e.payload as Record<string, unknown>;
  const weightG = typeof p.weightG === 'number' ? p.weightG : null;
  const lineId = typeof p.lineId === 'number' ? p.lineId : null;
  const who = known(p.producerId);
  return { kind: e.kind, at: e.at, weightG, lineId, contributor: who, summary: texts((lang) => summariseOrderEvent(e.kind, p, weightG, who, lang)) };
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

/** The order events with a sentence; any other kind is summarised by its name. */
type SummarisedOrderEvent = 'ALLOCATED' | 'REALLOCATED' | 'SHORTFALL' | 'FULFILLED' | 'FULFILMENT_FAILED' | 'FULFILMENT_RELEASED' | 'RELEASED';

interface EventFacts {
  kg: string;
  label: string;
  p: Record<string, unknown>;
}

const ORDER_EVENT_TEXT: Readonly<Record<Language, { someone: string; events: Readonly<Record<SummarisedOrderEvent, (f: EventFacts) => string>> }>> = {
  en: {
    someone: 'a contributor',
    events: {
      ALLOCATED: ({ kg, label }) => `Allocated ${kg} to ${label}`,
      REALLOCATED: ({ kg, label }) => `Reallocated ${kg} to ${label} to cover a shortfall`,
      SHORTFALL: ({ kg, label, p }) =>
        p.cause === 'LOT_FAILED_GRADING'
          ? `Shortfall of ${kg} from ${label}: a lot failed grading`
          : `Shortfall of ${kg} declared by ${label}${typeof p.reason === 'string' ? `: ${p.reason}` : ''}`,
      FULFILLED: ({ kg, label }) => `${label} delivered ${kg} against a forward line`,
      FULFILMENT_FAILED: ({ kg, label }) => `${kg} delivered by ${label} failed grading and no longer counts`,
      FULFILMENT_RELEASED: ({ kg, label }) => `${kg} delivered by ${label} was released (order cancelled)`,
      RELEASED: ({ kg, label }) => `Released ${kg} allocated to ${label}`,
    },
  },
  id: {
    someone: 'seorang pemasok',
    events: {
      ALLOCATED: ({ kg, label }) => `${kg} dialokasikan ke ${label}`,
      REALLOCATED: ({ kg, label }) => `${kg} dialokasikan ulang ke ${label} untuk menutup kekurangan`,
      SHORTFALL: ({ kg, label, p }) =>
        p.cause === 'LOT_FAILED_GRADING'
          ? `Kekurangan ${kg} dari ${label}: sebuah lot tidak lolos penilaian mutu`
          : `Kekurangan ${kg} dinyatakan oleh ${label}${typeof p.reason === 'string' ? `: ${p.reason}` : ''}`,
      FULFILLED: ({ kg, label }) => `${label} mengirim ${kg} untuk baris komitmen ke depan`,
      FULFILMENT_FAILED: ({ kg, label }) => `${kg} kiriman ${label} tidak lolos penilaian mutu dan tidak dihitung lagi`,
      FULFILMENT_RELEASED: ({ kg, label }) => `${kg} kiriman ${label} dilepas (pesanan dibatalkan)`,
      RELEASED: ({ kg, label }) => `${kg} yang dialokasikan ke ${label} dilepas`,
    },
  },
};

/** A one-line summary of an order event for the buyer, in the language: weights, labels and reasons, no names or ids. */
export function summariseOrderEvent(
  kind: string,
  p: Record<string, unknown>,
  weightG: number | null,
  who: TraceProducer | null,
  lang: Language = 'en',
): string {
  const text = ORDER_EVENT_TEXT[lang];
  const facts: EventFacts = { kg: weightG === null ? '? kg' : kgText(weightG, lang), label: who?.label ?? text.someone, p };
  return Object.hasOwn(text.events, kind) ? text.events[kind as SummarisedOrderEvent](facts) : kind;
}

function dueDiligence(order: Row<'orders'>, header: OrderHeader | undefined, lines: readonly TraceLine[]): DueDiligence {
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
