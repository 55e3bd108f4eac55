import { BusyError, InvalidTransitionError } from '../../platform/errors.js';
import { builder } from '../../platform/graphql/builder.js';
import type { Context } from '../../platform/graphql/context.js';
import { commonErrors, ErrorInterface } from '../../platform/graphql/errors.js';
import { decodeId } from '../../platform/graphql/ids.js';
import { connectionComplexity, resolveKeysetConnection } from '../../platform/graphql/pagination.js';
import { canSeeOrder } from '../orders/access.js';
import { OrderTraceRef } from '../trace/trace.graphql.js';
import { LotRef, OrderRef } from '../refs.js';
import type { Blocker, EudrPackage } from './eudr-package.js';
import { EudrLimitError } from './eudr-package.js';
import { LoadedWeightMismatchError, type LotWeightMismatch } from './errors.js';
import * as repo from './shipments.repo.js';
import * as shipments from './shipments.service.js';

export const ShipmentRef = builder.loadableNodeRef('Shipment', {
  id: { resolve: (s: repo.ShipmentRow) => s.id },
  load: (ids: string[], ctx: Context) => repo.shipmentsByIds(ctx.db, ids.map(Number)),
  sort: (s) => String(s.id),
});

const LotWeightMismatchRef = builder.objectRef<LotWeightMismatch>('LotWeightMismatch').implement({
  description: 'One lot whose loaded weight differs from what the order ships.',
  fields: (t) => ({
    lotId: t.globalID({ description: 'The lot.', resolve: (m) => ({ type: 'Lot', id: String(m.lotId) }) }),
    loadedWeight: t.expose('loadedG', { type: 'Weight', description: 'Weight loaded into the containers.' }),
    shippedWeight: t.expose('shippedG', { type: 'Weight', description: 'Weight of the lot in the order\'s shipped lines.' }),
  }),
});

builder.objectType(LoadedWeightMismatchError, {
  name: 'LoadedWeightMismatchError',
  description: 'The containers\' loaded weight differs from the order\'s shipped lines, lot by lot; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ lots: t.field({ type: [LotWeightMismatchRef], description: 'Every lot that differs.', resolve: (e) => e.lots }) }),
});

const EudrLimitEnum = builder.enumType('EudrLimit', {
  description: 'A limit of the EU Information System for one statement.',
  values: {
    PRODUCERS_PER_COMMODITY: { description: 'At most 1,000 producers per commodity.' },
    PRODUCERS_PER_STATEMENT: { description: 'At most 10,000 producers per statement.' },
    GEOLOCATION_SIZE: { description: 'At most 25 MB of geolocation per statement.' },
  } as const,
});

builder.objectType(EudrLimitError, {
  name: 'EudrLimitError',
  description: 'The package would exceed a limit of the EU Information System.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    limit: t.field({ type: EudrLimitEnum, description: 'Which limit.', resolve: (e) => e.limit }),
    maximum: t.exposeInt('maximum', { description: 'The limit.' }),
    actual: t.exposeInt('actual', { description: 'What the package has.' }),
  }),
});

const ContainerLotRef = builder.objectRef<{ lotId: number; weightG: number }>('ContainerLot').implement({
  description: 'A lot loaded into a container.',
  fields: (t) => ({
    lot: t.field({ type: LotRef, nullable: true, description: 'The lot (if you may see it).', resolve: (l) => String(l.lotId) }),
    lotId: t.globalID({ description: 'Global ID of the lot (a reference on the papers).', resolve: (l) => ({ type: 'Lot', id: String(l.lotId) }) }),
    weight: t.expose('weightG', { type: 'Weight', description: 'Weight of the lot loaded into this container.' }),
  }),
});

const ContainerRef = builder.objectRef<shipments.ShipmentExport['containers'][number]>('ShipmentContainer').implement({
  description: 'A shipping container of a shipment.',
  fields: (t) => ({
    containerNumber: t.exposeString('containerNumber', { description: 'ISO 6346 container number, e.g. CSQU3054383.' }),
    sealNumber: t.exposeString('sealNumber', { description: 'Seal number.' }),
    bagCount: t.exposeInt('bagCount', { description: 'Number of 60 kg bags.' }),
    loadedWeight: t.field({ type: 'Weight', description: 'Total weight loaded.', resolve: (c) => c.lots.reduce((s, l) => s + l.weightG, 0) }),
    lots: t.field({ type: [ContainerLotRef], description: 'The lots loaded.', resolve: (c) => c.lots }),
  }),
});

ShipmentRef.implement({
  description: 'The export papers of a shipped order. Seen by the order\'s buyer, its brand\'s managers and admins.',
  authScopes: (s, ctx) => canSeeOrder(ctx.principal, s),
  fields: (t) => ({
    order: t.field({ type: OrderRef, description: 'The order shipped.', resolve: (s) => String(s.order_id) }),
    billOfLading: t.exposeString('bill_of_lading', { description: 'Bill of lading number.' }),
    portOfLoading: t.exposeString('port_of_loading', { description: 'UN/LOCODE of the port of loading, e.g. IDSUB.' }),
    portOfDischarge: t.exposeString('port_of_discharge', { description: 'UN/LOCODE of the port of discharge, e.g. EGALY.' }),
    departureDate: t.expose('departure_date', { type: 'Date', description: 'Departure date.' }),
    containers: t.loadableList({
      type: ContainerRef,
      description: 'The containers, in the order given.',
      load: async (ids: number[], ctx) => {
        const containers = await repo.containersOfShipments(ctx.db, ids);
        const lots = await repo.lotsOfContainers(ctx.db, containers.map((c) => c.id));
        return ids.map((id) =>
          containers.filter((c) => c.shipment_id === id).map((c) => ({
            id: c.id, position: c.position, containerNumber: c.container_number, sealNumber: c.seal_number, bagCount: c.bag_count,
            lots: lots.filter((l) => l.container_id === c.id).map((l) => ({ lotId: l.lot_id, weightG: l.weight_g })),
          })),
        );
      },
      resolve: (s) => s.id,
    }),
    ddsReferenceNumber: t.exposeString('dds_reference', { nullable: true, description: 'DDS reference number from the EU system (14 characters), once recorded.' }),
    ddsVerificationNumber: t.exposeString('dds_verification', { nullable: true, description: 'DDS verification number (5–35 characters), once recorded.' }),
    ddsRecordedAt: t.expose('dds_recorded_at', { type: 'DateTime', nullable: true, description: 'When the DDS numbers were recorded.' }),
    internalReference: t.string({ description: 'The internal reference used in the DDS.', resolve: (s) => shipments.internalReference(s.id, s.order_id) }),
    createdAt: t.expose('created_at', { type: 'DateTime', description: 'When the shipment was recorded.' }),
  }),
});

builder.objectFields(OrderRef, (t) => ({
  shipment: t.loadable({
    type: ShipmentRef,
    nullable: true,
    description: 'The shipment of the order, once shipped with papers.',
    load: async (orderIds: number[], ctx) => {
      const rows = await repo.shipmentsOfOrders(ctx.db, orderIds);
      return orderIds.map((id) => rows.find((r) => r.order_id === id) ?? null);
    },
    resolve: (o) => o.id,
  }),
}));

builder.objectFields(OrderTraceRef, (t) => ({
  shipment: t.loadable({
    type: ShipmentRef,
    nullable: true,
    description: 'The shipment with its papers and DDS numbers, once shipped.',
    load: async (orderIds: number[], ctx) => {
      const rows = await repo.shipmentsOfOrders(ctx.db, orderIds);
      return orderIds.map((id) => rows.find((r) => r.order_id === id) ?? null);
    },
    resolve: (tr) => tr.order.id,
  }),
}));

// The EUDR package ---------------------------------------------------------------------------------

const BlockerKindEnum = builder.enumType('EudrBlockerKind', {
  description: 'Why an EUDR package is not complete.',
  values: {
    UNKNOWN_ORIGIN: { description: 'Weight of unknown origin: an undelivered forward line, or a lot without plots.' },
    PLOT_WITHOUT_VALID_GEOLOCATION: { description: 'A plot without geolocation the EU system accepts (see rule).' },
    PLOT_NOT_ASSESSED: { description: 'A plot without a deforestation assessment.' },
    PLOT_NEEDS_REVIEW: { description: 'A plot whose deforestation assessment needs review.' },
    PLOT_HIGH_RISK: { description: 'A plot assessed as high deforestation risk.' },
  } as const,
});

const BlockerRef = builder.objectRef<Blocker>('EudrBlocker').implement({
  description: 'One line, lot or plot that keeps the package from being complete.',
  fields: (t) => ({
    kind: t.field({ type: BlockerKindEnum, description: 'What blocks.', resolve: (b) => b.kind }),
    lineId: t.globalID({ nullable: true, description: 'The allocation line concerned.', resolve: (b) => (b.lineId === null ? null : { type: 'AllocationLine', id: String(b.lineId) }) }),
    lotId: t.globalID({ nullable: true, description: 'The lot concerned.', resolve: (b) => (b.lotId === null ? null : { type: 'Lot', id: String(b.lotId) }) }),
    plotId: t.globalID({ nullable: true, description: 'The plot concerned.', resolve: (b) => (b.plotId === null ? null : { type: 'Plot', id: String(b.plotId) }) }),
    weight: t.expose('weightG', { type: 'Weight', nullable: true, description: 'Weight concerned (unknown origin).' }),
    rule: t.exposeString('rule', { nullable: true, description: 'The geolocation rule broken, e.g. RING_BROKEN_BY_ROUNDING.' }),
    message: t.string({ description: 'What to fix, in Indonesian or English by Accept-Language.', resolve: (b, _args, ctx) => (ctx.language === 'id' ? b.messageId : b.message) }),
  }),
});

type DdsProducer = EudrPackage['statement']['commodities'][number]['producers'][number];

const DdsProducerRef = builder.objectRef<DdsProducer>('EudrProducer').implement({
  description: 'A producer in the DDS: country, name (with consent, else "Contributor n") and their plots.',
  fields: (t) => ({
    position: t.exposeInt('position', { description: 'Position within the commodity.' }),
    country: t.exposeString('country', { description: 'Country of production (ISO 3166-1 alpha-2).' }),
    name: t.exposeString('name', { description: 'The producer\'s name when they consent to it in export documents, else "Contributor n".' }),
    nameDisclosed: t.exposeBoolean('nameDisclosed', { description: 'Whether name is the producer\'s real name (consent given).' }),
    geolocation: t.field({
      type: 'GeoJSON',
      description: 'GeoJSON FeatureCollection of the producer\'s plots as the EU system reads it (6 decimals, hole-free).',
      resolve: (p) => p.geometryGeojson,
    }),
  }),
});

const CommodityRef = builder.objectRef<EudrPackage['statement']['commodities'][number]>('EudrCommodity').implement({
  description: 'A commodity of the DDS.',
  fields: (t) => ({
    position: t.exposeInt('position', { description: 'Position within the statement.' }),
    hsHeading: t.exposeString('hsHeading', { description: 'HS heading, e.g. 090111 (coffee, not roasted, not decaffeinated).' }),
    description: t.string({ description: 'Commercial description (at most 150 characters).', resolve: (c) => c.descriptors.descriptionOfGoods }),
    netWeightKg: t.field({ type: 'Decimal', description: 'Net weight in kg with 6 decimals.', resolve: (c) => c.descriptors.goodsMeasure.netWeight }),
    producers: t.field({ type: [DdsProducerRef], description: 'Producers with their plots.', resolve: (c) => c.producers }),
  }),
});

const EudrPackageRef = builder.objectRef<EudrPackage>('EudrPackage').implement({
  description: 'What the EU importer needs to file the due-diligence statement (V3) for a shipment, and whether it is complete.',
  fields: (t) => ({
    internalReference: t.string({ description: 'Internal reference (≤ 35 characters).', resolve: (p) => p.statement.internalReferenceNumber }),
    activityType: t.string({ description: 'IMPORT: the EU importer files; Lumbung prepares the data.', resolve: (p) => p.statement.activityType }),
    commodities: t.field({ type: [CommodityRef], description: 'The commodities (one per product).', resolve: (p) => p.statement.commodities }),
    productionStart: t.field({ type: 'Date', nullable: true, description: 'First harvest day of the shipped lots.', resolve: (p) => p.productionPeriod.start }),
    productionEnd: t.field({ type: 'Date', nullable: true, description: 'Last harvest day of the shipped lots.', resolve: (p) => p.productionPeriod.end }),
    countryOfProduction: t.exposeString('countryOfProduction', { description: 'ISO 3166-1 alpha-2 country of production.' }),
    regionsOfProduction: t.exposeStringList('regionsOfProduction', { description: 'Regencies of production.' }),
    supplierBrand: t.string({ description: 'The supplier: the communal brand.', resolve: (p) => p.supplier.brand }),
    supplierCooperatives: t.stringList({ description: 'Cooperatives of the contributing producers.', resolve: (p) => p.supplier.cooperatives }),
    customerName: t.string({ description: 'The customer (the buyer organisation).', resolve: (p) => p.customer.name }),
    customerCountry: t.string({ description: 'The customer\'s country.', resolve: (p) => p.customer.country }),
    deforestationCutOff: t.field({ type: 'Date', description: 'EUDR deforestation cut-off date.', resolve: (p) => p.deforestationCutOff }),
    ddsReferenceNumber: t.string({ nullable: true, description: 'DDS reference number, once recorded.', resolve: (p) => p.shipment.ddsReference }),
    complete: t.exposeBoolean('complete', { description: 'Whether the package is complete: no blockers.' }),
    blockers: t.field({ type: [BlockerRef], description: 'Every line, lot and plot that blocks it.', resolve: (p) => p.blockers }),
    geolocationBytes: t.exposeInt('geolocationBytes', { description: 'Size of the base64 geolocation (the EU limit is 25 MB).' }),
  }),
});

builder.objectFields(ShipmentRef, (t) => ({
  eudrPackage: t.field({
    type: EudrPackageRef,
    description: 'The EUDR due-diligence package (also GET /exports/shipments/:id/eudr.json).',
    errors: { types: [EudrLimitError], union: { name: 'ShipmentEudrPackageResult' } },
    resolve: (s, _args, ctx) => shipments.eudrPackage(ctx.db, ctx.principal, s.id),
  }),
}));

// Root fields --------------------------------------------------------------------------------------

const LoadedLotInput = builder.inputType('LoadedLotInput', {
  description: 'A lot loaded into a container.',
  fields: (t) => ({
    lotId: t.id({ description: 'The lot.' }),
    weight: t.field({ type: 'Weight', description: 'Kilograms of the lot loaded into this container.' }),
  }),
});

const ContainerInput = builder.inputType('ContainerInput', {
  description: 'A container of a shipment.',
  fields: (t) => ({
    containerNumber: t.string({ description: 'ISO 6346 container number with its check digit, e.g. CSQU3054383 (spaces and dashes ignored).' }),
    sealNumber: t.string({ description: 'Seal number (1–35 characters).' }),
    bagCount: t.int({ description: 'Number of 60 kg bags; they must hold the loaded weight.' }),
    lots: t.field({ type: [LoadedLotInput], description: 'The lots loaded and their kg.' }),
  }),
});

const ShipmentInput = builder.inputType('ShipmentInput', {
  description: 'The export papers of a shipment.',
  fields: (t) => ({
    billOfLading: t.string({ description: 'Bill of lading number (1–35 characters).' }),
    portOfLoading: t.string({ description: 'UN/LOCODE of the port of loading, e.g. IDSUB (Surabaya, Tanjung Perak).' }),
    portOfDischarge: t.string({ description: 'UN/LOCODE of the port of discharge, e.g. EGALY (Alexandria).' }),
    departureDate: t.field({ type: 'Date', description: 'Departure date.' }),
    containers: t.field({ type: [ContainerInput], description: 'One or more containers; per lot their weights sum to what the order ships.' }),
  }),
});

const ShipOrderInput = builder.inputType('ShipOrderInput', {
  description: 'An IN_FULFILLMENT order to ship, with its shipment.',
  fields: (t) => ({
    orderId: t.id({ description: 'The order.' }),
    reason: t.string({ required: false, description: 'Optional note (at most 1000 characters).' }),
    shipment: t.field({ type: ShipmentInput, required: false, description: 'The shipment: required for export orders (destination outside Indonesia).' }),
  }),
});

const DdsInput = builder.inputType('RecordDdsNumbersInput', {
  description: 'The DDS numbers the EU importer got back from the EU Information System.',
  fields: (t) => ({
    shipmentId: t.id({ description: 'The shipment.' }),
    referenceNumber: t.string({ description: 'Reference number: 14 characters, 2-digit year, 2-letter member state, 10 letters or digits (e.g. 26BE7XTVCZAQ2S).' }),
    verificationNumber: t.string({ description: 'Verification number: 5–35 letters or digits.' }),
  }),
});

builder.queryFields((t) => ({
  shipment: t.field({
    type: ShipmentRef,
    nullable: true,
    description: 'One shipment by ID (its order\'s buyer, the brand\'s managers, admins).',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true, description: 'Global ID of the shipment.' }) },
    resolve: (_root, args) => String(decodeId(args.id, 'Shipment', 'id')),
  }),
  shipments: t.connection({
    type: ShipmentRef,
    description: 'Shipments you may see: a buyer their organisation\'s, a brand manager their brand\'s, an admin all.',
    authScopes: { authenticated: true },
    complexity: connectionComplexity,
    resolve: (_root, args, ctx) => resolveKeysetConnection(args, (page) => shipments.listShipments(ctx.db, ctx.principal, page)),
  }),
  eudrPackage: t.field({
    type: EudrPackageRef,
    description: 'The EUDR due-diligence package of a shipment (same access as the shipment).',
    authScopes: { authenticated: true },
    errors: { types: [EudrLimitError, ...commonErrors] },
    args: { shipmentId: t.arg.id({ required: true, description: 'Global ID of the shipment.' }) },
    resolve: (_root, args, ctx) => shipments.eudrPackage(ctx.db, ctx.principal, decodeId(args.shipmentId, 'Shipment', 'shipmentId')),
  }),
}));

builder.mutationFields((t) => ({
  shipOrder: t.field({
    type: OrderRef,
    description: 'Ship an IN_FULFILLMENT order with its shipment papers (brand manager of the order\'s brand); export orders must carry a shipment.',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [LoadedWeightMismatchError, InvalidTransitionError, BusyError, ...commonErrors] },
    args: { input: t.arg({ type: ShipOrderInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shipments.shipOrder(ctx.db, ctx.principal, {
        orderId: decodeId(input.orderId, 'Order', 'input.orderId'),
        reason: input.reason ?? null,
        shipment: input.shipment
          ? {
              ...input.shipment,
              containers: input.shipment.containers.map((c, i) => ({
                ...c,
                lots: c.lots.map((l, j) => ({ lotId: decodeId(l.lotId, 'Lot', `input.shipment.containers.${i}.lots.${j}.lotId`), weight: l.weight })),
              })),
            }
          : null,
      }),
  }),
  recordDdsNumbers: t.field({
    type: ShipmentRef,
    description: 'Record the DDS reference and verification numbers of a shipment (brand manager of its brand).',
    authScopes: { admin: true, brandManager: 'any' },
    errors: { types: [BusyError, ...commonErrors] },
    args: { input: t.arg({ type: DdsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      shipments.recordDdsNumbers(ctx.db, ctx.principal, { ...input, shipmentId: decodeId(input.shipmentId, 'Shipment', 'input.shipmentId') }),
  }),
}));
