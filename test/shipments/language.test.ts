import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { gid, insertPlot } from '../support/supply-fixtures.js';
import { createOrderWorld, type OrderWorld } from '../orders/fixtures.js';
import { orderInFulfilment, SHIP, shipmentFor } from './fixtures.js';

// Issue 8 §4: the EUDR package's blockers ("what to fix") in Indonesian and English by
// Accept-Language: same kinds, rules and ids; the texts differ, with weights formatted for the
// language (1.200 kg / 1,200 kg).

const PACKAGE = /* GraphQL */ `
  query Package($id: ID!) {
    eudrPackage(shipmentId: $id) {
      __typename
      ... on EudrPackage { complete blockers { kind lotId plotId rule message } }
      ... on Error { code message }
    }
  }`;

let t: TestApp;
let w: OrderWorld;
beforeAll(async () => {
  t = await createTestApp();
  w = await createOrderWorld(t);
});
afterAll(async () => { await t?.close(); });

async function gql(query: string, variables: Record<string, unknown>, token: string, acceptLanguage: string) {
  const res = await t.gql(query, variables, token, acceptLanguage);
  expect(res.statusCode).toBe(200);
  return res.data;
}

describe('EUDR package blockers in Indonesian and English', () => {
  it('given 1,200 kg without plots and a plot with a LineString and no assessment, then each blocker says what to fix in the language', async () => {
    // Given an order shipping a lot without plots and a lot from a plot the EU system would refuse
    const line = await insertPlot(t.database.db, w.otherProducer.id, {
      name: 'Kebun Garis', geometry: { type: 'LineString', coordinates: [[113.821451, -7.913121], [113.831451, -7.923121]] },
    });
    const { order, lots } = await orderInFulfilment(t, w, [
      { producer: w.producer, plotIds: [], kg: 1200 },
      { producer: w.otherProducer, plotIds: [line.id] },
    ]);
    const shipped = await t.gql(SHIP, { input: { orderId: gid('Order', order.id), shipment: shipmentFor(lots) } }, w.as.brandManager.token);
    expect(shipped.data.shipOrder.status).toBe('SHIPPED');
    const id = shipped.data.shipOrder.shipment.id as string;

    // When the buyer reads the package in English and in Indonesian
    const en = (await gql(PACKAGE, { id }, w.as.buyer.token, 'en-US')).eudrPackage;
    const ind = (await gql(PACKAGE, { id }, w.as.buyer.token, 'id-ID')).eudrPackage;

    // Then the blockers are the same, only their texts differ
    expect(en.complete).toBe(false);
    const facts = (p: typeof en) => p.blockers.map((b: Record<string, unknown>) => [b.kind, b.lotId, b.plotId, b.rule]);
    expect(facts(ind)).toEqual(facts(en));
    const lot = lots.find((l) => l.net_g === 1_200_000)!;
    const label = (m: string) => /\((Contributor \d+)\)/.exec(m)?.[1];
    const unknown = en.blockers.findIndex((b: { kind: string }) => b.kind === 'UNKNOWN_ORIGIN');
    const who = label(en.blockers[unknown].message);
    expect(en.blockers[unknown].message).toBe(`1,200 kg of lot ${lot.id} (${who}) has no plot of origin`);
    expect(ind.blockers[unknown].message).toBe(`1.200 kg dari lot ${lot.id} (${who}) tidak punya lahan asal`);

    const byKind = (p: typeof en, kind: string) => p.blockers.find((b: { kind: string }) => b.kind === kind).message as string;
    expect(byKind(en, 'PLOT_NOT_ASSESSED')).toMatch(/^Plot "Kebun Garis" \(Contributor \d+\): no deforestation assessment against the 31 Dec 2020 cut-off$/);
    expect(byKind(ind, 'PLOT_NOT_ASSESSED')).toMatch(/^Lahan "Kebun Garis" \(Contributor \d+\): belum ada penilaian deforestasi terhadap batas 31 Desember 2020$/);
    expect(byKind(en, 'PLOT_WITHOUT_VALID_GEOLOCATION')).toContain('Plot "Kebun Garis": LineString is not accepted by the EU system');
    expect(byKind(ind, 'PLOT_WITHOUT_VALID_GEOLOCATION')).toContain('Lahan "Kebun Garis": LineString tidak diterima sistem UE');
  });
});
