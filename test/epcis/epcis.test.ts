import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { countRows, ERROR_FIELDS, gid, insertPlot, insertProduct } from '../support/supply-fixtures.js';
import { createOrderWorld, insertOrder, type OrderWorld } from '../orders/fixtures.js';
import { openCommitment } from '../fulfilment/fixtures.js';
import { epcisProblems } from './validate.js';

/**
 * EPCIS 2.0 through the API: a shipment built for real (lots declared and assessed through GraphQL,
 * the order accepted, started and shipped with its containers), then its document read through the
 * query, the Shipment field and the download, validated against GS1's schema every time.
 */

const DECLARE = /* GraphQL */ `
  mutation Declare($input: DeclareLotInput!) {
    declareLot(input: $input) { __typename ... on Lot { id } ${ERROR_FIELDS} }
  }`;
const ASSESS = /* GraphQL */ `
  mutation Assess($input: RecordAssessmentInput!) {
    recordAssessment(input: $input) { __typename ... on Assessment { id grade { code } } ${ERROR_FIELDS} }
  }`;
const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptOrderInput!) {
    acceptOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} }
  }`;
const START = /* GraphQL */ `
  mutation Start($input: AdvanceOrderInput!) {
    startOrderFulfillment(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} }
  }`;
const SHIP = /* GraphQL */ `
  mutation Ship($input: ShipOrderInput!) {
    shipOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} }
  }`;
const GIVE_CONSENT = /* GraphQL */ `
  mutation Give($input: ConsentChangeInput!) {
    giveConsent(input: $input) { __typename ${ERROR_FIELDS} }
  }`;
const WITHDRAW_CONSENT = /* GraphQL */ `
  mutation Withdraw($input: ConsentChangeInput!) {
    withdrawConsent(input: $input) { __typename ${ERROR_FIELDS} }
  }`;
const RECORD_DDS = /* GraphQL */ `
  mutation Dds($input: RecordDdsNumbersInput!) {
    recordDdsNumbers(input: $input) { __typename ${ERROR_FIELDS} }
  }`;
const FULFIL = /* GraphQL */ `
  mutation Fulfil($input: FulfilLineInput!) {
    fulfilLine(input: $input) { __typename ${ERROR_FIELDS} }
  }`;
const DOCUMENT = /* GraphQL */ `
  query Epcis($shipmentId: ID!) {
    epcisDocument(shipmentId: $shipmentId) {
      __typename
      ... on EpcisExport { eventCount document }
      ${ERROR_FIELDS}
    }
  }`;
const SHIPMENT_DOCUMENT = /* GraphQL */ `
  query ShipmentEpcis($id: ID!) {
    shipment(id: $id) { id epcisDocument }
  }`;
const SET_IDENTIFIERS = /* GraphQL */ `
  mutation SetIds($input: SetEpcisIdentifiersInput!) {
    setEpcisIdentifiers(input: $input) {
      __typename
      ... on EpcisIdentifiers { identifierDomain baseUri gs1CompanyPrefix identifierSyntax productGtins { gtin product { id } } updatedAt }
      ${ERROR_FIELDS}
    }
  }`;
const BRAND_IDENTIFIERS = /* GraphQL */ `
  query BrandIds($id: ID!) {
    node(id: $id) { ... on Brand { epcisIdentifiers { identifierDomain baseUri gs1CompanyPrefix identifierSyntax productGtins { gtin } updatedAt } } }
  }`;

type Doc = { '@context': unknown[]; epcisBody: { eventList: Array<Record<string, any>> } } & Record<string, any>;
const events = (doc: Doc, type: string, bizStep?: string) =>
  doc.epcisBody.eventList.filter((e) => e.type === type && (bizStep === undefined || e.bizStep === bizStep));

describe('EPCIS 2.0 document of a shipment', () => {
  let t: TestApp;
  let w: OrderWorld;
  let product: Row<'products'>;
  let order: Row<'orders'>;
  let shipmentId: string;
  let lotA: number;
  let lotB: number;
  let plots: number[];

  const declare = async (producerId: number, plotIds: number[], kg: string, token: string, forProduct = product) => {
    const res = await t.gql(DECLARE, {
      input: {
        producerId: gid('Producer', producerId), productId: gid('Product', forProduct.id), plotIds: plotIds.map((p) => gid('Plot', p)),
        harvestStart: '2026-05-01', harvestEnd: '2026-06-30', netWeight: kg, storageLocation: 'Gudang Koperasi Sumberwringin',
      },
    }, token);
    expect(res.data.declareLot.__typename).toBe('Lot');
    return Number(Buffer.from(res.data.declareLot.id, 'base64').toString().split(':')[1]);
  };
  const assess = async (lotId: number) => {
    const res = await t.gql(ASSESS, {
      input: {
        lotId: gid('Lot', lotId), defectCounts: [{ defect: 'BLACK_BEAN', count: 3 }, { defect: 'BROKEN_BEAN', count: 5 }],
        moisturePct: '11.8', foreignMatterPct: '0.2', liveInsects: false, foulOdour: false, cuppingScore: '84.25',
      },
    }, w.as.curator.token);
    expect(res.data.recordAssessment.__typename).toBe('Assessment');
  };
  const doc = async (token: string | null, id = shipmentId) => t.gql(DOCUMENT, { shipmentId: id }, token);
  const download = (token: string | null, id = shipmentId) =>
    t.app.inject({ method: 'GET', url: `/exports/shipments/${id}/epcis.jsonld`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
    const db = t.database.db;
    product = await insertProduct(db, w.brand.id);
    plots = [
      (await insertPlot(db, w.producer.id, { areaHa: '1.2500' })).id,
      (await insertPlot(db, w.producer.id, { areaHa: '0.8000' })).id,
      (await insertPlot(db, w.otherProducer.id, { areaHa: '2.0000' })).id,
    ];
    // given two lots declared by their producers (5 bags in all) and graded by the curator
    lotA = await declare(w.producer.id, plots.slice(0, 2), '180', w.as.producer.token);
    lotB = await declare(w.otherProducer.id, plots.slice(2), '120', w.as.otherProducer.token);
    await assess(lotA);
    await assess(lotB);
    // an order for all of it, accepted, started and shipped in one container
    order = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: 300_000 });
    const accepted = await t.gql(ACCEPT, {
      input: { orderId: gid('Order', order.id), strategy: 'QUALITY_FIRST', constraints: { supply: 'SPOT_ONLY' }, idempotencyKey: `epcis-${process.pid}` },
    }, w.as.brandManager.token);
    expect(accepted.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
    const started = await t.gql(START, { input: { orderId: gid('Order', order.id) } }, w.as.brandManager.token);
    expect(started.data.startOrderFulfillment.status).toBe('IN_FULFILLMENT');
    const shipped = await t.gql(SHIP, {
      input: {
        orderId: gid('Order', order.id),
        shipment: {
          billOfLading: 'MEDUJK123456', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2026-10-02',
          containers: [{
            containerNumber: 'CSQU3054383', sealNumber: 'ID-SEAL-0001', bagCount: 5,
            lots: [{ lotId: gid('Lot', lotA), weight: '180' }, { lotId: gid('Lot', lotB), weight: '120' }],
          }],
        },
      },
    }, w.as.brandManager.token);
    expect(shipped.data.shipOrder).toMatchObject({ __typename: 'Order', status: 'SHIPPED' });
    const shipment = await db.selectFrom('shipments').select('id').where('order_id', '=', order.id).executeTakeFirstOrThrow();
    shipmentId = gid('Shipment', shipment.id);
  });
  afterAll(async () => { await t?.close(); });

  it('given a shipped order, when its buyer asks for the document, then it validates against the EPCIS 2.0 schema and tells the whole chain, its invoice included', async () => {
    const invoice = await t.gql(`query Invoice($id: ID!) { node(id: $id) { ... on Order { invoice { proForma number } } } }`, { id: gid('Order', order.id) }, w.as.buyer.token);
    expect(invoice.data.node.invoice).toEqual({ proForma: false, number: `INV-${String(order.id).padStart(6, '0')}` });
    const invoiceNumber = invoice.data.node.invoice.number as string;
    // when
    const res = await doc(w.as.buyer.token);
    // then
    expect(res.data.epcisDocument.__typename).toBe('EpcisExport');
    const d = res.data.epcisDocument.document as Doc;
    expect(res.data.epcisDocument.eventCount).toBe(d.epcisBody.eventList.length);
    expect(epcisProblems(d)).toEqual([]);
    expect(d).toMatchObject({ type: 'EPCISDocument', schemaVersion: '2.0' });
    expect(d['@context'][1]).toEqual({ brand: `https://id.lumbung.id/brands/${w.brand.id}/epcis/ns#` });
    const lotClass = (id: number) => `https://id.lumbung.id/brands/${w.brand.id}/epcis/lots/${id}`;

    const commissioning = events(d, 'ObjectEvent', 'commissioning');
    expect(commissioning.map((e) => e.quantityList)).toEqual([
      [{ epcClass: lotClass(lotA), quantity: 180, uom: 'KGM' }],
      [{ epcClass: lotClass(lotB), quantity: 120, uom: 'KGM' }],
    ]);
    expect(commissioning[0]).toMatchObject({ action: 'ADD', disposition: 'active', eventTimeZoneOffset: '+07:00' });
    expect(commissioning[0]!.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00$/);
    expect(commissioning[0]!.ilmd).toMatchObject({
      'brand:harvestStartDate': '2026-05-01', 'brand:harvestEndDate': '2026-06-30',
      'brand:productionPlots': [
        { '@id': `https://id.lumbung.id/brands/${w.brand.id}/epcis/plots/${plots[0]}`, 'brand:areaHa': '1.25' },
        { '@id': `https://id.lumbung.id/brands/${w.brand.id}/epcis/plots/${plots[1]}`, 'brand:areaHa': '0.8' },
      ].map((p) => expect.objectContaining({ '@id': p['@id'] })),
    });

    const inspections = events(d, 'ObjectEvent', 'inspecting');
    expect(inspections).toHaveLength(2);
    expect(inspections[0]).toMatchObject({
      action: 'OBSERVE', disposition: 'conformant', quantityList: [{ epcClass: lotClass(lotA) }],
      'brand:gradeCode': expect.any(String), 'brand:sniMoisturePct': '11.8', 'brand:sniFailedRequirements': [],
    });
    expect(inspections[0]!['brand:sniDefectValue']).toMatch(/^\d+(\.\d+)?$/);

    expect(events(d, 'TransactionEvent').map((e) => e.quantityList[0].quantity).sort()).toEqual([120, 180]);
    expect(events(d, 'TransformationEvent')).toEqual([]);

    const [loading] = events(d, 'AggregationEvent', 'loading');
    expect(loading).toMatchObject({
      action: 'ADD', parentID: 'urn:epc:id:bic:CSQU3054383', 'brand:sealNumber': 'ID-SEAL-0001', 'brand:bagCount': 5,
      childQuantityList: [{ epcClass: lotClass(lotA), quantity: 180, uom: 'KGM' }, { epcClass: lotClass(lotB), quantity: 120, uom: 'KGM' }],
    });

    const [shipping] = events(d, 'ObjectEvent', 'shipping');
    expect(shipping).toMatchObject({
      action: 'OBSERVE', disposition: 'in_transit', epcList: ['urn:epc:id:bic:CSQU3054383'],
      bizTransactionList: [
        { type: 'po', bizTransaction: `https://id.lumbung.id/brands/${w.brand.id}/epcis/orders/${order.id}` },
        { type: 'bol', bizTransaction: `https://id.lumbung.id/brands/${w.brand.id}/epcis/bills-of-lading/MEDUJK123456` },
        // the settlement invoice written when the order shipped (the same number the buyer reads on Order.invoice)
        { type: 'inv', bizTransaction: `https://id.lumbung.id/brands/${w.brand.id}/epcis/invoices/${invoiceNumber}` },
      ],
      sourceList: [expect.objectContaining({ type: 'owning_party' }), { type: 'location', source: expect.stringContaining('/unlocode/IDSUB') }],
      destinationList: [
        { type: 'owning_party', destination: `https://id.lumbung.id/brands/${w.brand.id}/epcis/parties/buyers/${w.buyerOrg.id}` },
        { type: 'location', destination: expect.stringContaining('/unlocode/EGALY') },
      ],
      'brand:departureDate': '2026-10-02',
    });
    expect(shipping).not.toHaveProperty('brand:ddsReferenceNumber');
    // events in time order
    const times = d.epcisBody.eventList.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('names producers only with their consent to export documents; the others are "Contributor n", and withdrawal takes the name out again', async () => {
    const db = t.database.db;
    const names = await db.selectFrom('producers').select(['id', 'display_name']).where('id', 'in', [w.producer.id, w.otherProducer.id]).execute();
    const nameOf = (id: number) => names.find((n) => n.id === id)!.display_name;
    const producers = async () => {
      const d = (await doc(w.as.buyer.token)).data.epcisDocument.document as Doc;
      expect(epcisProblems(d)).toEqual([]);
      return { labels: events(d, 'ObjectEvent', 'commissioning').map((e) => e.ilmd['brand:producer']), text: JSON.stringify(d) };
    };

    // given no consent: labels only, no names anywhere in the document
    const before = await producers();
    expect(before.labels).toEqual([expect.stringMatching(/^Contributor \d+$/), expect.stringMatching(/^Contributor \d+$/)]);
    expect(before.text).not.toContain(nameOf(w.producer.id));
    expect(before.text).not.toContain(nameOf(w.otherProducer.id));

    // when the first producer consents to export documents
    const given = await t.gql(GIVE_CONSENT, { input: { producerId: gid('Producer', w.producer.id), purpose: 'NAME_IN_EXPORT_DOCUMENTS' } }, w.as.producer.token);
    expect(given.data.giveConsent.__typename).toBe('ConsentEvent');
    const after = await producers();
    expect(after.labels).toEqual([nameOf(w.producer.id), before.labels[1]]);
    expect(after.text).not.toContain(nameOf(w.otherProducer.id));

    // consent to buyers only is not consent to export documents
    await t.gql(GIVE_CONSENT, { input: { producerId: gid('Producer', w.otherProducer.id), purpose: 'NAME_TO_BUYERS' } }, w.as.otherProducer.token);
    expect((await producers()).labels[1]).toBe(before.labels[1]);

    // when it is withdrawn, new documents carry the label again
    const withdrawn = await t.gql(WITHDRAW_CONSENT, { input: { producerId: gid('Producer', w.producer.id), purpose: 'NAME_IN_EXPORT_DOCUMENTS' } }, w.as.producer.token);
    expect(withdrawn.data.withdrawConsent.__typename).toBe('ConsentEvent');
    expect((await producers()).labels).toEqual(before.labels);
  });

  it('given the DDS numbers recorded, the shipping event carries them', async () => {
    const recorded = await t.gql(RECORD_DDS, { input: { shipmentId, referenceNumber: '26BE7XTVCZAQ2S', verificationNumber: 'XK29QL7A' } }, w.as.brandManager.token);
    expect(recorded.data.recordDdsNumbers.__typename).toBe('Shipment');
    const d = (await doc(w.as.buyer.token)).data.epcisDocument.document as Doc;
    expect(epcisProblems(d)).toEqual([]);
    expect(events(d, 'ObjectEvent', 'shipping')[0]).toMatchObject({ 'brand:ddsReferenceNumber': '26BE7XTVCZAQ2S', 'brand:ddsVerificationNumber': 'XK29QL7A' });
  });

  it('the download gives the same document as the query, as application/ld+json, for the buyer, the brand manager and an admin', async () => {
    const fromQuery = (await doc(w.as.buyer.token)).data.epcisDocument.document as Doc;
    for (const who of [w.as.buyer, w.as.brandManager, w.as.admin]) {
      const res = await download(who.token);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
      expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.jsonld"/);
      const body = res.json() as Doc;
      expect(epcisProblems(body)).toEqual([]);
      expect({ ...body, creationDate: null }).toEqual({ ...fromQuery, creationDate: null });
    }
    // the Shipment field gives it too
    const viaShipment = await t.gql(SHIPMENT_DOCUMENT, { id: shipmentId }, w.as.buyer.token);
    expect({ ...viaShipment.data.shipment.epcisDocument, creationDate: null }).toEqual({ ...fromQuery, creationDate: null });
  });

  it('another buyer, a producer, the other brand\'s manager and an unknown id all get the same "not found"; no token is 401', async () => {
    const unknown = gid('Shipment', 999_999_999);
    const notFound = await doc(w.as.otherBuyer.token, unknown);
    expect(notFound.data.epcisDocument).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    for (const who of [w.as.otherBuyer, w.as.producer, w.as.otherBrandManager, w.as.curator]) {
      const res = await doc(who.token);
      expect(res.data.epcisDocument).toEqual({ ...notFound.data.epcisDocument });
      const http = await download(who.token);
      expect(http.statusCode).toBe(404);
      expect(http.body).toBe((await download(who.token, unknown)).body);
    }
    expect((await download(w.as.buyer.token, 'not-an-id')).statusCode).toBe(404);
    expect((await download(w.as.buyer.token, gid('Order', order.id))).statusCode).toBe(404);
    expect((await download(null)).statusCode).toBe(401);
    expect((await download('garbage.token.here')).statusCode).toBe(401);
    expect((await doc(null)).data.epcisDocument).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    expect((await t.gql(DOCUMENT, { shipmentId: gid('Order', order.id) }, w.as.buyer.token)).data.epcisDocument)
      .toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'shipmentId' }] });
  });

  it('given a forward line delivered by a lot, when the order ships, then the document binds that lot to the order and validates', async () => {
    // given a commitment allocated to an order, then delivered as a declared, graded lot
    const db = t.database.db;
    const forwardProduct = await insertProduct(db, w.brand.id);
    await openCommitment(db, w.producer, forwardProduct, 120_000);
    const forward = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product: forwardProduct, placedBy: w.as.buyer.id, quantityG: 120_000 });
    const accepted = await t.gql(ACCEPT, {
      input: { orderId: gid('Order', forward.id), strategy: 'QUALITY_FIRST', constraints: { supply: 'FORWARD_ONLY' }, idempotencyKey: `epcis-fwd-${process.pid}` },
    }, w.as.brandManager.token);
    expect(accepted.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
    const line = await db.selectFrom('allocation_lines').select('id').where('order_id', '=', forward.id).executeTakeFirstOrThrow();
    const delivered = await declare(w.producer.id, [plots[0]!], '120', w.as.producer.token, forwardProduct);
    await assess(delivered);
    const fulfilled = await t.gql(FULFIL, {
      input: { lineId: gid('AllocationLine', line.id), lotId: gid('Lot', delivered), weight: '120', idempotencyKey: `epcis-fulfil-${process.pid}` },
    }, w.as.brandManager.token);
    expect(fulfilled.data.fulfilLine.__typename).not.toMatch(/Error$/);
    const shipped = await t.gql(SHIP, {
      input: {
        orderId: gid('Order', forward.id),
        shipment: {
          billOfLading: 'MEDUJK654321', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2026-10-09',
          containers: [{ containerNumber: 'CSQU3054383', sealNumber: 'ID-SEAL-0002', bagCount: 2, lots: [{ lotId: gid('Lot', delivered), weight: '120' }] }],
        },
      },
    }, w.as.brandManager.token);
    expect(shipped.data.shipOrder).toMatchObject({ __typename: 'Order', status: 'SHIPPED' });
    const shipment = await db.selectFrom('shipments').select('id').where('order_id', '=', forward.id).executeTakeFirstOrThrow();

    // when
    const d = (await doc(w.as.buyer.token, gid('Shipment', shipment.id))).data.epcisDocument.document as Doc;

    // then
    expect(epcisProblems(d)).toEqual([]);
    const [binding, ...more] = events(d, 'TransactionEvent');
    expect(more).toEqual([]);
    expect(binding).toMatchObject({
      action: 'ADD', 'brand:logEvent': 'FULFILLED',
      bizTransactionList: [{ type: 'po', bizTransaction: expect.stringMatching(new RegExp(`/orders/${forward.id}$`)) }],
      quantityList: [{ epcClass: expect.stringMatching(new RegExp(`/lots/${delivered}$`)), quantity: 120, uom: 'KGM' }],
    });
    expect(events(d, 'ObjectEvent', 'commissioning')).toHaveLength(1);
    expect(events(d, 'AggregationEvent', 'loading')[0]).toMatchObject({ 'brand:sealNumber': 'ID-SEAL-0002', 'brand:bagCount': 2 });
  });

  describe('brand identifiers', () => {
    it('the defaults apply until a manager sets them', async () => {
      const res = await t.gql(BRAND_IDENTIFIERS, { id: gid('Brand', w.brand.id) }, w.as.buyer.token);
      expect(res.data.node.epcisIdentifiers).toEqual({
        identifierDomain: null, baseUri: `https://id.lumbung.id/brands/${w.brand.id}/epcis`, gs1CompanyPrefix: null,
        identifierSyntax: 'URN', productGtins: [], updatedAt: null,
      });
    });

    it('bad settings are refused field by field, and nothing is written', async () => {
      const before = await countRows(t.database.db, 'epcis_brand_settings');
      const res = await t.gql(SET_IDENTIFIERS, {
        input: {
          brandId: gid('Brand', w.brand.id), identifierDomain: 'https://Javeast.id/', gs1CompanyPrefix: '12a45',
          identifierSyntax: 'DIGITAL_LINK', productGtins: [{ productId: gid('Product', w.otherProduct.id), gtin: '8991234000125' }],
        },
      }, w.as.brandManager.token);
      expect(res.data.setEpcisIdentifiers.__typename).toBe('ValidationError');
      expect(res.data.setEpcisIdentifiers.code).toBe('VALIDATION_FAILED');
      expect(res.data.setEpcisIdentifiers.issues.map((i: { path: string }) => i.path).sort()).toEqual(
        ['input.gs1CompanyPrefix', 'input.identifierDomain', 'input.productGtins.0.productId'].sort(),
      );
      const badGtin = await t.gql(SET_IDENTIFIERS, {
        input: { brandId: gid('Brand', w.brand.id), gs1CompanyPrefix: '8991234', productGtins: [{ productId: gid('Product', product.id), gtin: '8991234000125' }] },
      }, w.as.brandManager.token);
      expect(badGtin.data.setEpcisIdentifiers).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.productGtins.0.gtin', message: 'check digit should be 1' }] });
      const gtinWithoutPrefix = await t.gql(SET_IDENTIFIERS, {
        input: { brandId: gid('Brand', w.brand.id), productGtins: [{ productId: gid('Product', product.id), gtin: '8991234000121' }] },
      }, w.as.brandManager.token);
      expect(gtinWithoutPrefix.data.setEpcisIdentifiers).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.productGtins.0.gtin' }] });
      expect(await countRows(t.database.db, 'epcis_brand_settings')).toBe(before);
      expect(await countRows(t.database.db, 'epcis_product_gtins')).toBe(0);
    });

    it('only the brand\'s managers (and admins) set them; an unknown brand is not found', async () => {
      const input = { brandId: gid('Brand', w.brand.id), identifierDomain: 'javeast.id' };
      for (const who of [w.as.otherBrandManager, w.as.buyer, w.as.curator]) {
        const res = await t.gql(SET_IDENTIFIERS, { input }, who.token);
        expect(res.data.setEpcisIdentifiers).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      }
      const unknown = await t.gql(SET_IDENTIFIERS, { input: { ...input, brandId: gid('Brand', 999_999_999) } }, w.as.admin.token);
      expect(unknown.data.setEpcisIdentifiers).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
      expect(await countRows(t.database.db, 'epcis_brand_settings')).toBe(0);
    });

    it('with a GS1 company prefix and the product\'s GTIN, lots become LGTINs (or Digital Links) and the rest moves to the brand\'s domain', async () => {
      const set = async (syntax: 'URN' | 'DIGITAL_LINK') => {
        const res = await t.gql(SET_IDENTIFIERS, {
          input: {
            brandId: gid('Brand', w.brand.id), identifierDomain: 'javeast.id', gs1CompanyPrefix: '8991234', identifierSyntax: syntax,
            productGtins: [{ productId: gid('Product', product.id), gtin: '8991234000121' }],
          },
        }, w.as.brandManager.token);
        expect(res.data.setEpcisIdentifiers.__typename).toBe('EpcisIdentifiers');
        return res.data.setEpcisIdentifiers;
      };
      expect(await set('URN')).toMatchObject({
        identifierDomain: 'javeast.id', baseUri: 'https://javeast.id/epcis', gs1CompanyPrefix: '8991234', identifierSyntax: 'URN',
        productGtins: [{ gtin: '08991234000121', product: { id: gid('Product', product.id) } }],
      });
      let d = (await doc(w.as.buyer.token)).data.epcisDocument.document as Doc;
      expect(epcisProblems(d)).toEqual([]);
      expect(events(d, 'AggregationEvent')[0]!.childQuantityList.map((q: { epcClass: string }) => q.epcClass)).toEqual([
        `urn:epc:class:lgtin:8991234.000012.${lotA}`, `urn:epc:class:lgtin:8991234.000012.${lotB}`,
      ]);
      expect(d['@context'][1]).toEqual({ brand: 'https://javeast.id/epcis/ns#' });
      expect(events(d, 'ObjectEvent', 'shipping')[0]!.bizTransactionList[0].bizTransaction).toBe(`https://javeast.id/epcis/orders/${order.id}`);

      await set('DIGITAL_LINK');
      d = (await doc(w.as.buyer.token)).data.epcisDocument.document as Doc;
      expect(epcisProblems(d)).toEqual([]);
      expect(events(d, 'ObjectEvent', 'commissioning')[0]!.quantityList[0].epcClass).toBe(`https://id.gs1.org/01/08991234000121/10/${lotA}`);

      const read = await t.gql(BRAND_IDENTIFIERS, { id: gid('Brand', w.brand.id) }, w.as.buyer.token);
      expect(read.data.node.epcisIdentifiers).toMatchObject({ identifierSyntax: 'DIGITAL_LINK', productGtins: [{ gtin: '08991234000121' }] });
      expect(read.data.node.epcisIdentifiers.updatedAt).not.toBeNull();
    });
  });
});
