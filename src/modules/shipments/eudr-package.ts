/**
 * The EUDR due-diligence package of a shipment (pure: plain data in, plain data out).
 *
 * `statement` follows the EU Information System's V3 DueDiligenceStatement (SubmitDdsRequest
 * `statement`): internalReferenceNumber, activityType IMPORT (the EU importer files; we prepare the
 * data), commodities with descriptors (descriptionOfGoods ≤ 150, goodsMeasure.netWeight in kg with
 * up to 6 decimals), hsHeading and producers (position, country, name, geometryGeojson). In the V3
 * SOAP API geometryGeojson is base64 of the GeoJSON; here it is the FeatureCollection itself and
 * `geometryGeojsonBase64` carries the encoded form to paste.
 *
 * Around it: the production period, supplier (brand and cooperatives), customer, shipment papers,
 * and whether the package is complete, with every blocker (line or plot) listed.
 *
 * Limits of the EU system are errors (EudrLimitError): ≤ 1,000 producers per commodity,
 * ≤ 10,000 per statement, ≤ 25 MB of geolocation per statement.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { AppError } from '../../platform/errors.js';
import { decimal, kg, texts } from '../../platform/format.js';
import type { Language } from '../../platform/language.js';
import { type ExportGeometry, exportGeometry, polygonAreaHa } from './eudr-geometry.js';

export const MAX_PRODUCERS_PER_COMMODITY = 1_000;
export const MAX_PRODUCERS_PER_STATEMENT = 10_000;
export const MAX_GEOLOCATION_BYTES = 25 * 1024 * 1024;
export const MAX_DESCRIPTION = 150;
export const PRODUCTION_COUNTRY = 'ID';

export type EudrLimit = 'PRODUCERS_PER_COMMODITY' | 'PRODUCERS_PER_STATEMENT' | 'GEOLOCATION_SIZE';

/** An EU Information System limit the package would exceed. */
export class EudrLimitError extends AppError {
  readonly code = 'EUDR_LIMIT_EXCEEDED';
  constructor(readonly limit: EudrLimit, readonly maximum: number, readonly actual: number, message: string) {
    super(message);
  }

  override indonesian(): string {
    const [actual, maximum] = [decimal(this.actual, 'id'), decimal(this.maximum, 'id')];
    const what = {
      PRODUCERS_PER_COMMODITY: `Komoditas ini memiliki ${actual} produsen; sistem Uni Eropa menerima paling banyak ${maximum} per komoditas`,
      PRODUCERS_PER_STATEMENT: `Pernyataan ini memiliki ${actual} produsen; sistem Uni Eropa menerima paling banyak ${maximum}`,
      GEOLOCATION_SIZE: `Data geolokasi berukuran ${actual} byte; sistem Uni Eropa menerima paling banyak ${maximum} byte (25 MB) per pernyataan`,
    } satisfies Record<EudrLimit, string>;
    return `${what[this.limit]}. Bagi pengiriman ini menjadi beberapa pernyataan.`;
  }
}

export type BlockerKind =
  | 'UNKNOWN_ORIGIN'
  | 'PLOT_WITHOUT_VALID_GEOLOCATION'
  | 'PLOT_NOT_ASSESSED'
  | 'PLOT_NEEDS_REVIEW'
  | 'PLOT_HIGH_RISK';

export interface Blocker {
  kind: BlockerKind;
  /** The allocation line (UNKNOWN_ORIGIN of an undelivered forward line), else null. */
  lineId: number | null;
  lotId: number | null;
  plotId: number | null;
  /** Kilograms concerned (UNKNOWN_ORIGIN), else null. */
  weightG: number | null;
  /** A rule code for geolocation blockers (e.g. RING_BROKEN_BY_ROUNDING), else null. */
  rule: string | null;
  /** What to fix, in English and in Indonesian. */
  message: string;
  messageId: string;
}

/** What blocks a package, per language (a missing one fails the type check). Weights per language; labels ("Contributor n") as they are. */
const BLOCKER_TEXT: Readonly<Record<Language, {
  someone: string;
  undelivered: (weightG: number, label: string) => string;
  noPlot: (weightG: number, lotId: number, label: string) => string;
  plot: (name: string, label: string) => string;
  notAssessed: string;
  needsReview: string;
  highRisk: string;
  notEudrReady: string;
}>> = {
  en: {
    someone: 'a contributor',
    undelivered: (g, label) => `${kg(g, 'en')} of a forward line of ${label} is not delivered: its origin is unknown`,
    noPlot: (g, lotId, label) => `${kg(g, 'en')} of lot ${lotId} (${label}) has no plot of origin`,
    plot: (name, label) => `Plot "${name}" (${label})`,
    notAssessed: 'no deforestation assessment against the 31 Dec 2020 cut-off',
    needsReview: 'the deforestation assessment needs review',
    highRisk: 'assessed as high deforestation risk',
    notEudrReady: 'the geolocation does not meet the EUDR rules',
  },
  id: {
    someone: 'seorang pemasok',
    undelivered: (g, label) => `${kg(g, 'id')} dari baris komitmen ke depan milik ${label} belum dikirim: asal-usulnya belum diketahui`,
    noPlot: (g, lotId, label) => `${kg(g, 'id')} dari lot ${lotId} (${label}) tidak punya lahan asal`,
    plot: (name, label) => `Lahan "${name}" (${label})`,
    notAssessed: 'belum ada penilaian deforestasi terhadap batas 31 Desember 2020',
    needsReview: 'penilaian deforestasinya perlu ditinjau ulang',
    highRisk: 'dinilai berisiko deforestasi tinggi',
    notEudrReady: 'geolokasinya belum memenuhi aturan EUDR',
  },
};

/** message / messageId of a blocker from a function of the language. */
function blockerText(render: (lang: Language) => string): Pick<Blocker, 'message' | 'messageId'> {
  const t = texts(render);
  return { message: t.en, messageId: t.id };
}

export interface PackageProducer {
  producerId: number;
  label: string;
  /** The name when the producer consents to it in export documents, else null. */
  consentedName: string | null;
  village: string;
  district: string;
  regency: string;
}

export interface PackagePlot {
  plotId: number;
  producerId: number;
  name: string;
  areaHa: string;
  geometry: unknown;
  eudrReady: boolean;
  deforestation: 'NOT_ASSESSED' | 'NEGLIGIBLE_RISK' | 'NEEDS_REVIEW' | 'HIGH_RISK' | null;
}

export interface PackageLot {
  lotId: number;
  producerId: number;
  weightG: number;
  harvestStart: string;
  harvestEnd: string;
  plotIds: number[];
}

export interface PackageInput {
  shipmentId: number;
  internalReference: string;
  product: { name: string; commodity: string; species: string; process: string; form: string; hsHeading: string; hsDescription: string };
  supplier: { brandName: string; cooperatives: string[] };
  customer: { name: string; country: string };
  shipment: {
    billOfLading: string; portOfLoading: string; portOfDischarge: string; departureDate: string;
    containers: { containerNumber: string; sealNumber: string; bagCount: number }[];
    ddsReference: string | null; ddsVerification: string | null;
  };
  lots: PackageLot[];
  /** Active forward lines with weight not delivered (unknown origin). */
  undeliveredLines: { lineId: number; producerId: number; undeliveredG: number }[];
  producers: PackageProducer[];
  plots: PackagePlot[];
}

export interface DdsProducer {
  position: number;
  country: string;
  name: string;
  nameDisclosed: boolean;
  geometryGeojson: FeatureCollection;
  geometryGeojsonBase64: string;
}

export interface EudrPackage {
  statement: {
    internalReferenceNumber: string;
    activityType: 'IMPORT';
    commodities: {
      position: number;
      descriptors: { descriptionOfGoods: string; goodsMeasure: { netWeight: string } };
      hsHeading: string;
      producers: DdsProducer[];
    }[];
    geoLocationConfidential: boolean;
  };
  productionPeriod: { start: string | null; end: string | null };
  countryOfProduction: string;
  regionsOfProduction: string[];
  supplier: { brand: string; cooperatives: string[]; country: string };
  customer: { name: string; country: string };
  shipment: PackageInput['shipment'];
  deforestationCutOff: string;
  complete: boolean;
  blockers: Blocker[];
  geolocationBytes: number;
}

const productionPlace = (p: PackageProducer) => `${p.village}, ${p.district}, ${p.regency}`;

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** Build the package; throws EudrLimitError when the EU system would refuse the statement. */
export function buildEudrPackage(input: PackageInput): EudrPackage {
  const blockers: Blocker[] = [];
  const producerById = new Map(input.producers.map((p) => [p.producerId, p]));
  const plotById = new Map(input.plots.map((p) => [p.plotId, p]));

  const labelOf = (producerId: number, lang: Language) => producerById.get(producerId)?.label ?? BLOCKER_TEXT[lang].someone;
  for (const line of input.undeliveredLines) {
    blockers.push({
      kind: 'UNKNOWN_ORIGIN', lineId: line.lineId, lotId: null, plotId: null, weightG: line.undeliveredG, rule: null,
      ...blockerText((lang) => BLOCKER_TEXT[lang].undelivered(line.undeliveredG, labelOf(line.producerId, lang))),
    });
  }
  for (const lot of input.lots) {
    if (lot.plotIds.length === 0) {
      blockers.push({
        kind: 'UNKNOWN_ORIGIN', lineId: null, lotId: lot.lotId, plotId: null, weightG: lot.weightG, rule: null,
        ...blockerText((lang) => BLOCKER_TEXT[lang].noPlot(lot.weightG, lot.lotId, labelOf(lot.producerId, lang))),
      });
    }
  }

  // Plots actually behind the shipped lots, in a stable order.
  const shippedPlotIds = [...new Set(input.lots.flatMap((l) => l.plotIds))].sort((a, b) => a - b);
  const featuresOf = new Map<number, Feature[]>();
  for (const plotId of shippedPlotIds) {
    const plot = plotById.get(plotId);
    if (!plot) continue;
    const producer = producerById.get(plot.producerId);
    const block = (kind: BlockerKind, message: (lang: Language) => string, rule: string | null = null) =>
      blockers.push({
        kind, lineId: null, lotId: null, plotId, weightG: null, rule,
        ...blockerText((lang) => `${BLOCKER_TEXT[lang].plot(plot.name, producer?.label ?? BLOCKER_TEXT[lang].someone)}: ${message(lang)}`),
      });
    if (plot.deforestation === null || plot.deforestation === 'NOT_ASSESSED') block('PLOT_NOT_ASSESSED', (lang) => BLOCKER_TEXT[lang].notAssessed);
    else if (plot.deforestation === 'NEEDS_REVIEW') block('PLOT_NEEDS_REVIEW', (lang) => BLOCKER_TEXT[lang].needsReview);
    else if (plot.deforestation === 'HIGH_RISK') block('PLOT_HIGH_RISK', (lang) => BLOCKER_TEXT[lang].highRisk);

    if (!plot.eudrReady) {
      block('PLOT_WITHOUT_VALID_GEOLOCATION', (lang) => BLOCKER_TEXT[lang].notEudrReady, 'NOT_EUDR_READY');
      continue;
    }
    const exported = exportGeometry(plot.geometry as Geometry, plot.name);
    if (!exported.ok) {
      // Only a refused geometry is checked again, for the Indonesian text of the same issue.
      const { issue } = exported;
      const inIndonesian = exportGeometry(plot.geometry as Geometry, plot.name, 'id');
      const issueId = inIndonesian.ok ? issue.message : inIndonesian.issue.message;
      block('PLOT_WITHOUT_VALID_GEOLOCATION', (lang) => (lang === 'id' ? issueId : issue.message), issue.rule);
      continue;
    }
    const declaredHa = Number(plot.areaHa);
    const features = exported.geometries.map((geometry: ExportGeometry): Feature => ({
      type: 'Feature',
      geometry,
      properties: {
        ProducerName: producer?.consentedName ?? producer?.label ?? null,
        ProducerCountry: PRODUCTION_COUNTRY,
        ProductionPlace: producer ? productionPlace(producer) : null,
        // A plot cut into hole-free parts: each part carries its own area; a single part the declared area.
        Area: exported.geometries.length === 1 ? declaredHa : areaOf(geometry),
      },
    }));
    const list = featuresOf.get(plot.producerId) ?? [];
    list.push(...features);
    featuresOf.set(plot.producerId, list);
  }

  // Producers: everyone whose lots ship, in label order.
  const shippedProducers = [...new Set([...input.lots.map((l) => l.producerId), ...input.undeliveredLines.map((l) => l.producerId)])]
    .map((id) => producerById.get(id))
    .filter((p): p is PackageProducer => p !== undefined)
    .sort((a, b) => labelNumber(a.label) - labelNumber(b.label));

  if (shippedProducers.length > MAX_PRODUCERS_PER_COMMODITY) {
    throw new EudrLimitError('PRODUCERS_PER_COMMODITY', MAX_PRODUCERS_PER_COMMODITY, shippedProducers.length,
      `The commodity has ${shippedProducers.length} producers; the EU system accepts at most ${MAX_PRODUCERS_PER_COMMODITY} per commodity`);
  }
  if (shippedProducers.length > MAX_PRODUCERS_PER_STATEMENT) {
    throw new EudrLimitError('PRODUCERS_PER_STATEMENT', MAX_PRODUCERS_PER_STATEMENT, shippedProducers.length,
      `The statement has ${shippedProducers.length} producers; the EU system accepts at most ${MAX_PRODUCERS_PER_STATEMENT}`);
  }

  let geolocationBytes = 0;
  const producers: DdsProducer[] = shippedProducers.map((p, i) => {
    const collection: FeatureCollection = { type: 'FeatureCollection', features: featuresOf.get(p.producerId) ?? [] };
    const encoded = base64(collection);
    geolocationBytes += encoded.length;
    return {
      position: i + 1,
      country: PRODUCTION_COUNTRY,
      name: p.consentedName ?? p.label,
      nameDisclosed: p.consentedName !== null,
      geometryGeojson: collection,
      geometryGeojsonBase64: encoded,
    };
  });
  if (geolocationBytes > MAX_GEOLOCATION_BYTES) {
    throw new EudrLimitError('GEOLOCATION_SIZE', MAX_GEOLOCATION_BYTES, geolocationBytes,
      `The geolocation is ${geolocationBytes} bytes; the EU system accepts at most ${MAX_GEOLOCATION_BYTES} (25 MB) per statement`);
  }

  const netG = input.lots.reduce((s, l) => s + l.weightG, 0);
  const description = `${input.product.name} (${input.product.species.toLowerCase()}, ${input.product.process.toLowerCase()}, ${input.product.form.toLowerCase()}), ${input.supplier.brandName}`.slice(0, MAX_DESCRIPTION);
  const starts = input.lots.map((l) => l.harvestStart).sort();
  const ends = input.lots.map((l) => l.harvestEnd).sort();
  const regions = [...new Set(shippedProducers.map((p) => p.regency))].sort();

  return {
    statement: {
      internalReferenceNumber: input.internalReference,
      activityType: 'IMPORT',
      commodities: [{
        position: 1,
        descriptors: { descriptionOfGoods: description, goodsMeasure: { netWeight: kgSix(netG) } },
        hsHeading: input.product.hsHeading,
        producers,
      }],
      geoLocationConfidential: false,
    },
    productionPeriod: { start: starts[0] ?? null, end: ends.at(-1) ?? null },
    countryOfProduction: PRODUCTION_COUNTRY,
    regionsOfProduction: regions,
    supplier: { brand: input.supplier.brandName, cooperatives: input.supplier.cooperatives, country: PRODUCTION_COUNTRY },
    customer: input.customer,
    shipment: input.shipment,
    deforestationCutOff: '2020-12-31',
    complete: blockers.length === 0 && netG > 0,
    blockers,
    geolocationBytes,
  };
}

/** All plots of the package as one FeatureCollection (the `.geojson` download). */
export function packageFeatureCollection(pkg: EudrPackage): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: pkg.statement.commodities.flatMap((c) => c.producers.flatMap((p) => p.geometryGeojson.features)),
  };
}

/** Grams as kilograms with exactly 6 decimals (DecimalSixteenTotalSixPrecType), e.g. "19200.000000". */
export function kgSix(grams: number): string {
  const kg = Math.trunc(grams / 1000);
  const rest = grams % 1000;
  return `${kg}.${String(rest).padStart(3, '0')}000`;
}

const labelNumber = (label: string) => Number(label.replace(/\D/g, '')) || 0;

const areaOf = (g: ExportGeometry): number => (g.type === 'Polygon' ? Math.round(polygonAreaHa(g.coordinates) * 10_000) / 10_000 : 0);
