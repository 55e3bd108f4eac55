import { builder } from '../../platform/graphql/builder.js';
import { commonErrors } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { AllocationLineStatusEnum, SupplyKindEnum } from '../allocation/allocation.graphql.js';
import { GradeLevelRef, ProcessEnum } from '../brands/brands.graphql.js';
import { FulfilmentStatusEnum } from '../fulfilment/fulfilment.graphql.js';
import { managesOrder } from '../orders/access.js';
import { OrderRef } from '../refs.js';
import * as trace from './trace.service.js';

/**
 * The order trace's own types. They are plain objects inside the OrderTrace returned by the
 * `orderTrace` root field, whose scope and service check are the gate (the order's buyer, its
 * brand's managers, admins): buyers never go through the Producer, Lot or Plot node types, whose
 * type-level scopes deny them. Nothing here loads anything: the service built the whole tree.
 * Lists are precomputed, so their complexity does not multiply.
 */

const flat = { field: 1, multiplier: 1 } as const;

const grade = (code: string | null, rank: number | null) => (code !== null && rank !== null ? { code, rank } : null);

const TraceProducerRef = builder.objectRef<trace.TraceProducer>('TraceProducer').implement({
  description: 'Who grew the coffee: public details only (no contact data).',
  fields: (t) => ({
    label: t.exposeString('label', { description: 'Opaque label of the producer within this order, e.g. "Contributor 3".' }),
    displayName: t.exposeString('displayName', { description: 'The producer\'s name; for a buyer only with the producer\'s consent (NAME_TO_BUYERS), else the label.' }),
    nameDisclosed: t.exposeBoolean('nameDisclosed', { description: 'Whether displayName is the producer\'s real name.' }),
    village: t.exposeString('village', { description: 'Village (desa).' }),
    district: t.exposeString('district', { description: 'District (kecamatan).' }),
    regency: t.exposeString('regency', { description: 'Regency (kabupaten).' }),
    producerId: t.globalID({
      nullable: true,
      description: 'Global ID of the producer (brand managers of the order\'s brand and admins only; buyers get labels).',
      authScopes: (p, _args, ctx) => managesOrder(ctx.principal, { brand_id: p.brandId }),
      resolve: (p) => ({ type: 'Producer', id: String(p.producerId) }),
    }),
  }),
});

const TraceAssessmentRef = builder.objectRef<trace.TraceAssessment>('TraceAssessment').implement({
  description: 'A quality assessment of a lot in the trace.',
  fields: (t) => ({
    assessedAt: t.expose('assessedAt', { type: 'DateTime', description: 'When it was recorded.' }),
    grade: t.field({ type: GradeLevelRef, nullable: true, description: 'Grade reached; null when off-grade.', resolve: (a) => grade(a.gradeCode, a.gradeRank) }),
    offGrade: t.exposeBoolean('offGrade', { description: 'Whether the sample met no grade.' }),
    defectValue: t.expose('defectValue', { type: 'Decimal', description: 'Total defect value of the sample.' }),
    moisturePct: t.expose('moisturePct', { type: 'Decimal', description: 'Moisture, %.' }),
    cuppingScore: t.expose('cuppingScore', { type: 'Decimal', nullable: true, description: 'Cupping score, when cupped.' }),
  }),
});

const TracePlotRef = builder.objectRef<trace.TracePlot>('TracePlot').implement({
  description: 'A plot the coffee of a lot was grown on.',
  fields: (t) => ({
    geolocation: t.expose('geolocation', { type: 'GeoJSON', description: 'GeoJSON Point, Polygon or MultiPolygon, WGS84 [longitude, latitude].' }),
    areaHa: t.expose('areaHa', { type: 'Decimal', description: 'Declared area, ha.' }),
    altitudeM: t.exposeInt('altitudeM', { nullable: true, description: 'Altitude, m.' }),
    eudrReady: t.exposeBoolean('eudrReady', { description: 'Whether the geolocation meets the EUDR rules.' }),
  }),
});

const TraceLotRef = builder.objectRef<trace.TraceLot>('TraceLot').implement({
  description: 'A lot serving a line: the spot line\'s lot, or a lot delivered against a forward line.',
  fields: (t) => ({
    lotId: t.globalID({ description: 'Global ID of the lot (a reference for shipping documents).', resolve: (l) => ({ type: 'Lot', id: String(l.lotId) }) }),
    weight: t.expose('weightG', { type: 'Weight', description: 'Weight of this lot in the line.' }),
    fulfilmentStatus: t.field({
      type: FulfilmentStatusEnum,
      nullable: true,
      description: 'For a delivered lot: whether it still counts (ACTIVE), failed grading or was released; null for a spot line\'s lot.',
      resolve: (l) => l.fulfilmentStatus,
    }),
    harvestStart: t.expose('harvestStart', { type: 'Date', description: 'First day of the harvest.' }),
    harvestEnd: t.expose('harvestEnd', { type: 'Date', description: 'Last day of the harvest.' }),
    process: t.field({ type: ProcessEnum, description: 'Post-harvest process.', resolve: (l) => l.process }),
    regency: t.exposeString('regency', { description: 'Regency of production.' }),
    grade: t.field({ type: GradeLevelRef, nullable: true, description: 'Current grade; null when ungraded or off-grade.', resolve: (l) => grade(l.gradeCode, l.gradeRank) }),
    offGrade: t.exposeBoolean('offGrade', { description: 'Whether the latest assessment put the lot below every grade.' }),
    eudrReady: t.exposeBoolean('eudrReady', { description: 'Whether every plot of origin has EUDR-grade geolocation.' }),
    plots: t.field({ type: [TracePlotRef], complexity: flat, description: 'Plots of origin.', resolve: (l) => l.plots }),
    assessments: t.field({ type: [TraceAssessmentRef], complexity: flat, description: 'Assessments, newest first.', resolve: (l) => l.assessments }),
    producer: t.field({ type: TraceProducerRef, description: 'Who grew it.', resolve: (l) => l.producer }),
  }),
});

const TraceCommitmentRef = builder.objectRef<trace.TraceCommitment>('TraceCommitment').implement({
  description: 'The forward commitment behind a forward line.',
  fields: (t) => ({
    windowStart: t.expose('windowStart', { type: 'Date', description: 'First day of the delivery window.' }),
    windowEnd: t.expose('windowEnd', { type: 'Date', description: 'Last day of the delivery window.' }),
    minGrade: t.field({ type: GradeLevelRef, description: 'The lowest grade promised.', resolve: (c) => ({ code: c.minGradeCode, rank: c.minGradeRank }) }),
    regency: t.exposeString('regency', { description: 'Regency the coffee will come from.' }),
  }),
});

const TraceLineRef = builder.objectRef<trace.TraceLine>('TraceLine').implement({
  description: 'An allocation line in the trace, with the lots serving it.',
  fields: (t) => ({
    lineId: t.globalID({ description: 'Global ID of the allocation line.', resolve: (l) => ({ type: 'AllocationLine', id: String(l.lineId) }) }),
    kind: t.field({ type: SupplyKindEnum, description: 'SPOT (a lot) or FORWARD (a commitment).', resolve: (l) => l.kind }),
    status: t.field({ type: AllocationLineStatusEnum, description: 'ACTIVE, RELEASED or SHORTFALL.', resolve: (l) => l.status }),
    weight: t.expose('weightG', { type: 'Weight', description: 'Weight the line holds (or held).' }),
    fulfilledWeight: t.expose('fulfilledG', { type: 'Weight', description: 'Weight delivered against a forward line.' }),
    grade: t.field({
      type: GradeLevelRef,
      nullable: true,
      description: 'Grade of the lot, or the minimum grade the commitment promises.',
      resolve: (l) => grade(l.gradeCode, l.gradeRank),
    }),
    regency: t.exposeString('regency', { description: 'Regency the supply comes from.' }),
    contributor: t.field({ type: TraceProducerRef, description: 'The producer supplying the line.', resolve: (l) => l.contributor }),
    commitment: t.field({ type: TraceCommitmentRef, nullable: true, description: 'The commitment (forward lines).', resolve: (l) => l.commitment }),
    lots: t.field({ type: [TraceLotRef], complexity: flat, description: 'The lot (spot) or the delivered lots (forward), with plots, producer and assessments.', resolve: (l) => l.lots }),
    replacesLineId: t.globalID({
      nullable: true,
      description: 'The line whose shortfall this one covers, if any.',
      resolve: (l) => (l.replacesLineId === null ? null : { type: 'AllocationLine', id: String(l.replacesLineId) }),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the line was written.' }),
  }),
});

const TraceEventRef = builder.objectRef<trace.TraceEvent>('TraceEvent').implement({
  description: 'A provenance event of the order: allocated, reallocated, shortfall, fulfilled, released.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'ALLOCATED, REALLOCATED, SHORTFALL, FULFILLED, FULFILMENT_FAILED, FULFILMENT_RELEASED, RELEASED.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    weight: t.expose('weightG', { type: 'Weight', nullable: true, description: 'Weight concerned.' }),
    lineId: t.globalID({
      nullable: true,
      description: 'The allocation line concerned.',
      resolve: (e) => (e.lineId === null ? null : { type: 'AllocationLine', id: String(e.lineId) }),
    }),
    contributor: t.field({ type: TraceProducerRef, nullable: true, description: 'The producer concerned.', resolve: (e) => e.contributor }),
    summary: t.string({ description: 'One-line human summary, in Indonesian or English by Accept-Language.', resolve: (e, _args, ctx) => e.summary[ctx.language] }),
  }),
});

const DueDiligenceRef = builder.objectRef<trace.DueDiligence>('EudrDueDiligence').implement({
  description: 'EUDR due-diligence figures of the order, over the supply currently serving it.',
  fields: (t) => ({
    productName: t.exposeString('productName', { description: 'The product.' }),
    commodity: t.exposeString('commodity', { description: 'Commodity, e.g. COFFEE.' }),
    species: t.exposeString('species', { description: 'ARABICA or ROBUSTA.' }),
    process: t.exposeString('process', { description: 'Post-harvest process.' }),
    form: t.exposeString('form', { description: 'CHERRY, PARCHMENT or GREEN.' }),
    supplier: t.exposeString('supplierName', { description: 'The supplier: the communal brand.' }),
    customer: t.exposeString('customerName', { description: 'The customer: the buyer organisation.' }),
    destinationCountry: t.exposeString('destinationCountry', { description: 'ISO 3166-1 alpha-2 destination.' }),
    netMassAllocated: t.expose('netMassAllocatedG', { type: 'Weight', description: 'Σ weight of the ACTIVE lines.' }),
    netMassFulfilled: t.expose('netMassFulfilledG', { type: 'Weight', description: 'Weight of known lots serving the order: ACTIVE spot lines and ACTIVE deliveries against forward lines.' }),
    uncovered: t.expose('uncoveredG', { type: 'Weight', description: 'Weight of the order no line covers (after shortfalls).' }),
    unknownOrigin: t.expose('unknownOriginG', { type: 'Weight', description: 'Weight not yet traceable to plots: undelivered forward weight and lots without plots.' }),
    country: t.exposeString('country', { description: 'Country of production (ISO 3166-1 alpha-2): ID.' }),
    regions: t.exposeStringList('regions', { description: 'Regencies of production.' }),
    productionStart: t.expose('productionStart', { type: 'Date', nullable: true, description: 'Earliest harvest start of the serving lots.' }),
    productionEnd: t.expose('productionEnd', { type: 'Date', nullable: true, description: 'Latest harvest end of the serving lots.' }),
    plotCount: t.exposeInt('plotCount', { description: 'Distinct plots behind the serving lots.' }),
    plotsEudrReady: t.exposeInt('plotsEudrReady', { description: 'Of those, plots with EUDR-grade geolocation.' }),
    allPlotsGeolocated: t.exposeBoolean('allPlotsGeolocated', { description: 'Every serving lot has plots, and every plot has EUDR-grade geolocation.' }),
    eudrCompliant: t.exposeBoolean('eudrCompliant', { description: 'allPlotsGeolocated and no weight of unknown origin.' }),
    deforestationCutOff: t.expose('deforestationCutOff', { type: 'Date', description: 'The EUDR deforestation cut-off date (2020-12-31).' }),
  }),
});

export const OrderTraceRef = builder.objectRef<trace.OrderTrace>('OrderTrace').implement({
  description: 'Where every kilogram of an order comes from: lines → lots → plots and producers, with assessments and events.',
  fields: (t) => ({
    order: t.field({ type: OrderRef, description: 'The order.', resolve: (o) => o.order }),
    lines: t.field({ type: [TraceLineRef], complexity: flat, description: 'Every allocation line of the order (any status), oldest first.', resolve: (o) => o.lines }),
    events: t.field({ type: [TraceEventRef], complexity: flat, description: 'The order\'s provenance events, oldest first.', resolve: (o) => o.events }),
    dueDiligence: t.field({ type: DueDiligenceRef, description: 'EUDR due-diligence figures.', resolve: (o) => o.dueDiligence }),
  }),
});

builder.queryFields((t) => ({
  orderTrace: t.field({
    type: OrderTraceRef,
    description: 'The provenance tree of an order (its buyer, the brand managers of its brand, admins).',
    authScopes: { admin: true, brandManager: 'any', buyer: 'any' },
    errors: { types: commonErrors },
    args: { orderId: t.arg.id({ required: true, description: 'Global ID of the order.' }) },
    resolve: (_root, args, ctx) => trace.orderTrace(ctx.db, ctx.principal, decodeId(args.orderId, 'Order', 'orderId')),
  }),
}));
