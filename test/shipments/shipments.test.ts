import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertPlot } from '../support/supply-fixtures.js';
import { changeOrderStatus } from '../../src/modules/orders/orders.service.js';
import { createOrderWorld, type OrderWorld, principalOf } from '../orders/fixtures.js';
import { fixture, fixtureGeometryText, orderInFulfilment, REGISTER_PLOT, registerPlotRaw, SHIP, shipmentFor, shippingCounts } from './fixtures.js';

const SHIPMENT = /* GraphQL */ `
  query Shipment($id: ID!) { shipment(id: $id) { id billOfLading ddsReferenceNumber ddsVerificationNumber order { id } } }`;
const SHIPMENTS = /* GraphQL */ `query Shipments { shipments(first: 100) { edges { node { id } } } }`;
const PACKAGE = /* GraphQL */ `
  query Package($id: ID!) {
    eudrPackage(shipmentId: $id) {
      __typename
      ... on EudrPackage {
        internalReference activityType complete productionStart productionEnd countryOfProduction regionsOfProduction
        supplierBrand supplierCooperatives customerName customerCountry ddsReferenceNumber
        commodities { hsHeading description netWeightKg producers { position country name nameDisclosed geolocation } }
        blockers { kind lotId plotId lineId rule message }
      }
      ${ERROR_FIELDS}
    }
  }`;
const DDS = /* GraphQL */ `
  mutation Dds($input: RecordDdsNumbersInput!) {
    recordDdsNumbers(input: $input) { __typename ... on Shipment { ddsReferenceNumber ddsVerificationNumber ddsRecordedAt } ${ERROR_FIELDS} }
  }`;
const TRACE = /* GraphQL */ `
  query Trace($id: ID!) {
    orderTrace(orderId: $id) {
      __typename
      ... on OrderTrace { lines { contributor { label displayName nameDisclosed } } shipment { ddsReferenceNumber ddsVerificationNumber } }
      ${ERROR_FIELDS}
    }
  }`;
const GIVE = /* GraphQL */ `
  mutation Give($input: ConsentChangeInput!) { giveConsent(input: $input) { __typename ... on ConsentEvent { purpose action givenBy evidence at } ${ERROR_FIELDS} } }`;
const WITHDRAW = /* GraphQL */ `
  mutation Withdraw($input: ConsentChangeInput!) { withdrawConsent(input: $input) { __typename ... on ConsentEvent { purpose action givenBy } ${ERROR_FIELDS} } }`;
const CONSENT = /* GraphQL */ `
  query Consent($id: ID!) { node(id: $id) { ... on Producer { consent { states { purpose given } events { purpose action givenBy actor evidence at } } } } }`;
const ASSESS = /* GraphQL */ `
  mutation Assess($input: RecordDeforestationAssessmentInput!) {
    recordDeforestationAssessment(input: $input) { __typename ... on DeforestationAssessment { result landUseAtCutoff evidenceRefs } ${ERROR_FIELDS} }
  }`;

describe('export papers', () => {
  let t: TestApp;
  let w: OrderWorld;
  /** w.producer's plots registered from the EU fixtures (point 1.2 ha, polygon 25.1 ha); w.otherProducer's point plot. */
  let pointPlotId: string;
  let polygonPlotId: string;
  let otherPlot: Row<'plots'>;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
    const register = async (name: string, areaHa: string) => {
      const geometry = fixture(name).features[0]!.geometry;
      const res = await t.gql(REGISTER_PLOT, {
        input: { producerId: gid('Producer', w.producer.id), name, areaHa, altitudeM: 1200, geolocation: geometry },
      }, w.as.producer.token);
      expect(res.data.registerPlot, JSON.stringify(res.data.registerPlot)).toMatchObject({ __typename: 'Plot', eudrReady: true });
      return res.data.registerPlot.id as string;
    };
    pointPlotId = await register('valid/point-under-4ha.geojson', '1.2');
    // The polygon fixture writes 6.348210: sent as written, its trailing zeros count (platform/json-source.ts).
    const polygon = await registerPlotRaw(t, w.as.producer.token, gid('Producer', w.producer.id),
      fixtureGeometryText('valid/polygon-over-4ha.geojson'), '25.1', 'valid/polygon-over-4ha.geojson');
    expect(polygon, JSON.stringify(polygon)).toMatchObject({ __typename: 'Plot', eudrReady: true });
    polygonPlotId = polygon.id as string;
    otherPlot = await insertPlot(t.database.db, w.otherProducer.id, { name: 'Kebun Jember' });
  });
  afterAll(async () => { await t?.close(); });

  const plotNumber = (id: string) => Number(Buffer.from(id, 'base64').toString().split(':')[1]);
  const twoSupplierOrder = () =>
    orderInFulfilment(t, w, [
      { producer: w.producer, plotIds: [plotNumber(pointPlotId), plotNumber(polygonPlotId)] },
      { producer: w.otherProducer, plotIds: [otherPlot.id] },
    ]);
  const ship = (orderId: number, shipment: unknown, token = w.as.brandManager.token) =>
    t.gql(SHIP, { input: { orderId: gid('Order', orderId), shipment } }, token);

  describe('shipOrder records the shipment', () => {
    it('given an order in fulfilment, when the manager ships it with a container, then the order is SHIPPED with its papers', async () => {
      const { order, lots } = await twoSupplierOrder();
      const res = await ship(order.id, shipmentFor(lots, { containers: [{ ...shipmentFor(lots).containers[0], containerNumber: 'csqu 305438-3' }] }));
      expect(res.data.shipOrder).toMatchObject({
        __typename: 'Order', status: 'SHIPPED',
        shipment: {
          billOfLading: 'MEDUSB123456', portOfLoading: 'IDSUB', portOfDischarge: 'EGALY', departureDate: '2027-06-15',
          containers: [{
            containerNumber: 'CSQU3054383', sealNumber: 'SL-000917', bagCount: 20, loadedWeight: '1200',
            lots: lots.map((l) => ({ lotId: gid('Lot', l.id), weight: '600' })),
          }],
        },
      });
      expect(res.data.shipOrder.shipment.internalReference).toMatch(/^LUMBUNG-S\d+-O\d+$/);
    });

    it('given the lots split over two containers, when shipped, then each container keeps its own lots and seal', async () => {
      const { order, lots } = await twoSupplierOrder();
      const [a, b] = lots as [Row<'lots'>, Row<'lots'>];
      const res = await ship(order.id, shipmentFor(lots, {
        containers: [
          { containerNumber: 'CSQU3054383', sealNumber: 'S1', bagCount: 15, lots: [{ lotId: gid('Lot', a.id), weight: '600' }, { lotId: gid('Lot', b.id), weight: '300' }] },
          { containerNumber: 'MSKU1234565', sealNumber: 'S2', bagCount: 5, lots: [{ lotId: gid('Lot', b.id), weight: '300' }] },
        ],
      }));
      expect(res.data.shipOrder.status).toBe('SHIPPED');
      expect(res.data.shipOrder.shipment.containers.map((c: { sealNumber: string; loadedWeight: string }) => [c.sealNumber, c.loadedWeight]))
        .toEqual([['S1', '900'], ['S2', '300']]);
    });

    it('given a domestic order, when shipped without a shipment, then it ships (papers are for exports)', async () => {
      const { order } = await twoSupplierOrder();
      await t.database.db.updateTable('orders').set({ destination_country: 'ID' }).where('id', '=', order.id).execute();
      const res = await ship(order.id, null);
      expect(res.data.shipOrder).toMatchObject({ __typename: 'Order', status: 'SHIPPED', shipment: null });
    });
  });

  describe('shipOrder refusals write nothing', () => {
    const refused = async (shipment: (lots: Row<'lots'>[]) => unknown) => {
      const { order, lots } = await twoSupplierOrder();
      const before = await shippingCounts(t, order.id);
      const res = await ship(order.id, shipment(lots));
      expect(await shippingCounts(t, order.id)).toEqual(before);
      expect(before).toMatchObject({ status: 'IN_FULFILLMENT', shipments: 0, shippedEvents: 0 });
      return { res: res.data.shipOrder, lots };
    };

    it('given an export order without a shipment, then ValidationError names input.shipment', async () => {
      const { res } = await refused(() => null);
      expect(res).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', issues: [{ path: 'input.shipment' }] });
    });

    it.each([
      ['a wrong ISO 6346 check digit', { containerNumber: 'CSQU3054384' }, 'input.shipment.containers.0.containerNumber', /check digit 4 but ISO 6346 gives 3/],
      ['a malformed container number', { containerNumber: 'CSQ3054383' }, 'input.shipment.containers.0.containerNumber', /ISO 6346/],
      ['bags that do not hold the weight', { bagCount: 19 }, 'input.shipment.containers.0.bagCount', /19 bags of 60 kg do not hold the 1,200 kg/],
      ['too many bags for the weight', { bagCount: 21 }, 'input.shipment.containers.0.bagCount', /needs 20 bags/],
      ['an empty seal', { sealNumber: ' ' }, 'input.shipment.containers.0.sealNumber', /must not be empty/],
    ])('given %s, then ValidationError names the field', async (_name, container, path, message) => {
      const { res } = await refused((lots) => {
        const s = shipmentFor(lots);
        return { ...s, containers: [{ ...s.containers[0], ...container }] };
      });
      expect(res.__typename).toBe('ValidationError');
      expect(res.issues).toEqual([{ path, message: expect.stringMatching(message) }]);
    });

    it.each([
      ['a port that is not a UN/LOCODE', { portOfLoading: 'SURABAYA' }, 'input.shipment.portOfLoading'],
      ['the same port twice', { portOfDischarge: 'IDSUB' }, 'input.shipment.portOfDischarge'],
      ['an empty bill of lading', { billOfLading: '' }, 'input.shipment.billOfLading'],
      ['no containers', { containers: [] }, 'input.shipment.containers'],
    ])('given %s, then ValidationError names the field', async (_name, over, path) => {
      const { res } = await refused((lots) => shipmentFor(lots, over));
      expect(res.__typename).toBe('ValidationError');
      expect(res.issues.map((i: { path: string }) => i.path)).toContain(path);
    });

    it('given a departure date that does not exist, then the Date scalar refuses the request and nothing is written', async () => {
      const { order, lots } = await twoSupplierOrder();
      const res = await ship(order.id, shipmentFor(lots, { departureDate: '2027-02-30' }));
      expect(res.statusCode).toBe(400);
      expect(res.errors?.[0]?.message).toMatch(/departureDate/);
      expect(await shippingCounts(t, order.id)).toMatchObject({ status: 'IN_FULFILLMENT', shipments: 0, shippedEvents: 0 });
    });

    it('given a loaded weight that differs from a lot\'s shipped lines, then LoadedWeightMismatchError names the lot and both weights', async () => {
      const { res, lots } = await refused((l) => {
        const s = shipmentFor(l);
        const [first, second] = s.containers[0]!.lots;
        return { ...s, containers: [{ ...s.containers[0], bagCount: 20, lots: [{ ...first, weight: '590' }, second] }] };
      });
      expect(res).toMatchObject({
        __typename: 'LoadedWeightMismatchError', code: 'LOADED_WEIGHT_MISMATCH',
        lots: [{ lotId: gid('Lot', lots[0]!.id), loadedWeight: '590', shippedWeight: '600' }],
      });
      expect(res.message).toContain(`lot ${lots[0]!.id}: 590 kg loaded, the order ships 600 kg`);
    });

    it('given a lot the order does not ship, then the mismatch names it with shipped weight 0', async () => {
      const other = await orderInFulfilment(t, w, [{ producer: w.producer, plotIds: [] }]);
      const { res } = await refused((lots) => {
        const s = shipmentFor(lots);
        return { ...s, containers: [{ ...s.containers[0], bagCount: 30, lots: [...s.containers[0]!.lots, { lotId: gid('Lot', other.lots[0]!.id), weight: '600' }] }] };
      });
      expect(res.__typename).toBe('LoadedWeightMismatchError');
      expect(res.lots).toEqual([{ lotId: gid('Lot', other.lots[0]!.id), loadedWeight: '600', shippedWeight: '0' }]);
    });

    it('given an export order shipped by any other path (the orders service), then the shipments hook refuses it', async () => {
      const { order } = await twoSupplierOrder();
      const manager = await principalOf(t.database.db, w.as.brandManager.id);
      await expect(changeOrderStatus(t.database.db, manager, 'SHIPPED', { orderId: order.id })).rejects.toMatchObject({
        code: 'INVALID_TRANSITION', message: 'An export order ships with its shipment papers (shipOrder with input.shipment)',
      });
      expect(await shippingCounts(t, order.id)).toMatchObject({ status: 'IN_FULFILLMENT', shipments: 0, shippedEvents: 0 });
    });

    it('given the buyer or another brand\'s manager, then ForbiddenError / NotFoundError and nothing is written', async () => {
      const { order, lots } = await twoSupplierOrder();
      expect((await ship(order.id, shipmentFor(lots), w.as.buyer.token)).data.shipOrder.__typename).toBe('ForbiddenError');
      expect((await ship(order.id, shipmentFor(lots), w.as.otherBrandManager.token)).data.shipOrder.__typename).toBe('NotFoundError');
      expect(await shippingCounts(t, order.id)).toMatchObject({ status: 'IN_FULFILLMENT', shipments: 0, shippedEvents: 0 });
    });
  });

  describe('a shipped container: consent, deforestation evidence, the package, DDS numbers', () => {
    let order: Row<'orders'>;
    let lots: Row<'lots'>[];
    let shipmentId: string;
    beforeAll(async () => {
      ({ order, lots } = await twoSupplierOrder());
      const res = await ship(order.id, shipmentFor(lots));
      expect(res.data.shipOrder.status).toBe('SHIPPED');
      shipmentId = res.data.shipOrder.shipment.id;
    });
    const pkg = async (token = w.as.buyer.token) => (await t.gql(PACKAGE, { id: shipmentId }, token)).data.eudrPackage;
    const trace = async (token = w.as.buyer.token) => (await t.gql(TRACE, { id: gid('Order', order.id) }, token)).data.orderTrace;

    it('the buyer sees their shipment; another buyer sees it as not found, exactly like an id that does not exist', async () => {
      expect((await t.gql(SHIPMENT, { id: shipmentId }, w.as.buyer.token)).data.shipment).toMatchObject({ id: shipmentId, order: { id: gid('Order', order.id) } });
      const mine = (await t.gql(SHIPMENTS, {}, w.as.buyer.token)).data.shipments.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(mine).toContain(shipmentId);
      expect((await t.gql(SHIPMENTS, {}, w.as.otherBuyer.token)).data.shipments.edges).toEqual([]);
      const foreign = await t.gql(PACKAGE, { id: shipmentId }, w.as.otherBuyer.token);
      const missing = await t.gql(PACKAGE, { id: gid('Shipment', 999_999) }, w.as.otherBuyer.token);
      expect(foreign.data.eudrPackage).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Shipment not found (shipmentId)', path: 'shipmentId' });
      expect(missing.data.eudrPackage).toEqual(foreign.data.eudrPackage);
      for (const role of ['producer', 'curator', 'coopManager'] as const) {
        expect((await t.gql(PACKAGE, { id: shipmentId }, w.as[role].token)).data.eudrPackage.__typename).toBe('NotFoundError');
      }
    });

    it('before any assessment, the package is incomplete and lists every plot without a deforestation assessment', async () => {
      const p = await pkg();
      expect(p).toMatchObject({
        __typename: 'EudrPackage', activityType: 'IMPORT', complete: false, countryOfProduction: 'ID', customerCountry: 'EG',
        productionStart: '2026-06-01', productionEnd: '2026-08-31', supplierBrand: w.brand.name, ddsReferenceNumber: null,
      });
      expect(p.supplierCooperatives).toEqual([w.coop.name, w.otherCoop.name].sort());
      expect(p.commodities).toHaveLength(1);
      expect(p.commodities[0]).toMatchObject({ hsHeading: '090111', netWeightKg: '1200.000000' });
      expect(p.blockers.map((b: { kind: string; plotId: string }) => [b.kind, b.plotId]).sort()).toEqual(
        [pointPlotId, polygonPlotId, gid('Plot', otherPlot.id)].map((id) => ['PLOT_NOT_ASSESSED', id]).sort(),
      );
    });

    it('without consent the package and the buyer\'s trace show "Contributor n"; the brand manager sees names in the trace', async () => {
      const p = await pkg();
      const producers = p.commodities[0].producers;
      expect(producers.map((x: { name: string; nameDisclosed: boolean }) => [x.name, x.nameDisclosed])).toEqual([['Contributor 1', false], ['Contributor 2', false]]);
      expect(JSON.stringify(p)).not.toContain(w.producer.display_name);
      const tr = await trace();
      expect(tr.lines.map((l: { contributor: { displayName: string; label: string } }) => l.contributor.displayName === l.contributor.label)).toEqual([true, true]);
      expect(JSON.stringify(tr)).not.toContain(w.producer.display_name);
      const managers = await trace(w.as.brandManager.token);
      expect(managers.lines.map((l: { contributor: { displayName: string } }) => l.contributor.displayName).sort())
        .toEqual([w.producer.display_name, w.otherProducer.display_name].sort());
    });

    it('the plots go out as the EU system reads them: 6 decimals, ProductionPlace and a numeric Area', async () => {
      const p = await pkg();
      const features = p.commodities[0].producers.flatMap((x: { geolocation: { features: unknown[] } }) => x.geolocation.features);
      const point = fixture('valid/point-under-4ha.geojson').features[0]!.geometry;
      expect(features).toContainEqual({
        type: 'Feature', geometry: point,
        properties: { ProducerName: expect.stringMatching(/^Contributor \d$/), ProducerCountry: 'ID', ProductionPlace: 'Sukorejo, Sumberwringin, Bondowoso', Area: 1.2 },
      });
      const polygon = features.find((f: { properties: { Area: number } }) => f.properties.Area === 25.1);
      expect(polygon.geometry).toEqual(fixture('valid/polygon-over-4ha.geojson').features[0]!.geometry);
    });

    it('consent: the producer gives it themself; the cooperative manager only with evidence; others may not; each change is an event', async () => {
      const producerId = gid('Producer', w.producer.id);
      const before = await t.database.db.selectFrom('consent_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      const noEvidence = await t.gql(GIVE, { input: { producerId, purpose: 'NAME_IN_EXPORT_DOCUMENTS' } }, w.as.coopManager.token);
      expect(noEvidence.data.giveConsent).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.evidence' }] });
      const otherCoop = await t.gql(GIVE, { input: { producerId, purpose: 'NAME_TO_BUYERS', evidence: 'form' } }, w.as.otherCoopManager.token);
      // Another cooperative's manager may not see the producer: answered as for an unknown producer.
      expect(otherCoop.data.giveConsent).toMatchObject({ __typename: 'NotFoundError', path: 'input.producerId' });
      const buyer = await t.gql(GIVE, { input: { producerId, purpose: 'NAME_TO_BUYERS' } }, w.as.buyer.token);
      expect(buyer.data.giveConsent.__typename).toBe('ForbiddenError');
      const notGiven = await t.gql(WITHDRAW, { input: { producerId, purpose: 'NAME_TO_BUYERS' } }, w.as.producer.token);
      expect(notGiven.data.withdrawConsent).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
      const after = await t.database.db.selectFrom('consent_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));

      const own = await t.gql(GIVE, { input: { producerId, purpose: 'NAME_TO_BUYERS' } }, w.as.producer.token);
      expect(own.data.giveConsent).toMatchObject({ __typename: 'ConsentEvent', purpose: 'NAME_TO_BUYERS', action: 'GIVEN', givenBy: 'PRODUCER', evidence: null });
      const coop = await t.gql(GIVE, {
        input: { producerId, purpose: 'NAME_IN_EXPORT_DOCUMENTS', evidence: 'Signed consent form KOP-17/2026, 2026-11-30' },
      }, w.as.coopManager.token);
      expect(coop.data.giveConsent).toMatchObject({ __typename: 'ConsentEvent', action: 'GIVEN', givenBy: 'COOPERATIVE_MANAGER', evidence: 'Signed consent form KOP-17/2026, 2026-11-30' });

      const history = await t.gql(CONSENT, { id: producerId }, w.as.coopManager.token);
      expect(history.data.node.consent.states).toEqual([{ purpose: 'NAME_TO_BUYERS', given: true }, { purpose: 'NAME_IN_EXPORT_DOCUMENTS', given: true }]);
      expect(history.data.node.consent.events.map((e: { purpose: string; givenBy: string }) => [e.purpose, e.givenBy]))
        .toEqual([['NAME_TO_BUYERS', 'PRODUCER'], ['NAME_IN_EXPORT_DOCUMENTS', 'COOPERATIVE_MANAGER']]);
    });

    it('with consent, the buyer\'s trace and the package carry the name of that producer only', async () => {
      const tr = await trace();
      const shown = tr.lines.map((l: { contributor: { displayName: string; nameDisclosed: boolean } }) => [l.contributor.displayName, l.contributor.nameDisclosed]);
      expect(shown).toContainEqual([w.producer.display_name, true]);
      expect(JSON.stringify(tr)).not.toContain(w.otherProducer.display_name);
      const names = (await pkg()).commodities[0].producers.map((x: { name: string }) => x.name);
      expect(names).toContain(w.producer.display_name);
      expect(names).not.toContain(w.otherProducer.display_name);
    });

    it('after withdrawal, new packages carry the label again', async () => {
      const res = await t.gql(WITHDRAW, { input: { producerId: gid('Producer', w.producer.id), purpose: 'NAME_IN_EXPORT_DOCUMENTS' } }, w.as.producer.token);
      expect(res.data.withdrawConsent).toMatchObject({ __typename: 'ConsentEvent', action: 'WITHDRAWN', givenBy: 'PRODUCER' });
      expect(JSON.stringify(await pkg())).not.toContain(w.producer.display_name);
      // The trace consent (NAME_TO_BUYERS) is a separate purpose and stays.
      expect(JSON.stringify(await trace())).toContain(w.producer.display_name);
    });

    it('deforestation evidence: only the brand\'s curators and managers record it; bad input names the field; nothing written', async () => {
      const count = async () => Number((await t.database.db.selectFrom('plot_deforestation_assessments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const input = { plotId: pointPlotId, landUseAtCutoff: 'COFFEE_AGROFORESTRY', result: 'NEGLIGIBLE_RISK', evidenceRefs: ['Sentinel-2 L2A 2020-12-28 T49MFM'] };
      expect((await t.gql(ASSESS, { input }, w.as.producer.token)).data.recordDeforestationAssessment.__typename).toBe('ForbiddenError');
      expect((await t.gql(ASSESS, { input }, w.as.coopManager.token)).data.recordDeforestationAssessment.__typename).toBe('ForbiddenError');
      expect((await t.gql(ASSESS, { input }, w.as.otherBrandCurator.token)).data.recordDeforestationAssessment.__typename).toBe('NotFoundError');
      expect((await t.gql(ASSESS, { input }, w.as.buyer.token)).data.recordDeforestationAssessment.__typename).toBe('ForbiddenError');
      const noEvidence = await t.gql(ASSESS, { input: { ...input, evidenceRefs: [] } }, w.as.curator.token);
      expect(noEvidence.data.recordDeforestationAssessment).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.evidenceRefs' }] });
      const forest = await t.gql(ASSESS, { input: { ...input, landUseAtCutoff: 'FOREST' } }, w.as.brandManager.token);
      expect(forest.data.recordDeforestationAssessment).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.result', message: expect.stringContaining('2020-12-31') }] });
      expect(await count()).toBe(before);

      const ok = await t.gql(ASSESS, { input }, w.as.curator.token);
      expect(ok.data.recordDeforestationAssessment).toMatchObject({ __typename: 'DeforestationAssessment', result: 'NEGLIGIBLE_RISK', evidenceRefs: input.evidenceRefs });
      expect(await count()).toBe(before + 1);
    });

    it('a high-risk plot blocks the package until a re-assessment; with every plot negligible it is complete', async () => {
      const assess = (plotId: string, result: string) =>
        t.gql(ASSESS, { input: { plotId, landUseAtCutoff: 'COFFEE_PLANTATION', result, evidenceRefs: ['Field visit 2026-10-02'] } }, w.as.brandManager.token);
      expect((await assess(polygonPlotId, 'HIGH_RISK')).data.recordDeforestationAssessment.result).toBe('HIGH_RISK');
      expect((await assess(gid('Plot', otherPlot.id), 'NEEDS_REVIEW')).data.recordDeforestationAssessment.result).toBe('NEEDS_REVIEW');
      let p = await pkg();
      expect(p.complete).toBe(false);
      expect(p.blockers.map((b: { kind: string; plotId: string }) => [b.kind, b.plotId])).toEqual([
        ['PLOT_HIGH_RISK', polygonPlotId], ['PLOT_NEEDS_REVIEW', gid('Plot', otherPlot.id)],
      ]);
      await assess(polygonPlotId, 'NEGLIGIBLE_RISK');
      await assess(gid('Plot', otherPlot.id), 'NEGLIGIBLE_RISK');
      p = await pkg();
      expect(p).toMatchObject({ complete: true, blockers: [] });
    });

    it('DDS numbers: format-checked, recorded by the brand manager only, then shown on the shipment, the trace and the package', async () => {
      const dds = (input: Record<string, unknown>, token = w.as.brandManager.token) =>
        t.gql(DDS, { input: { shipmentId, referenceNumber: '26BE7XTVCZAQ2S', verificationNumber: 'H6ORMNTX', ...input } }, token);
      const badRef = await dds({ referenceNumber: '26BE7XTVCZAQ2' });
      expect(badRef.data.recordDdsNumbers).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.referenceNumber' }] });
      const badVer = await dds({ verificationNumber: 'H6OR' });
      expect(badVer.data.recordDdsNumbers).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.verificationNumber' }] });
      expect((await dds({}, w.as.buyer.token)).data.recordDdsNumbers.__typename).toBe('ForbiddenError');
      expect((await dds({}, w.as.otherBrandManager.token)).data.recordDdsNumbers.__typename).toBe('NotFoundError');
      expect((await t.gql(SHIPMENT, { id: shipmentId }, w.as.buyer.token)).data.shipment.ddsReferenceNumber).toBeNull();

      const ok = await dds({ referenceNumber: '26be7xtvczaq2s' });
      expect(ok.data.recordDdsNumbers).toMatchObject({ __typename: 'Shipment', ddsReferenceNumber: '26BE7XTVCZAQ2S', ddsVerificationNumber: 'H6ORMNTX' });
      expect((await t.gql(SHIPMENT, { id: shipmentId }, w.as.buyer.token)).data.shipment).toMatchObject({ ddsReferenceNumber: '26BE7XTVCZAQ2S', ddsVerificationNumber: 'H6ORMNTX' });
      expect((await trace()).shipment).toEqual({ ddsReferenceNumber: '26BE7XTVCZAQ2S', ddsVerificationNumber: 'H6ORMNTX' });
      expect((await pkg()).ddsReferenceNumber).toBe('26BE7XTVCZAQ2S');
    });

    it('downloads: eudr.json and eudr.geojson with the buyer\'s token; 401 without one; 404 for another buyer as for a missing id', async () => {
      const get = (path: string, token?: string) =>
        t.app.inject({ method: 'GET', url: path, headers: token ? { authorization: `Bearer ${token}` } : {} });
      const json = await get(`/exports/shipments/${shipmentId}/eudr.json`, w.as.buyer.token);
      expect(json.statusCode).toBe(200);
      expect(json.headers['content-disposition']).toMatch(/attachment; filename="LUMBUNG-S\d+-O\d+\.eudr\.json"/);
      const body = json.json();
      expect(body.statement).toMatchObject({ activityType: 'IMPORT', geoLocationConfidential: false, commodities: [{ hsHeading: '090111' }] });
      expect(body.complete).toBe(true);
      expect(body.statement.commodities[0].producers[0].geometryGeojsonBase64).toEqual(expect.any(String));

      const geo = await get(`/exports/shipments/${shipmentId}/eudr.geojson`, w.as.buyer.token);
      expect(geo.statusCode).toBe(200);
      expect(geo.headers['content-type']).toMatch(/application\/geo\+json/);
      expect(geo.json()).toMatchObject({ type: 'FeatureCollection' });
      expect(geo.json().features).toHaveLength(3);

      expect((await get(`/exports/shipments/${shipmentId}/eudr.json`)).statusCode).toBe(401);
      const foreign = await get(`/exports/shipments/${shipmentId}/eudr.json`, w.as.otherBuyer.token);
      const missing = await get(`/exports/shipments/${gid('Shipment', 999_999)}/eudr.json`, w.as.otherBuyer.token);
      const garbage = await get('/exports/shipments/not-an-id/eudr.geojson', w.as.otherBuyer.token);
      expect(foreign.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(garbage.statusCode).toBe(404);
      expect(foreign.json()).toEqual(missing.json());
    });
  });

  describe('coffee of unknown origin', () => {
    it('given a lot without plots in the shipment, then the package is incomplete and names that lot', async () => {
      const { order, lots } = await orderInFulfilment(t, w, [{ producer: w.otherProducer, plotIds: [] }]);
      const res = await ship(order.id, shipmentFor(lots));
      expect(res.data.shipOrder.status).toBe('SHIPPED');
      const p = (await t.gql(PACKAGE, { id: res.data.shipOrder.shipment.id }, w.as.buyer.token)).data.eudrPackage;
      expect(p.complete).toBe(false);
      expect(p.blockers).toEqual([{
        kind: 'UNKNOWN_ORIGIN', lotId: gid('Lot', lots[0]!.id), plotId: null, lineId: null, rule: null,
        message: `600 kg of lot ${lots[0]!.id} (Contributor 1) has no plot of origin`,
      }]);
    });
  });
});
