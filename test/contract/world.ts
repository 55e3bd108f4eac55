import { sql } from 'kysely';
import type { TestApp } from '../support/app.js';
import { createUser } from '../support/app.js';
import { ERROR_FIELDS, gid, insertBrand, insertCommitment, insertCooperative, insertPlot, insertProducer, insertProduct } from '../support/supply-fixtures.js';
import { createSettlementWorld, GRADES, lot, placeAndAccept, ship, type SettlementWorld } from '../settlement/fixtures.js';
import { insertStatement } from '../shu/fixtures.js';
import { makeOrgAdmin, registerClient } from '../partners/support.js';

/**
 * A world holding at least one object of every type a root field takes an ID of (issue 8 §1/done-means),
 * all owned by the "insiders" of createSettlementWorld, plus outsiders: organisations of their own and
 * one user holding every non-admin role on them (so field-level scopes like `brandManager: 'any'` pass
 * and the refusal must come from the object's owner check).
 */
export interface ContractWorld {
  w: SettlementWorld;
  /** Row key of an existing object per GraphQL type name (RoleGrant: the raw grant id). */
  existing: Record<string, number>;
  outsider: { id: number; token: string };
}

const SET_SPLIT = /* GraphQL */ `mutation ($input: SetShuSplitInput!) { setShuSplit(input: $input) { __typename ${ERROR_FIELDS} } }`;
const COMPUTE = /* GraphQL */ `mutation ($input: ComputeShuYearInput!) { computeShuYear(input: $input) { __typename ... on ShuYear { id } ${ERROR_FIELDS} } }`;
const CAPITAL = /* GraphQL */ `mutation ($input: RecordMemberCapitalInput!) { recordMemberCapital(input: $input) { __typename ... on CapitalRecord { id } ${ERROR_FIELDS} } }`;

const keyOf = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]);

function expectType(res: { data?: any; errors?: unknown }, field: string, typename: string) {
  const got = res.data?.[field];
  if (got?.__typename !== typename) throw new Error(`${field}: expected ${typename}, got ${JSON.stringify(res.data ?? res.errors)}`);
  return got;
}

export async function createContractWorld(t: TestApp): Promise<ContractWorld> {
  const db = t.database.db;
  const w = await createSettlementWorld(t);
  const plot = await insertPlot(db, w.producer.id);
  await lot(t, w, w.producer, 600, GRADES.G1);
  await lot(t, w, w.p2, 600, GRADES.G1);
  const order = await placeAndAccept(t, w, 1_200_000);
  await ship(t, w, order.id);
  const line = await db.selectFrom('allocation_lines').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
  const shipment = await db.selectFrom('shipments').select('id').where('order_id', '=', order.id).executeTakeFirstOrThrow();
  const someLot = await db.selectFrom('lots').select('id').where('id', '=', line.lot_id!).executeTakeFirstOrThrow();
  const commitment = await insertCommitment(db, { producer: w.producer, product: w.product, committedG: 600_000 });
  const membership = await db.selectFrom('memberships').select('id').where('producer_id', '=', w.producer.id).executeTakeFirstOrThrow();
  const statementId = await insertStatement(db, { order, producerId: w.producer.id, cooperativeId: w.coop.id, fiscalDate: '2025-06-30', amountIdrMinor: 50_000_000 });

  const coopId = gid('Cooperative', w.coop.id);
  const split = { reservePct: '40', transactionsPct: '25', capitalPct: '15', funds: [{ name: 'Dana sosial', pct: '20' }] };
  expectType(await t.gql(SET_SPLIT, { input: { cooperativeId: coopId, effectiveFromYear: 2025, ...split } }, w.as.coopManager.token), 'setShuSplit', 'ShuSplit');
  const capital = expectType(await t.gql(CAPITAL, { input: { producerId: gid('Producer', w.producer.id), kind: 'POKOK', amount: { amount: '100000', currency: 'IDR' }, recordedOn: '2025-01-05' } }, w.as.coopManager.token), 'recordMemberCapital', 'CapitalRecord');
  const year = expectType(await t.gql(COMPUTE, { input: { cooperativeId: coopId, fiscalYear: 2025, amount: { amount: '1000000', currency: 'IDR' } } }, w.as.coopManager.token), 'computeShuYear', 'ShuYear');

  await makeOrgAdmin(t, w.as.buyer.id);
  const client = await registerClient(t, w.as.buyer.token, { organizationId: gid('BuyerOrganization', w.buyerOrg.id), scopes: ['orders:read'] });
  const grant = await db.selectFrom('role_grants').select('id').where('user_id', '=', w.as.buyer.id).executeTakeFirstOrThrow();

  const scheme = await db.selectFrom('grade_schemes').select('id').where('product_id', '=', w.product.id).executeTakeFirstOrThrow();
  const assessment = await db.insertInto('assessments').values(({
    lot_id: someLot.id, scheme_id: scheme.id, curator_user_id: w.as.curator.id, sample_g: 300, defect_counts: JSON.stringify({}),
    moisture_pct: '12', foreign_matter_pct: '0', live_insects: false, foul_odour: false, cupping_score: null, defect_value: '3',
    grade_code: '1', grade_rank: 2, off_grade: false,
  }) as never).returning('id').executeTakeFirstOrThrow();
  const memberLine = (await sql<{ id: number }>`select id from shu_year_members where year_id = ${keyOf(year.id)} limit 1`.execute(db)).rows[0]!;

  const endpoint = (await sql<{ id: number }>`insert into webhook_endpoints (owner_kind, owner_id, url, event_types, created_by)
    values ('buyer', ${w.buyerOrg.id}, 'https://hooks.example.test/lumbung', '{order.placed}', ${w.as.buyer.id}) returning id`.execute(db)).rows[0]!;
  const webhookSecret = (await sql<{ id: number }>`insert into webhook_secrets (endpoint_id, secret, last4)
    values (${endpoint.id}, ${`whsec_${'A'.repeat(44)}`}, 'AAAA') returning id`.execute(db)).rows[0]!;

  // Outsiders: organisations that share nothing with the world above, and one user with every role on them.
  const outBrand = await insertBrand(db);
  await insertProduct(db, outBrand.id);
  const outCoop = await insertCooperative(db, 'Lumajang');
  const outProducer = await insertProducer(db, { cooperativeId: outCoop.id, regency: 'Lumajang' });
  const outBuyer = await db.insertInto('buyer_orgs').values({ name: 'Outsider Importers', country: 'DE' }).returning('id').executeTakeFirstOrThrow();
  const outsider = await createUser(t, [
    ['BRAND_MANAGER', outBrand.id], ['CURATOR', outBrand.id], ['COOP_MANAGER', outCoop.id], ['PRODUCER', outProducer.id], ['BUYER', outBuyer.id],
  ]);

  return {
    w,
    outsider,
    existing: {
      Brand: w.brand.id,
      Product: w.product.id,
      Cooperative: w.coop.id,
      Producer: w.producer.id,
      Membership: membership.id,
      Plot: plot.id,
      Lot: someLot.id,
      Commitment: commitment.id,
      Order: order.id,
      AllocationLine: line.id,
      Shipment: shipment.id,
      PayoutStatement: statementId,
      ShuYear: keyOf(year.id),
      CapitalRecord: keyOf(capital.id),
      BuyerOrganization: w.buyerOrg.id,
      User: w.as.buyer.id,
      PartnerClient: keyOf(client.id),
      PartnerClientSecret: keyOf(client.secretId),
      RoleGrant: grant.id,
      GradeScheme: scheme.id,
      Assessment: assessment.id,
      ShuMemberLine: memberLine.id,
      WebhookEndpoint: Number(endpoint.id),
      WebhookSecret: Number(webhookSecret.id),
    },
  };
}
