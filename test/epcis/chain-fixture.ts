import type { ShipmentChain } from '../../src/modules/epcis/document.js';
import type { BrandIdentity } from '../../src/modules/epcis/identifiers.js';

/** A plain shipment chain for the pure builder's tests: `lots` lots of `bagsPerLot` 60 kg bags over `containers` containers. */
export function sampleChain(options: { lots?: number; bagsPerLot?: number; containers?: number; identity?: Partial<BrandIdentity> } = {}): ShipmentChain {
  const lotCount = options.lots ?? 3;
  const bagsPerLot = options.bagsPerLot ?? 2;
  const containerCount = options.containers ?? 1;
  const identity: BrandIdentity = {
    brandId: 7, brandName: 'Java Ijen-Raung Arabica', domain: null, gs1CompanyPrefix: null, syntax: 'URN', productGtins: new Map(),
    ...options.identity,
  };
  const t0 = Date.parse('2026-08-01T02:00:00Z');
  const lots = Array.from({ length: lotCount }, (_, i) => ({
    lotId: 100 + i,
    productId: 5,
    producerId: 1 + (i % 40),
    producerLabel: i === 0 ? 'Pak Slamet' : `Contributor ${1 + (i % 40)}`,
    village: 'Sukorejo', district: 'Sumberwringin', regency: 'Bondowoso',
    netG: bagsPerLot * 60_000,
    harvestStart: '2026-06-01', harvestEnd: '2026-07-15', process: 'WASHED',
    plots: [{ plotId: 200 + i, areaHa: '1.25', altitudeM: 1200 }, { plotId: 300 + i, areaHa: '0.5', altitudeM: null }],
    declaredAt: new Date(t0 + i * 60_000),
  }));
  const inspections = lots.map((l, i) => ({
    eventKey: 1000 + i, lotId: l.lotId, at: new Date(t0 + 86_400_000 + i * 60_000), schemeVersion: 1,
    gradeCode: '1', gradeRank: 1, offGrade: false, defectValue: '7.3', moisturePct: '11.8', foreignMatterPct: '0.2',
    cuppingScore: i % 2 === 0 ? '84.25' : null, liveInsects: false, foulOdour: false, sampleG: 300, failedRequirements: [],
  }));
  const bindings = lots.map((l, i) => ({ eventKey: 2000 + i, kind: 'ALLOCATED', lotId: l.lotId, weightG: l.netG, at: new Date(t0 + 2 * 86_400_000) }));
  const containers = Array.from({ length: containerCount }, (_, c) => ({
    containerNumber: c === 0 ? 'CSQU3054383' : `MSCU${String(1000000 + c).slice(1)}0`,
    sealNumber: `SEAL-${c + 1}`,
    bagCount: 0,
    lots: [] as Array<{ lotId: number; weightG: number }>,
  }));
  lots.forEach((l, i) => {
    const c = containers[i % containerCount]!;
    c.lots.push({ lotId: l.lotId, weightG: l.netG });
    c.bagCount += bagsPerLot;
  });
  return {
    identity,
    lots,
    inspections,
    bindings,
    shipment: {
      shipmentId: 9, orderId: 4, buyerOrgId: 3, billOfLading: 'MAEU 123/456', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY',
      departureDate: '2026-09-01', loadedAt: new Date(t0 + 3 * 86_400_000), shippedAt: new Date(t0 + 3 * 86_400_000 + 3_600_000),
      invoiceNumber: null, dds: null, containers,
    },
  };
}
