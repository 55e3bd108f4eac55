import { gramsToKg } from '../../platform/weight.js';
import {
  BRAND_NS_PREFIX, billOfLadingUri, brandNamespace, brandPartyUri, buyerPartyUri, containerEpc, eventId, invoiceUri, lotClass,
  plotUri, portUri, purchaseOrderUri, shipmentDocumentUri, type BrandIdentity,
} from './identifiers.js';
import { JAKARTA_OFFSET, isOffset, localTime } from './time.js';

/**
 * The EPCIS 2.0 JSON-LD document of one shipment's chain (pure: plain data in, plain data out).
 *
 * How the provenance log maps to events (domain.md, "EPCIS 2.0 (GS1), how a coffee chain speaks it"):
 * - DECLARED (a lot)        → ObjectEvent ADD, commissioning, active; quantityList (lot class, KGM);
 *                             harvest dates, plots, process and producer (consent) in `ilmd`.
 * - ASSESSED (a lot)        → ObjectEvent OBSERVE, inspecting; grade and SNI results as extension
 *                             fields in the brand's namespace (declared in @context).
 * - ALLOCATED / REALLOCATED / FULFILLED (a lot for the shipped order)
 *                           → TransactionEvent ADD binding the lot's quantity to the purchase order.
 * - the shipment's containers → one AggregationEvent ADD, loading per container (parent = container
 *                             BIC, children = the lots loaded, in KGM).
 * - SHIPPED                 → ObjectEvent OBSERVE, shipping, in_transit: containers and lots, the
 *                             purchase order, bill of lading and the invoice (written at shipping), brand → buyer
 *                             as owning parties, ports as locations, the DDS numbers once recorded.
 * The log holds no processing steps (hulling, drying are not recorded as events: a lot is declared
 * in its traded form), so no TransformationEvent is produced.
 *
 * No producer identifier leaves the platform: a producer appears only as their consented name or
 * their shipment-stable "Contributor n" label (and the production place: village, district, regency).
 *
 * Extension values that are exact decimals (defect value, moisture, area) are strings, so no float
 * rounding enters the document; quantities are JSON numbers because the schema requires it.
 */

export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export interface ChainPlot {
  plotId: number;
  areaHa: string;
  altitudeM: number | null;
}

export interface ChainLot {
  lotId: number;
  productId: number;
  producerId: number;
  /** The producer's name when they consented to disclosure for export, else their stable "Contributor n" label. */
  producerLabel: string;
  village: string;
  district: string;
  regency: string;
  netG: number;
  harvestStart: string;
  harvestEnd: string;
  process: string;
  plots: ChainPlot[];
  /** Time of the DECLARED event. */
  declaredAt: Date;
  /** The event's own offset if it recorded one; else Asia/Jakarta. */
  timeZoneOffset?: string | null;
}

export interface ChainInspection {
  /** The provenance event id (ASSESSED): stable key of the EPCIS event. */
  eventKey: number;
  lotId: number;
  at: Date;
  timeZoneOffset?: string | null;
  schemeVersion: number | null;
  gradeCode: string | null;
  gradeRank: number | null;
  offGrade: boolean;
  defectValue: string;
  moisturePct: string;
  foreignMatterPct: string;
  cuppingScore: string | null;
  liveInsects: boolean;
  foulOdour: boolean;
  sampleG: number;
  /** SNI general requirements the sample failed (codes), empty when it met them all. */
  failedRequirements: string[];
}

export interface ChainOrderBinding {
  /** The provenance event id: stable key of the EPCIS event. */
  eventKey: number;
  kind: string;
  lotId: number;
  weightG: number;
  at: Date;
  timeZoneOffset?: string | null;
}

export interface ChainContainer {
  containerNumber: string;
  sealNumber: string;
  bagCount: number;
  lots: Array<{ lotId: number; weightG: number }>;
}

export interface ChainShipment {
  shipmentId: number;
  orderId: number;
  buyerOrgId: number;
  billOfLading: string;
  portOfLoading: string;
  portOfDischarge: string;
  departureDate: string;
  /** When the containers were recorded as loaded (the shipment's creation). */
  loadedAt: Date;
  /** Time of the order's SHIPPED events. */
  shippedAt: Date;
  timeZoneOffset?: string | null;
  /** The settlement invoice's number (written when the order ships); null for an order shipped without one. */
  invoiceNumber: string | null;
  dds: { referenceNumber: string; verificationNumber: string } | null;
  containers: ChainContainer[];
}

export interface ShipmentChain {
  identity: BrandIdentity;
  lots: ChainLot[];
  inspections: ChainInspection[];
  bindings: ChainOrderBinding[];
  shipment: ChainShipment;
}

export type EpcisEvent = Record<string, unknown> & { type: string; eventTime: string; eventTimeZoneOffset: string; eventID: string };

export interface EpcisDocument {
  '@context': unknown[];
  id: string;
  type: 'EPCISDocument';
  schemaVersion: '2.0';
  creationDate: string;
  sender: string;
  receiver: string;
  epcisBody: { eventList: EpcisEvent[] };
}

const kg = (grams: number) => Number(gramsToKg(grams));

export function buildEpcisDocument(chain: ShipmentChain, createdAt: Date): EpcisDocument {
  const { identity, shipment } = chain;
  const ns = (name: string) => `${BRAND_NS_PREFIX}:${name}`;
  const lotById = new Map(chain.lots.map((l) => [l.lotId, l]));
  const classOf = (lotId: number) => {
    const lot = lotById.get(lotId);
    if (!lot) throw new Error(`lot ${lotId} is not part of the chain`);
    return lotClass(identity, lot);
  };
  const when = (at: Date, offset: string | null | undefined) => {
    const tz = isOffset(offset) ? offset : JAKARTA_OFFSET;
    return { eventTime: localTime(at, tz), eventTimeZoneOffset: tz };
  };
  // Phase orders events that share a time: commissioning, inspection, order binding, loading, shipping.
  const timed: Array<{ at: number; phase: number; seq: number; event: EpcisEvent }> = [];
  const push = (at: Date, phase: number, event: EpcisEvent) => timed.push({ at: at.getTime(), phase, seq: timed.length, event });

  for (const lot of chain.lots) {
    push(lot.declaredAt, 0, {
      type: 'ObjectEvent',
      eventID: eventId(identity, `lots/${lot.lotId}/commissioning`),
      ...when(lot.declaredAt, lot.timeZoneOffset),
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      quantityList: [{ epcClass: classOf(lot.lotId), quantity: kg(lot.netG), uom: 'KGM' }],
      ilmd: {
        [ns('harvestStartDate')]: lot.harvestStart,
        [ns('harvestEndDate')]: lot.harvestEnd,
        [ns('process')]: lot.process,
        [ns('producer')]: lot.producerLabel,
        [ns('productionPlace')]: { [ns('village')]: lot.village, [ns('district')]: lot.district, [ns('regency')]: lot.regency, [ns('country')]: 'ID' },
        [ns('productionPlots')]: lot.plots.map((p) => ({
          '@id': plotUri(identity, p.plotId),
          [ns('areaHa')]: p.areaHa,
          ...(p.altitudeM !== null ? { [ns('altitudeM')]: p.altitudeM } : {}),
        })),
      },
    });
  }

  for (const a of chain.inspections) {
    push(a.at, 1, {
      type: 'ObjectEvent',
      eventID: eventId(identity, `events/${a.eventKey}/inspecting`),
      ...when(a.at, a.timeZoneOffset),
      action: 'OBSERVE',
      bizStep: 'inspecting',
      disposition: a.offGrade ? 'non_conformant' : 'conformant',
      quantityList: [{ epcClass: classOf(a.lotId) }],
      [ns('gradeCode')]: a.gradeCode,
      [ns('gradeRank')]: a.gradeRank,
      [ns('offGrade')]: a.offGrade,
      ...(a.schemeVersion !== null ? { [ns('gradeSchemeVersion')]: a.schemeVersion } : {}),
      [ns('sniDefectValue')]: a.defectValue,
      [ns('sniMoisturePct')]: a.moisturePct,
      [ns('sniForeignMatterPct')]: a.foreignMatterPct,
      [ns('sniLiveInsects')]: a.liveInsects,
      [ns('sniFoulOdour')]: a.foulOdour,
      [ns('sniSampleG')]: a.sampleG,
      [ns('sniFailedRequirements')]: a.failedRequirements,
      ...(a.cuppingScore !== null ? { [ns('cuppingScore')]: a.cuppingScore } : {}),
    });
  }

  const po = { type: 'po', bizTransaction: purchaseOrderUri(identity, shipment.orderId) };
  for (const b of chain.bindings) {
    push(b.at, 2, {
      type: 'TransactionEvent',
      eventID: eventId(identity, `events/${b.eventKey}/transaction`),
      ...when(b.at, b.timeZoneOffset),
      action: 'ADD',
      bizTransactionList: [po],
      quantityList: [{ epcClass: classOf(b.lotId), quantity: kg(b.weightG), uom: 'KGM' }],
      [ns('logEvent')]: b.kind,
    });
  }

  const brandParty = { type: 'owning_party', source: brandPartyUri(identity) };
  const buyerParty = { type: 'owning_party', destination: buyerPartyUri(identity, shipment.buyerOrgId) };
  const loadingPort = portUri(identity, shipment.portOfLoading);
  for (const c of shipment.containers) {
    push(shipment.loadedAt, 3, {
      type: 'AggregationEvent',
      eventID: eventId(identity, `shipments/${shipment.shipmentId}/containers/${c.containerNumber}/loading`),
      ...when(shipment.loadedAt, shipment.timeZoneOffset),
      action: 'ADD',
      bizStep: 'loading',
      disposition: 'container_closed',
      parentID: containerEpc(c.containerNumber),
      childQuantityList: c.lots.map((l) => ({ epcClass: classOf(l.lotId), quantity: kg(l.weightG), uom: 'KGM' })),
      bizLocation: { id: loadingPort },
      bizTransactionList: [po, { type: 'bol', bizTransaction: billOfLadingUri(identity, shipment.billOfLading) }],
      [ns('sealNumber')]: c.sealNumber,
      [ns('bagCount')]: c.bagCount,
    });
  }

  // The shipping event: every container, and every lot with its total weight across containers.
  const shippedG = new Map<number, number>();
  for (const c of shipment.containers) for (const l of c.lots) shippedG.set(l.lotId, (shippedG.get(l.lotId) ?? 0) + l.weightG);
  push(shipment.shippedAt, 4, {
    type: 'ObjectEvent',
    eventID: eventId(identity, `shipments/${shipment.shipmentId}/shipping`),
    ...when(shipment.shippedAt, shipment.timeZoneOffset),
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    epcList: shipment.containers.map((c) => containerEpc(c.containerNumber)),
    quantityList: [...shippedG].map(([lotId, g]) => ({ epcClass: classOf(lotId), quantity: kg(g), uom: 'KGM' })),
    readPoint: { id: loadingPort },
    bizTransactionList: [
      po,
      { type: 'bol', bizTransaction: billOfLadingUri(identity, shipment.billOfLading) },
      ...(shipment.invoiceNumber !== null ? [{ type: 'inv', bizTransaction: invoiceUri(identity, shipment.invoiceNumber) }] : []),
    ],
    sourceList: [brandParty, { type: 'location', source: loadingPort }],
    destinationList: [buyerParty, { type: 'location', destination: portUri(identity, shipment.portOfDischarge) }],
    [ns('departureDate')]: shipment.departureDate,
    [ns('portOfLoading')]: shipment.portOfLoading,
    [ns('portOfDischarge')]: shipment.portOfDischarge,
    [ns('billOfLadingNumber')]: shipment.billOfLading,
    ...(shipment.dds
      ? { [ns('ddsReferenceNumber')]: shipment.dds.referenceNumber, [ns('ddsVerificationNumber')]: shipment.dds.verificationNumber }
      : {}),
  });

  timed.sort((a, b) => a.at - b.at || a.phase - b.phase || a.seq - b.seq);
  return {
    '@context': [EPCIS_CONTEXT, { [BRAND_NS_PREFIX]: brandNamespace(identity) }],
    id: shipmentDocumentUri(identity, shipment.shipmentId),
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: localTime(createdAt, JAKARTA_OFFSET),
    sender: brandPartyUri(identity),
    receiver: buyerPartyUri(identity, shipment.buyerOrgId),
    epcisBody: { eventList: timed.map((t) => t.event) },
  };
}
