import { describe, expect, it } from 'vitest';
import {
  buildEudrPackage, EudrLimitError, kgSix, MAX_PRODUCERS_PER_COMMODITY, type PackageInput, packageFeatureCollection,
} from '../../src/modules/shipments/eudr-package.js';

const POINT = { type: 'Point', coordinates: [113.8214501, -7.9131234] };

/** A package input with `n` producers, one 1.5 ha point plot and one 480 kg lot each, all assessed NEGLIGIBLE_RISK. */
function input(n: number, over: Partial<PackageInput> = {}): PackageInput {
  const ids = Array.from({ length: n }, (_, i) => i + 1);
  return {
    shipmentId: 1,
    internalReference: 'LUMBUNG-S1-O1',
    product: { name: 'Arabica green', commodity: 'coffee', species: 'ARABICA', process: 'WASHED', form: 'GREEN', hsHeading: '090111', hsDescription: '' },
    supplier: { brandName: 'Java Ijen-Raung Arabica', cooperatives: ['KSU Ijen'] },
    customer: { name: 'Nile Green', country: 'EG' },
    shipment: { billOfLading: 'BL1', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2027-06-01', containers: [], ddsReference: null, ddsVerification: null },
    lots: ids.map((id) => ({ lotId: id, producerId: id, weightG: 480_000, harvestStart: '2026-06-01', harvestEnd: `2026-08-${String(10 + (id % 20)).padStart(2, '0')}`, plotIds: [id] })),
    undeliveredLines: [],
    producers: ids.map((id) => ({ producerId: id, label: `Contributor ${id}`, consentedName: id % 2 === 0 ? `Pak ${id}` : null, village: 'Sukorejo', district: 'Sumberwringin', regency: 'Bondowoso' })),
    plots: ids.map((id) => ({ plotId: id, producerId: id, name: `Kebun ${id}`, areaHa: '1.5000', geometry: POINT, eudrReady: true, deforestation: 'NEGLIGIBLE_RISK' as const })),
    ...over,
  };
}

describe('the EUDR package (pure)', () => {
  it('given assessed, geolocated plots, when built, then it is complete and in the V3 statement shape', () => {
    const pkg = buildEudrPackage(input(4));
    expect(pkg.complete).toBe(true);
    expect(pkg.blockers).toEqual([]);
    expect(pkg.statement).toMatchObject({ internalReferenceNumber: 'LUMBUNG-S1-O1', activityType: 'IMPORT', geoLocationConfidential: false });
    const [commodity] = pkg.statement.commodities;
    expect(commodity).toMatchObject({ position: 1, hsHeading: '090111', descriptors: { goodsMeasure: { netWeight: '1920.000000' } } });
    expect(commodity!.producers.map((p) => [p.name, p.nameDisclosed])).toEqual([
      ['Contributor 1', false], ['Pak 2', true], ['Contributor 3', false], ['Pak 4', true],
    ]);
    const feature = commodity!.producers[0]!.geometryGeojson.features[0]!;
    expect(feature.geometry).toEqual({ type: 'Point', coordinates: [113.82145, -7.913123] });
    expect(feature.properties).toEqual({ ProducerName: 'Contributor 1', ProducerCountry: 'ID', ProductionPlace: 'Sukorejo, Sumberwringin, Bondowoso', Area: 1.5 });
    expect(JSON.parse(Buffer.from(commodity!.producers[0]!.geometryGeojsonBase64, 'base64').toString())).toEqual(commodity!.producers[0]!.geometryGeojson);
    expect(pkg.productionPeriod).toEqual({ start: '2026-06-01', end: '2026-08-14' });
    expect(packageFeatureCollection(pkg).features).toHaveLength(4);
  });

  it('given every kind of gap, when built, then it is not complete and lists exactly the lines, lots and plots', () => {
    const base = input(5);
    base.plots[0]!.deforestation = null;
    base.plots[1]!.deforestation = 'HIGH_RISK';
    base.plots[2]!.deforestation = 'NEEDS_REVIEW';
    base.plots[3]!.eudrReady = false;
    base.lots[4]!.plotIds = [];
    const pkg = buildEudrPackage({ ...base, undeliveredLines: [{ lineId: 77, producerId: 5, undeliveredG: 60_000 }] });
    expect(pkg.complete).toBe(false);
    expect(pkg.blockers.map((b) => [b.kind, b.lineId, b.lotId, b.plotId])).toEqual([
      ['UNKNOWN_ORIGIN', 77, null, null],
      ['UNKNOWN_ORIGIN', null, 5, null],
      ['PLOT_NOT_ASSESSED', null, null, 1],
      ['PLOT_HIGH_RISK', null, null, 2],
      ['PLOT_NEEDS_REVIEW', null, null, 3],
      ['PLOT_WITHOUT_VALID_GEOLOCATION', null, null, 4],
    ]);
    expect(pkg.blockers[0]!.message).toBe('60 kg of a forward line of Contributor 5 is not delivered: its origin is unknown');
  });

  it('given more than 1,000 producers in the commodity, when built, then EudrLimitError PRODUCERS_PER_COMMODITY', () => {
    expect(() => buildEudrPackage(input(MAX_PRODUCERS_PER_COMMODITY + 1))).toThrow(EudrLimitError);
    try {
      buildEudrPackage(input(MAX_PRODUCERS_PER_COMMODITY + 1));
    } catch (e) {
      expect(e).toMatchObject({ code: 'EUDR_LIMIT_EXCEEDED', limit: 'PRODUCERS_PER_COMMODITY', maximum: 1000, actual: 1001 });
    }
    expect(buildEudrPackage(input(MAX_PRODUCERS_PER_COMMODITY)).statement.commodities[0]!.producers).toHaveLength(1000);
  });

  it('given more than 25 MB of geolocation, when built, then EudrLimitError GEOLOCATION_SIZE', () => {
    // 600 producers, each plot a MultiPoint of 1,500 points: about 30 MB once base64-encoded.
    const points = Array.from({ length: 1_500 }, (_, i) => [113.8 + i * 0.000011, -7.9 - i * 0.000013]);
    const base = input(600);
    for (const p of base.plots) p.geometry = { type: 'MultiPoint', coordinates: points };
    try {
      buildEudrPackage(base);
      expect.unreachable('the package should exceed 25 MB');
    } catch (e) {
      expect(e).toMatchObject({ code: 'EUDR_LIMIT_EXCEEDED', limit: 'GEOLOCATION_SIZE', maximum: 25 * 1024 * 1024 });
    }
  });

  it('formats kilograms with six decimals exactly', () => {
    expect(kgSix(19_200_000)).toBe('19200.000000');
    expect(kgSix(1_234_567)).toBe('1234.567000');
    expect(kgSix(5)).toBe('0.005000');
  });
});
