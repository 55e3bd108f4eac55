import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { type Actor, ERROR_FIELDS, gid, insertPlot, POLYGON_5HA } from '../support/supply-fixtures.js';
import { createOrderWorld, insertSupplier, type OrderWorld } from '../orders/fixtures.js';
import {
  acceptedOrder, freshProduct, GRADE3, gradedLot, newKey, openCommitment, RECORD_ASSESSMENT,
} from '../fulfilment/fixtures.js';

const TRACE_FIELDS = /* GraphQL */ `
  order { id status uncoveredWeight }
  lines {
    lineId kind status weight fulfilledWeight grade { code rank } regency replacesLineId createdAt
    contributor { label displayName village district regency }
    commitment { windowStart windowEnd minGrade { code rank } regency }
    lots {
      lotId weight fulfilmentStatus harvestStart harvestEnd process regency grade { code rank } offGrade eudrReady
      plots { geolocation areaHa altitudeM eudrReady }
      assessments { assessedAt grade { code } offGrade defectValue moisturePct cuppingScore }
      producer { label displayName village district regency }
    }
  }
  events { kind at weight lineId summary contributor { label } }
  dueDiligence {
    productName commodity species process form supplier customer destinationCountry netMassAllocated netMassFulfilled uncovered
    unknownOrigin country regions productionStart productionEnd plotCount plotsEudrReady allPlotsGeolocated eudrCompliant deforestationCutOff
  }`;

const TRACE = /* GraphQL */ `
  query Trace($id: ID!) { orderTrace(orderId: $id) { __typename ... on OrderTrace { ${TRACE_FIELDS} } ${ERROR_FIELDS} } }`;
const TRACE_PRODUCER_IDS = /* GraphQL */ `
  query TraceIds($id: ID!) { orderTrace(orderId: $id) { __typename ... on OrderTrace { lines { contributor { label producerId } } } } }`;
const FULFIL = /* GraphQL */ `
  mutation FulfilLine($input: FulfilLineInput!) { fulfilLine(input: $input) { __typename ${ERROR_FIELDS} } }`;
const DECLARE = /* GraphQL */ `
  mutation DeclareShortfall($input: DeclareShortfallInput!) { declareShortfall(input: $input) { __typename ... on DeclareShortfallPayload { uncovered } ${ERROR_FIELDS} } }`;
const MY_LINES = /* GraphQL */ `
  query MyLines {
    myAllocationLines(first: 50) { edges { node {
      id kind status weight fulfilledWeight remainingWeight
      orderSummary { orderId product { id } minGrade { code } windowStart windowEnd status }
      fulfilments { weight status lot { id } }
    } } }
  }`;
const MY_LINE_FULFILMENTS_AS_BUYER = /* GraphQL */ `
  query BuyerLines($id: ID!) { order(id: $id) { lines { remainingWeight fulfilments { weight } } } }`;

const ASSESS = (cupping: string) => ({
  defectCounts: [{ defect: 'BROKEN_BEAN', count: 5 }], moisturePct: '11.5', foreignMatterPct: '0.1', liveInsects: false, foulOdour: false,
  cuppingScore: cupping,
});

describe('orderTrace: order → lines → lots → plots, producers, assessments; EUDR summary', () => {
  let t: TestApp;
  let w: OrderWorld;
  let product: Row<'products'>;
  let order: Row<'orders'>;
  let lines: Row<'allocation_lines'>[];
  let forwardLine: Row<'allocation_lines'>;
  let delivered: Row<'lots'>;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createOrderWorld(t);
    const db = t.database.db;
    product = await freshProduct(t, w);
    const a1 = await gradedLot(db, w.producer, product, 300_000, { plots: 2, harvestStart: '2026-05-01', harvestEnd: '2026-07-31' });
    const b1 = await gradedLot(db, w.otherProducer, product, 300_000, { harvestStart: '2026-06-01', harvestEnd: '2026-08-31' });
    await db.updateTable('plots').set({ geometry: JSON.stringify(POLYGON_5HA), area_ha: '5.0000' })
      .where('id', '=', (await db.selectFrom('lot_plots').select('plot_id').where('lot_id', '=', b1.id).executeTakeFirstOrThrow()).plot_id).execute();
    for (const [lotId, cupping] of [[a1.id, '84.50'], [b1.id, '82.25']] as const) {
      const res = await t.gql(RECORD_ASSESSMENT, { input: { lotId: gid('Lot', lotId), ...ASSESS(cupping) } }, w.as.curator.token);
      expect(res.data.recordAssessment.__typename).toBe('Assessment');
    }
    await openCommitment(db, w.producer, product, 300_000);
    ({ order, lines } = await acceptedOrder(t, w, product, { quantityG: 900_000, minGrade: GRADE3 }));
    expect(lines).toHaveLength(3);
    forwardLine = lines.find((l) => l.commitment_id !== null)!;
    delivered = await gradedLot(db, w.producer, product, 500_000, { harvestStart: '2026-04-15', harvestEnd: '2026-09-10' });
  });
  afterAll(async () => { await t?.close(); });

  const trace = (actor: Actor | null, orderId = order.id) => t.gql(TRACE, { id: gid('Order', orderId) }, actor?.token ?? null);

  describe('before the forward line is delivered', () => {
    it('the buyer sees the tree; the forward line is of unknown origin, so the order is not EUDR-compliant yet', async () => {
      const res = await trace(w.as.buyer);
      expect(res.errors).toBeUndefined();
      const tr = res.data.orderTrace;
      expect(tr.__typename).toBe('OrderTrace');
      const forward = tr.lines.find((l: { kind: string }) => l.kind === 'FORWARD');
      expect(forward).toMatchObject({
        weight: '300', fulfilledWeight: '0', lots: [],
        commitment: { minGrade: { code: '1', rank: 1 }, regency: 'Bondowoso', windowStart: expect.any(String) },
      });
      expect(tr.dueDiligence).toMatchObject({
        netMassAllocated: '900', netMassFulfilled: '600', unknownOrigin: '300', eudrCompliant: false, allPlotsGeolocated: true,
        productionStart: '2026-05-01', productionEnd: '2026-08-31', plotCount: 3, plotsEudrReady: 3,
      });
    });
  });

  describe('after delivery', () => {
    let tr: any;
    let raw: string;
    beforeAll(async () => {
      const res = await t.gql(FULFIL, {
        input: { lineId: gid('AllocationLine', forwardLine.id), lotId: gid('Lot', delivered.id), weight: '300', idempotencyKey: newKey() },
      }, w.as.brandManager.token);
      expect(res.data.fulfilLine.__typename).toBe('FulfilLinePayload');
      const traced = await trace(w.as.buyer);
      expect(traced.errors).toBeUndefined();
      tr = traced.data.orderTrace;
      raw = JSON.stringify(traced.data);
    });

    it('shows each line with its lots, plots (GeoJSON, area), producer and assessments', () => {
      expect(tr.order).toMatchObject({ id: gid('Order', order.id), status: 'IN_FULFILLMENT', uncoveredWeight: '0' });
      const spotA = tr.lines.find((l: any) => l.kind === 'SPOT' && l.regency === 'Bondowoso');
      expect(spotA.lots).toHaveLength(1);
      expect(spotA.lots[0]).toMatchObject({
        weight: spotA.weight, fulfilmentStatus: null, harvestStart: '2026-05-01', harvestEnd: '2026-07-31', process: 'WASHED', grade: { code: '1' },
        eudrReady: true,
        assessments: [{ grade: { code: '1' }, offGrade: false, defectValue: '1.00', moisturePct: '11.50', cuppingScore: '84.50' }],
        // No consent recorded: the buyer sees the label, not the name (UU 27/2022; test/shipments covers consent).
        producer: { label: spotA.contributor.label, displayName: spotA.contributor.label, village: 'Sukorejo', district: 'Sumberwringin', regency: 'Bondowoso' },
      });
      expect(spotA.lots[0].plots).toHaveLength(2);
      expect(spotA.lots[0].plots[0]).toMatchObject({ geolocation: { type: 'Point' }, areaHa: '1.5000', altitudeM: 1200, eudrReady: true });
      const spotB = tr.lines.find((l: any) => l.regency === 'Jember');
      expect(spotB.lots[0].plots[0]).toMatchObject({ geolocation: { type: 'Polygon' }, areaHa: '5.0000' });
      expect(spotB.contributor.label).not.toBe(spotA.contributor.label);
      const forward = tr.lines.find((l: any) => l.kind === 'FORWARD');
      expect(forward).toMatchObject({ fulfilledWeight: '300', contributor: { label: spotA.contributor.label } });
      expect(forward.lots).toEqual([expect.objectContaining({ lotId: gid('Lot', delivered.id), weight: '300', fulfilmentStatus: 'ACTIVE', assessments: [] })]);
    });

    it('labels contributors per order ("Contributor n") and carries no contact data and no producer IDs', () => {
      expect(new Set(tr.lines.map((l: any) => l.contributor.label))).toEqual(new Set(['Contributor 1', 'Contributor 2']));
      expect(raw).not.toMatch(/phone|email|address|contact|\+62/i);
      for (const p of [w.producer, w.otherProducer]) expect(raw).not.toContain(gid('Producer', p.id));
      expect(raw).not.toContain('"Producer"');
    });

    it('summarises EUDR due diligence: now compliant', () => {
      expect(tr.dueDiligence).toEqual({
        productName: product.name, commodity: 'COFFEE', species: 'ARABICA', process: 'WASHED', form: 'GREEN',
        supplier: w.brand.name, customer: w.buyerOrg.name, destinationCountry: 'EG',
        netMassAllocated: '900', netMassFulfilled: '900', uncovered: '0', unknownOrigin: '0', country: 'ID', regions: ['Bondowoso', 'Jember'],
        productionStart: '2026-04-15', productionEnd: '2026-09-10', plotCount: 4, plotsEudrReady: 4, allPlotsGeolocated: true, eudrCompliant: true,
        deforestationCutOff: '2020-12-31',
      });
    });

    it('includes the order\'s provenance events with labels, not names', () => {
      const kinds = tr.events.map((e: any) => e.kind);
      expect(kinds.filter((k: string) => k === 'ALLOCATED')).toHaveLength(3);
      expect(kinds).toContain('FULFILLED');
      const fulfilled = tr.events.find((e: any) => e.kind === 'FULFILLED');
      expect(fulfilled).toMatchObject({ weight: '300', lineId: gid('AllocationLine', forwardLine.id), contributor: { label: expect.stringMatching(/^Contributor \d$/) } });
      expect(fulfilled.summary).toMatch(/^Contributor \d delivered 300 kg/);
      expect(tr.events.every((e: any) => !e.summary.includes(w.producer.display_name))).toBe(true);
    });

    it('a buyer asking for producerId gets null and FORBIDDEN; the brand manager and an admin get IDs', async () => {
      const buyer = await t.gql(TRACE_PRODUCER_IDS, { id: gid('Order', order.id) }, w.as.buyer.token);
      expect(buyer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      for (const actor of [w.as.brandManager, w.as.admin]) {
        const res = await t.gql(TRACE_PRODUCER_IDS, { id: gid('Order', order.id) }, actor.token);
        expect(res.errors).toBeUndefined();
        const ids = new Set(res.data.orderTrace.lines.map((l: any) => l.contributor.producerId));
        expect(ids).toEqual(new Set([gid('Producer', w.producer.id), gid('Producer', w.otherProducer.id)]));
      }
    });

    it('the brand manager and an admin see the same tree, with the producers\' names', async () => {
      const withoutNames = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'displayName' ? undefined : v)));
      for (const actor of [w.as.brandManager, w.as.admin]) {
        const res = await trace(actor);
        expect(res.errors).toBeUndefined();
        expect(withoutNames(res.data.orderTrace)).toEqual(withoutNames(tr));
        expect(JSON.stringify(res.data.orderTrace)).toContain(w.producer.display_name);
      }
    });

    it.each(['producer', 'otherProducer', 'curator', 'coopManager', 'otherBrandCurator'] as const)(
      'the %s (no role that reads traces) gets ForbiddenError',
      async (role) => {
        const res = await trace(w.as[role]);
        expect(res.data.orderTrace).toMatchObject({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
      },
    );

    it.each(['otherBuyer', 'otherBrandManager'] as const)(
      'the %s (who may not see the order) gets NotFoundError, exactly as for an unknown order',
      async (role) => {
        const res = await trace(w.as[role]);
        expect(res.data.orderTrace).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Order not found (orderId)', path: 'orderId' });
      },
    );

    it('anonymous callers get UnauthenticatedError; a bad ID is a ValidationError; an unknown order NotFoundError', async () => {
      expect((await trace(null)).data.orderTrace.__typename).toBe('UnauthenticatedError');
      const bad = await t.gql(TRACE, { id: gid('Lot', 1) }, w.as.buyer.token);
      expect(bad.data.orderTrace).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'orderId' }] });
      expect((await trace(w.as.buyer, 999_999_999)).data.orderTrace).toMatchObject({ __typename: 'NotFoundError', path: 'orderId' });
    });

    it('a shortfall shows in the trace: the SHORTFALL line, the events, the replacement line, the uncovered weight', async () => {
      // Left to reallocate: 200 kg of the delivered lot (of the other producer, who did not default).
      const b = lines.find((l) => l.producer_id === w.otherProducer.id)!;
      const declared = await t.gql(DECLARE, {
        input: { lineId: gid('AllocationLine', b.id), weight: '300', reason: 'flooded warehouse', idempotencyKey: newKey() },
      }, w.as.otherProducer.token);
      expect(declared.data.declareShortfall).toMatchObject({ __typename: 'DeclareShortfallPayload', uncovered: '100' });
      const after = (await trace(w.as.buyer)).data.orderTrace;
      expect(after.lines.find((l: any) => l.lineId === gid('AllocationLine', b.id))).toMatchObject({ status: 'SHORTFALL' });
      expect(after.events.find((e: any) => e.kind === 'SHORTFALL').summary).toMatch(/^Shortfall of 300 kg declared by Contributor \d: flooded warehouse$/);
      expect(after.lines.find((l: any) => l.replacesLineId === gid('AllocationLine', b.id))).toMatchObject({
        kind: 'SPOT', status: 'ACTIVE', weight: '200', lots: [{ lotId: gid('Lot', delivered.id), weight: '200' }],
      });
      expect(after.events.at(-1)).toMatchObject({ kind: 'REALLOCATED', weight: '200', summary: expect.stringMatching(/to cover a shortfall$/) });
      expect(after.order.uncoveredWeight).toBe('100');
      expect(after.dueDiligence).toMatchObject({ netMassAllocated: '800', netMassFulfilled: '800', uncovered: '100', regions: ['Bondowoso'], eudrCompliant: true });
    });
  });

  describe('EUDR: unknown or ungeolocated origin makes the order non-compliant', () => {
    it('a plot without EUDR-grade geolocation, or a lot without plots', async () => {
      const db = t.database.db;
      const p = await freshProduct(t, w);
      await gradedLot(db, w.producer, p, 300_000, { eudrReady: false });
      await insertSupplier(db, { brand: w.brand, product: p, coop: w.coop }, { lotG: 300_000 }); // a lot without plots
      const { order: o } = await acceptedOrder(t, w, p, { quantityG: 600_000 });
      const dd = (await trace(w.as.buyer, o.id)).data.orderTrace.dueDiligence;
      expect(dd).toMatchObject({ plotCount: 1, plotsEudrReady: 0, allPlotsGeolocated: false, unknownOrigin: '300', eudrCompliant: false, netMassFulfilled: '600' });
    });
  });

  describe('producers see their own lines with order, product, window, status and deliveries', () => {
    it('myAllocationLines shows fulfilled and remaining weight and the delivered lots; the buyer cannot read deliveries', async () => {
      const res = await t.gql(MY_LINES, {}, w.as.producer.token);
      expect(res.errors).toBeUndefined();
      const mine = res.data.myAllocationLines.edges.map((e: any) => e.node).find((n: any) => n.id === gid('AllocationLine', forwardLine.id));
      expect(mine).toMatchObject({
        kind: 'FORWARD', status: 'ACTIVE', weight: '300', fulfilledWeight: '300', remainingWeight: '0',
        orderSummary: { orderId: gid('Order', order.id), product: { id: gid('Product', product.id) }, status: 'IN_FULFILLMENT', minGrade: { code: '3' } },
        fulfilments: [{ weight: '300', status: 'ACTIVE', lot: { id: gid('Lot', delivered.id) } }],
      });
      const buyer = await t.gql(MY_LINE_FULFILMENTS_AS_BUYER, { id: gid('Order', order.id) }, w.as.buyer.token);
      expect(buyer.errors?.some((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    });
  });

  describe('cost: a constant number of SQL statements, whatever the size of the order', () => {
    it('an order of 60 lines costs the same statements as an order of 3', async () => {
      const db = t.database.db;
      const p = await freshProduct(t, w);
      for (let i = 0; i < 60; i++) {
        const s = await insertSupplier(db, { brand: w.brand, product: p, coop: w.coop }, { lotG: 60_000, regency: i % 2 ? 'Jember' : 'Bondowoso' });
        const plot = await insertPlot(db, s.producer.id);
        await db.insertInto('lot_plots').values({ lot_id: s.lot!.id, plot_id: plot.id }).execute();
      }
      for (let i = 0; i < 5; i++) await insertSupplier(db, { brand: w.brand, product: p, coop: w.coop }, { commitmentG: 60_000 });
      // The order takes all of it: 60 spot lines and 5 forward lines.
      const { order: big, lines: bigLines } = await acceptedOrder(t, w, p, { quantityG: 3_900_000 });
      expect(bigLines.length).toBeGreaterThanOrEqual(50);
      expect(bigLines.some((l) => l.commitment_id !== null)).toBe(true);

      const count = async (orderId: number) => {
        t.queries.length = 0;
        const res = await trace(w.as.buyer, orderId);
        expect(res.errors).toBeUndefined();
        return t.queries.length;
      };
      const small = await count(order.id);
      const large = await count(big.id);
      expect(large).toBe(small);
      expect(large).toBeLessThanOrEqual(12);
    });
  });
});
