import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureCollection } from 'geojson';
import { expect } from 'vitest';
import { scanJson, segKey } from '../../src/platform/json-scan.js';
import type { Row } from '../../src/platform/db-types.js';
import type { TestApp } from '../support/app.js';
import { ERROR_FIELDS, gid, insertLot, insertProduct } from '../support/supply-fixtures.js';
import { insertOrder, type OrderWorld } from '../orders/fixtures.js';

export const FIXTURES = join(import.meta.dirname, '../../../shared/data/eudr/geojson-fixtures');
export const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as FeatureCollection;

/** The first feature's geometry exactly as the fixture file writes it (6.348210 keeps its zero). */
export function fixtureGeometryText(name: string): string {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  // The key and its value share a path; the value's span comes last.
  const span = scanJson(text).spans.findLast((s) => segKey(s.segs) === segKey(['features', 0, 'geometry']));
  if (!span) throw new Error(`${name} has no features[0].geometry`);
  return text.slice(span.start, span.end);
}

/**
 * Register a plot for `producerId` with the geometry TEXT spliced into the request body as written,
 * as a client that forwards the EU's GeoJSON files does (t.gql would re-serialise parsed numbers).
 */
export async function registerPlotRaw(t: TestApp, token: string, producerId: string, geometryText: string, areaHa: string, name = 'Fixture plot') {
  const input = JSON.stringify({ producerId, name, areaHa, altitudeM: 900 }).replace(/}$/, `,"geolocation":${geometryText}}`);
  const res = await t.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    payload: `{"query":${JSON.stringify(REGISTER_PLOT)},"variables":{"input":${input}}}`,
  });
  const body = res.json();
  if (!body.data?.registerPlot) throw new Error(`registerPlot failed: ${res.body}`);
  return body.data.registerPlot;
}

let counter = 0;
export const key = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++counter}`;

export const ACCEPT = /* GraphQL */ `
  mutation Accept($input: AcceptOrderInput!) { acceptOrder(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;
export const START = /* GraphQL */ `
  mutation Start($input: AdvanceOrderInput!) { startOrderFulfillment(input: $input) { __typename ... on Order { status } ${ERROR_FIELDS} } }`;
export const SHIP = /* GraphQL */ `
  mutation Ship($input: ShipOrderInput!) {
    shipOrder(input: $input) {
      __typename
      ... on Order { id status shipment { id billOfLading portOfLoading portOfDischarge departureDate internalReference
        containers { containerNumber sealNumber bagCount loadedWeight lots { lotId weight } } } }
      ... on LoadedWeightMismatchError { code message lots { lotId loadedWeight shippedWeight } }
      ... on InvalidTransitionError { from to }
      ${ERROR_FIELDS}
    }
  }`;
export const REGISTER_PLOT = /* GraphQL */ `
  mutation Register($input: RegisterPlotInput!) { registerPlot(input: $input) { __typename ... on Plot { id eudrReady } ${ERROR_FIELDS} } }`;

/** An order of a fresh product whose lots (one per given producer and plot list, 600 kg grade 1) are all allocated, IN_FULFILLMENT. */
export async function orderInFulfilment(
  t: TestApp,
  w: OrderWorld,
  suppliers: { producer: Row<'producers'>; plotIds: number[]; kg?: number }[],
) {
  const db = t.database.db;
  const product = await insertProduct(db, w.brand.id);
  const lots = [];
  for (const s of suppliers) {
    lots.push(await insertLot(db, { producer: s.producer, product, plotIds: s.plotIds, netG: (s.kg ?? 600) * 1000, grade: { code: '1', rank: 1 } }));
  }
  const total = lots.reduce((sum, l) => sum + l.net_g, 0);
  const order = await insertOrder(db, { buyerOrgId: w.buyerOrg.id, product, placedBy: w.as.buyer.id, quantityG: total });
  const accepted = await t.gql(ACCEPT, {
    input: { orderId: gid('Order', order.id), strategy: 'QUALITY_FIRST', constraints: { supply: 'SPOT_ONLY' }, idempotencyKey: key('accept') },
  }, w.as.brandManager.token);
  expect(accepted.data.acceptOrder).toMatchObject({ __typename: 'Order', status: 'ACCEPTED' });
  const started = await t.gql(START, { input: { orderId: gid('Order', order.id) } }, w.as.brandManager.token);
  expect(started.data.startOrderFulfillment.status).toBe('IN_FULFILLMENT');
  return { product, lots, order };
}

/** A shipment input loading every lot whole into one container (60 kg bags). */
export function shipmentFor(lots: Row<'lots'>[], over: Record<string, unknown> = {}) {
  const totalG = lots.reduce((s, l) => s + l.net_g, 0);
  return {
    billOfLading: 'MEDUSB123456',
    portOfLoading: 'IDSUB',
    portOfDischarge: 'EGALY',
    departureDate: '2027-06-15',
    containers: [{
      containerNumber: 'CSQU3054383',
      sealNumber: 'SL-000917',
      bagCount: Math.ceil(totalG / 60_000),
      lots: lots.map((l) => ({ lotId: gid('Lot', l.id), weight: String(l.net_g / 1000) })),
    }],
    ...over,
  };
}

/** Rows a refused shipOrder must not have written. */
export async function shippingCounts(t: TestApp, orderId: number) {
  const db = t.database.db;
  const n = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  return {
    status: (await db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status,
    shipments: await n(db.selectFrom('shipments').select((eb) => eb.fn.countAll().as('n')).where('order_id', '=', orderId).executeTakeFirstOrThrow() as never),
    containers: await n(db.selectFrom('shipment_containers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow() as never),
    shippedEvents: await n(db.selectFrom('provenance_events').select((eb) => eb.fn.countAll().as('n')).where('order_id', '=', orderId)
      .where('kind', '=', 'SHIPPED').executeTakeFirstOrThrow() as never),
  };
}
