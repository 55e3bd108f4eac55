import { describe, expect, it } from 'vitest';
import { buildEpcisDocument, EPCIS_CONTEXT, type EpcisEvent } from '../../src/modules/epcis/document.js';
import { eventId, gs1CheckDigit, normaliseGtin, settingsIssues, type BrandIdentity } from '../../src/modules/epcis/identifiers.js';
import { isOffset, localTime } from '../../src/modules/epcis/time.js';
import { sampleChain } from './chain-fixture.js';
import { epcisProblems, epcisValidator, exampleFile } from './validate.js';

const CREATED = new Date('2026-09-01T05:00:00Z');
const byStep = (events: EpcisEvent[], type: string, bizStep?: string) =>
  events.filter((e) => e.type === type && (bizStep === undefined || e.bizStep === bizStep));

describe('the EPCIS 2.0 JSON Schema itself', () => {
  it.each(['Example_9.6.1-ObjectEvent.jsonld', 'Example_9.6.2-ObjectEvent.jsonld', 'Example_9.6.3-AggregationEvent.jsonld', 'Example_9.6.4-TransformationEvent.jsonld'])(
    'given GS1 example %s, when validated, then it is valid (sanity check of the validator)',
    (file) => {
      expect(epcisProblems(exampleFile(file))).toEqual([]);
    },
  );

  it('given a document with a broken event, when validated, then the validator rejects it', () => {
    const doc = buildEpcisDocument(sampleChain(), CREATED) as unknown as { epcisBody: { eventList: Array<Record<string, unknown>> } };
    delete doc.epcisBody.eventList[0]!.eventTimeZoneOffset;
    doc.epcisBody.eventList[1]!.action = 'TOUCH';
    expect(epcisProblems(doc).length).toBeGreaterThan(0);
  });

  it('compiles once per process (the same validate function every time)', () => {
    expect(epcisValidator()).toBe(epcisValidator());
  });
});

describe('buildEpcisDocument', () => {
  it('given a chain of 3 lots in one container, when built, then the document validates and has every step', () => {
    // given
    const chain = sampleChain({ lots: 3, bagsPerLot: 2 });
    // when
    const doc = buildEpcisDocument(chain, CREATED);
    // then
    expect(epcisProblems(doc)).toEqual([]);
    expect(doc.type).toBe('EPCISDocument');
    expect(doc.schemaVersion).toBe('2.0');
    expect(doc['@context']).toEqual([EPCIS_CONTEXT, { brand: 'https://id.lumbung.id/brands/7/epcis/ns#' }]);
    expect(doc.creationDate).toBe('2026-09-01T12:00:00.000+07:00');
    const events = doc.epcisBody.eventList;
    expect(byStep(events, 'ObjectEvent', 'commissioning')).toHaveLength(3);
    expect(byStep(events, 'ObjectEvent', 'inspecting')).toHaveLength(3);
    expect(byStep(events, 'TransactionEvent')).toHaveLength(3);
    expect(byStep(events, 'AggregationEvent', 'loading')).toHaveLength(1);
    expect(byStep(events, 'ObjectEvent', 'shipping')).toHaveLength(1);
    expect(byStep(events, 'TransformationEvent')).toHaveLength(0);
    // events in time order
    const times = events.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // stable, unique ids
    expect(new Set(events.map((e) => e.eventID)).size).toBe(events.length);
    expect(buildEpcisDocument(chain, CREATED)).toEqual(doc);
  });

  it('commissioning: ADD, commissioning, active, the lot class in KGM, harvest dates, plots and producer in ilmd', () => {
    const doc = buildEpcisDocument(sampleChain(), CREATED);
    const [first] = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'commissioning');
    expect(JSON.stringify(first)).not.toMatch(/producers\//);
    expect(first).toMatchObject({
      action: 'ADD',
      disposition: 'active',
      eventTime: '2026-08-01T09:00:00.000+07:00',
      eventTimeZoneOffset: '+07:00',
      quantityList: [{ epcClass: 'https://id.lumbung.id/brands/7/epcis/lots/100', quantity: 120, uom: 'KGM' }],
      ilmd: {
        'brand:harvestStartDate': '2026-06-01',
        'brand:harvestEndDate': '2026-07-15',
        'brand:process': 'WASHED',
        'brand:producer': 'Pak Slamet',
        'brand:productionPlace': { 'brand:regency': 'Bondowoso', 'brand:country': 'ID' },
        'brand:productionPlots': [
          { '@id': 'https://id.lumbung.id/brands/7/epcis/plots/200', 'brand:areaHa': '1.25', 'brand:altitudeM': 1200 },
          { '@id': 'https://id.lumbung.id/brands/7/epcis/plots/300', 'brand:areaHa': '0.5' },
        ],
      },
    });
  });

  it('inspection: OBSERVE, inspecting, grade and SNI results as brand extension fields; off-grade is non_conformant', () => {
    const chain = sampleChain({ lots: 2 });
    chain.inspections[1] = { ...chain.inspections[1]!, offGrade: true, gradeCode: null, gradeRank: null, failedRequirements: ['MOISTURE'] };
    const doc = buildEpcisDocument(chain, CREATED);
    expect(epcisProblems(doc)).toEqual([]);
    const [good, bad] = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'inspecting');
    expect(good).toMatchObject({
      action: 'OBSERVE', disposition: 'conformant', 'brand:gradeCode': '1', 'brand:gradeRank': 1, 'brand:sniDefectValue': '7.3',
      'brand:sniMoisturePct': '11.8', 'brand:sniForeignMatterPct': '0.2', 'brand:cuppingScore': '84.25', 'brand:sniFailedRequirements': [],
    });
    expect(good).not.toHaveProperty('ilmd');
    expect(bad).toMatchObject({ disposition: 'non_conformant', 'brand:offGrade': true, 'brand:sniFailedRequirements': ['MOISTURE'] });
    expect(bad).not.toHaveProperty('brand:cuppingScore');
  });

  it('loading: one AggregationEvent per container, parent = the container\'s BIC, children = lots loaded in KGM', () => {
    const doc = buildEpcisDocument(sampleChain({ lots: 5, bagsPerLot: 64, containers: 2 }), CREATED);
    expect(epcisProblems(doc)).toEqual([]);
    const loads = byStep(doc.epcisBody.eventList, 'AggregationEvent', 'loading');
    expect(loads.map((e) => e.parentID)).toEqual(['urn:epc:id:bic:CSQU3054383', 'urn:epc:id:bic:MSCU0000010']);
    expect(loads[0]).toMatchObject({
      action: 'ADD', disposition: 'container_closed', 'brand:sealNumber': 'SEAL-1', 'brand:bagCount': 192,
      childQuantityList: [
        { epcClass: 'https://id.lumbung.id/brands/7/epcis/lots/100', quantity: 3840, uom: 'KGM' },
        { epcClass: 'https://id.lumbung.id/brands/7/epcis/lots/102', quantity: 3840, uom: 'KGM' },
        { epcClass: 'https://id.lumbung.id/brands/7/epcis/lots/104', quantity: 3840, uom: 'KGM' },
      ],
    });
  });

  it('shipping: OBSERVE, shipping, in_transit with po and bol, parties and ports; inv and the DDS numbers once recorded', () => {
    const chain = sampleChain({ lots: 2 });
    const before = byStep(buildEpcisDocument(chain, CREATED).epcisBody.eventList, 'ObjectEvent', 'shipping')[0]!;
    expect(before).toMatchObject({
      action: 'OBSERVE', disposition: 'in_transit',
      eventTime: '2026-08-04T10:00:00.000+07:00',
      epcList: ['urn:epc:id:bic:CSQU3054383'],
      bizTransactionList: [
        { type: 'po', bizTransaction: 'https://id.lumbung.id/brands/7/epcis/orders/4' },
        { type: 'bol', bizTransaction: 'https://id.lumbung.id/brands/7/epcis/bills-of-lading/MAEU%20123%2F456' },
      ],
      sourceList: [
        { type: 'owning_party', source: 'https://id.lumbung.id/brands/7/epcis/parties/brand' },
        { type: 'location', source: 'https://id.lumbung.id/brands/7/epcis/locations/unlocode/IDSUB' },
      ],
      destinationList: [
        { type: 'owning_party', destination: 'https://id.lumbung.id/brands/7/epcis/parties/buyers/3' },
        { type: 'location', destination: 'https://id.lumbung.id/brands/7/epcis/locations/unlocode/EGALY' },
      ],
      'brand:departureDate': '2026-09-01',
    });
    expect(before).not.toHaveProperty('brand:ddsReferenceNumber');

    chain.shipment.invoiceNumber = 'INV-2026-0042';
    chain.shipment.dds = { referenceNumber: '26BE7XTVCZAQ2S', verificationNumber: 'XK29QL7A' };
    const doc = buildEpcisDocument(chain, CREATED);
    expect(epcisProblems(doc)).toEqual([]);
    const after = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'shipping')[0]!;
    expect(after.bizTransactionList).toContainEqual({ type: 'inv', bizTransaction: 'https://id.lumbung.id/brands/7/epcis/invoices/INV-2026-0042' });
    expect(after).toMatchObject({ 'brand:ddsReferenceNumber': '26BE7XTVCZAQ2S', 'brand:ddsVerificationNumber': 'XK29QL7A' });
  });

  it('an event that records its own offset keeps it; others are at +07:00', () => {
    const chain = sampleChain({ lots: 1 });
    chain.shipment.timeZoneOffset = '+02:00';
    const doc = buildEpcisDocument(chain, CREATED);
    expect(epcisProblems(doc)).toEqual([]);
    const shipping = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'shipping')[0]!;
    expect(shipping).toMatchObject({ eventTime: '2026-08-04T05:00:00.000+02:00', eventTimeZoneOffset: '+02:00' });
    expect(byStep(doc.epcisBody.eventList, 'ObjectEvent', 'commissioning')[0]!.eventTimeZoneOffset).toBe('+07:00');
    expect(localTime(new Date('2026-12-31T20:30:00Z'))).toBe('2027-01-01T03:30:00.000+07:00');
    expect(localTime(new Date('2026-01-01T02:00:00Z'), '-05:30')).toBe('2025-12-31T20:30:00.000-05:30');
    expect(['+07:00', '-12:00', '+14:00'].map(isOffset)).toEqual([true, true, true]);
    expect(['+7:00', '+14:30', 'Z', 7, null].map(isOffset)).toEqual([false, false, false, false, false]);
    // an offset the schema would refuse is ignored: the event falls back to Asia/Jakarta
    chain.shipment.timeZoneOffset = '+15:00';
    const fallback = buildEpcisDocument(chain, CREATED);
    expect(byStep(fallback.epcisBody.eventList, 'ObjectEvent', 'shipping')[0]!.eventTimeZoneOffset).toBe('+07:00');
  });

  describe('identifiers', () => {
    const gs1 = (syntax: BrandIdentity['syntax']): Partial<BrandIdentity> => ({
      domain: 'javeast.id', gs1CompanyPrefix: '8991234', syntax, productGtins: new Map([[5, '08991234000121']]),
    });

    it('given a GS1 company prefix and a product GTIN, then lots are LGTINs and other URIs are under the brand\'s domain', () => {
      const doc = buildEpcisDocument(sampleChain({ identity: gs1('URN') }), CREATED);
      expect(epcisProblems(doc)).toEqual([]);
      const commissioning = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'commissioning')[0]!;
      expect(commissioning.quantityList).toEqual([{ epcClass: 'urn:epc:class:lgtin:8991234.000012.100', quantity: 120, uom: 'KGM' }]);
      expect(doc.id).toBe('https://javeast.id/epcis/shipments/9');
      expect(doc['@context'][1]).toEqual({ brand: 'https://javeast.id/epcis/ns#' });
    });

    it('given the Digital Link syntax, then lots are GS1 Digital Link URIs with GTIN and lot', () => {
      const doc = buildEpcisDocument(sampleChain({ identity: gs1('DIGITAL_LINK') }), CREATED);
      expect(epcisProblems(doc)).toEqual([]);
      const commissioning = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'commissioning')[0]!;
      expect((commissioning.quantityList as Array<{ epcClass: string }>)[0]!.epcClass).toBe('https://id.gs1.org/01/08991234000121/10/100');
    });

    it('given a prefix but no GTIN for the product, then lots fall back to URIs under the brand\'s domain', () => {
      const doc = buildEpcisDocument(sampleChain({ identity: { ...gs1('URN'), productGtins: new Map() } }), CREATED);
      const commissioning = byStep(doc.epcisBody.eventList, 'ObjectEvent', 'commissioning')[0]!;
      expect((commissioning.quantityList as Array<{ epcClass: string }>)[0]!.epcClass).toBe('https://javeast.id/epcis/lots/100');
    });

    it('GTIN check digits and the company prefix are verified', () => {
      expect(gs1CheckDigit('899123400012')).toBe(1);
      expect(normaliseGtin('8991234000121', '8991234')).toEqual({ gtin14: '08991234000121' });
      expect(normaliseGtin('8991234000125', '8991234')).toMatchObject({ problem: { en: 'check digit should be 1' } });
      expect(normaliseGtin('4006381333931', '8991234')).toMatchObject({ problem: { en: expect.stringContaining('company prefix') } });
      expect(normaliseGtin('89912340001', '8991234')).toMatchObject({ problem: { en: expect.stringContaining('8, 12, 13 or 14') } });
    });

    it('settings are validated field by field', () => {
      const { issues } = settingsIssues({
        domain: 'https://Javeast.id/x', gs1CompanyPrefix: '12345', syntax: 'DIGITAL_LINK',
        productGtins: [{ productId: 1, gtin: '1' }],
      });
      expect(issues.map((i) => i.path)).toEqual(['input.identifierDomain', 'input.gs1CompanyPrefix']);
      expect(settingsIssues({ domain: 'localhost', gs1CompanyPrefix: null, syntax: 'DIGITAL_LINK', productGtins: [{ productId: 1, gtin: '1' }] }).issues.map((i) => i.path))
        .toEqual(['input.identifierDomain', 'input.identifierSyntax', 'input.productGtins.0.gtin']);
      expect(settingsIssues({ domain: 'kopi-ijen.co.id', gs1CompanyPrefix: '8991234', syntax: 'URN', productGtins: [{ productId: 1, gtin: '8991234000121' }] }))
        .toEqual({ issues: [], gtins: [{ productId: 1, gtin14: '08991234000121' }] });
    });

    it('event ids are name-based UUIDs, stable per key', () => {
      const identity = sampleChain().identity;
      expect(eventId(identity, 'a')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(eventId(identity, 'a')).toBe(eventId(identity, 'a'));
      expect(eventId(identity, 'a')).not.toBe(eventId(identity, 'b'));
    });
  });

  it('a 320-bag chain (40 lots of 8 bags, one container) validates', () => {
    const doc = buildEpcisDocument(sampleChain({ lots: 40, bagsPerLot: 8 }), CREATED);
    expect(epcisProblems(doc)).toEqual([]);
    expect(byStep(doc.epcisBody.eventList, 'AggregationEvent')[0]).toMatchObject({ 'brand:bagCount': 320 });
  });
});
