import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import {
  type Actor, createSupplyWorld, ERROR_FIELDS, gid, insertCommitment, insertCooperative, insertLot, insertMembership, insertPlot,
  insertProducer, insertProduct, type SupplyWorld, supplyCounts,
} from '../support/supply-fixtures.js';

const DECLARE_LOT = /* GraphQL */ `
  mutation DeclareLot($input: DeclareLotInput!) {
    declareLot(input: $input) {
      __typename
      ... on Lot {
        id netWeight allocatedWeight availableWeight harvestStart harvestEnd process storageLocation regency eudrReady offGrade
        grade { code rank } latestAssessment { id } assessments { id }
        producer { id } product { id } plots { id name }
        history { kind actor summary payload }
      }
      ${ERROR_FIELDS}
    }
  }`;

const LOTS = /* GraphQL */ `
  query Lots($first: Int, $after: String, $productId: ID, $producerId: ID) {
    lots(first: $first, after: $after, productId: $productId, producerId: $producerId) {
      pageInfo { hasNextPage endCursor }
      edges { node { id producer { id } netWeight } }
    }
  }`;

const LOT = /* GraphQL */ `query Lot($id: ID!) { lot(id: $id) { id netWeight } }`;
const NODE = /* GraphQL */ `query Node($id: ID!) { node(id: $id) { __typename id ... on Lot { netWeight } } }`;
const PRODUCER_LOTS = /* GraphQL */ `
  query ProducerLots($id: ID!) { node(id: $id) { ... on Producer { lots(first: 100) { edges { node { id } } } } } }`;

describe('lots', () => {
  let t: TestApp;
  let w: SupplyWorld;
  let plotId: number;
  let otherPlotId: number;
  beforeAll(async () => {
    // Pages of 100: the relay `edges` list adds a ×10 on top of the connection's ×first (reported to the lead).
    t = await createTestApp({ GRAPHQL_MAX_COMPLEXITY: '100000' });
    w = await createSupplyWorld(t);
    plotId = (await insertPlot(t.database.db, w.producer.id)).id;
    otherPlotId = (await insertPlot(t.database.db, w.otherProducer.id)).id;
  });
  afterAll(async () => { await t?.close(); });

  const input = (over: Record<string, unknown> = {}) => ({
    producerId: gid('Producer', w.producer.id),
    productId: gid('Product', w.product.id),
    harvestStart: '2026-06-01',
    harvestEnd: '2026-08-31',
    plotIds: [gid('Plot', plotId)],
    netWeight: '1200.5',
    storageLocation: 'Gudang Koperasi Sumberwringin',
    ...over,
  });
  const declare = (actor: Actor | null, over: Record<string, unknown> = {}) =>
    t.gql(DECLARE_LOT, { input: input(over) }, actor?.token ?? null);

  describe('declareLot: who may', () => {
    it('lets the producer declare their own lot, copying brand, regency and EUDR readiness, with a DECLARED event', async () => {
      const res = await declare(w.as.producer);
      const lot = res.data.declareLot;
      expect(lot.__typename).toBe('Lot');
      expect(lot).toMatchObject({
        netWeight: '1200.5', allocatedWeight: '0', availableWeight: '1200.5', harvestStart: '2026-06-01', harvestEnd: '2026-08-31',
        process: 'WASHED', regency: 'Bondowoso', eudrReady: true, offGrade: false, grade: null, latestAssessment: null, assessments: [],
        producer: { id: gid('Producer', w.producer.id) }, product: { id: gid('Product', w.product.id) },
      });
      expect(lot.plots.map((p: { id: string }) => p.id)).toEqual([gid('Plot', plotId)]);
      expect(lot.history).toHaveLength(1);
      expect(lot.history[0].kind).toBe('DECLARED');
      expect(lot.history[0].summary).toContain('1,200.5 kg');
      expect(JSON.parse(lot.history[0].payload)).toMatchObject({ netG: 1_200_500, plotIds: [plotId] });
    });

    it.each(['coopManager', 'admin'] as const)('lets the %s declare for the producer', async (role) => {
      const res = await declare(w.as[role]);
      expect(res.data.declareLot.__typename).toBe('Lot');
    });

    it.each([
      // Who may not see the producer is answered as for an unknown producer.
      ['otherProducer', 'NotFoundError', 'NOT_FOUND'],
      ['otherCoopManager', 'NotFoundError', 'NOT_FOUND'],
      ['buyer', 'ForbiddenError', 'FORBIDDEN'],
      ['curator', 'ForbiddenError', 'FORBIDDEN'],
      ['brandManager', 'ForbiddenError', 'FORBIDDEN'],
    ] as const)('refuses the %s (%s) and writes nothing', async (role, typename, code) => {
      const before = await supplyCounts(t.database.db);
      const res = await declare(w.as[role]);
      expect(res.data.declareLot.__typename).toBe(typename);
      expect(res.data.declareLot.code).toBe(code);
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('refuses an anonymous caller', async () => {
      const before = await supplyCounts(t.database.db);
      const res = await declare(null);
      expect(res.data.declareLot).toMatchObject({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('refuses a producer who is not an approved member of the product\'s brand', async () => {
      const applicant = await insertProducer(t.database.db, { cooperativeId: w.coop.id });
      await insertMembership(t.database.db, applicant.id, w.brand.id, 'APPLIED');
      const plot = await insertPlot(t.database.db, applicant.id);
      const before = await supplyCounts(t.database.db);
      const res = await declare(w.as.coopManager, { producerId: gid('Producer', applicant.id), plotIds: [gid('Plot', plot.id)] });
      expect(res.data.declareLot.__typename).toBe('NotApprovedMemberError');
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });
  });

  describe('declareLot: bad input is a ValidationError naming the field, and nothing is written', () => {
    const cases: Array<[string, () => Record<string, unknown>, string, RegExp?]> = [
      ['zero weight', () => ({ netWeight: '0' }), 'input.netWeight', /more than 0/],
      ['negative weight', () => ({ netWeight: '-5' }), 'input.netWeight', /more than 0/],
      ['absurd weight', () => ({ netWeight: '1000000.001' }), 'input.netWeight', /at most 1,000 t/],
      ['reversed harvest dates', () => ({ harvestStart: '2026-08-31', harvestEnd: '2026-06-01' }), 'input.harvestEnd', /on or after/],
      ['harvest far in the future', () => ({ harvestStart: '2030-01-01', harvestEnd: '2030-02-01' }), 'input.harvestEnd', /not be later/],
      ['no plots', () => ({ plotIds: [] }), 'input.plotIds', /at least one plot/],
      ['the same plot twice', () => ({ plotIds: [gid('Plot', plotId), gid('Plot', plotId)] }), 'input.plotIds.1', /same plot/],
      ['a process that is not the product\'s', () => ({ process: 'NATURAL' }), 'input.process', /WASHED/],
      ['an ID of the wrong type', () => ({ productId: gid('Brand', w.brand.id) }), 'input.productId', /Product/],
      ['an empty storage location', () => ({ storageLocation: '  ' }), 'input.storageLocation'],
    ];
    it.each(cases)('%s', async (_name, over, path, message) => {
      const before = await supplyCounts(t.database.db);
      const res = await declare(w.as.producer, over());
      const r = res.data.declareLot;
      expect(r.__typename).toBe('ValidationError');
      expect(r.code).toBe('VALIDATION_FAILED');
      const issue = r.issues.find((i: { path: string }) => i.path === path);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      if (message) expect(issue.message).toMatch(message);
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('an unknown plot is a NotFoundError naming the list entry', async () => {
      const before = await supplyCounts(t.database.db);
      const res = await declare(w.as.producer, { plotIds: [gid('Plot', plotId), gid('Plot', 999_999)] });
      expect(res.data.declareLot).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: 'input.plotIds.1' });
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('a plot of another producer is answered exactly like an unknown plot, and nothing is written', async () => {
      const before = await supplyCounts(t.database.db);
      const others = await declare(w.as.producer, { plotIds: [gid('Plot', plotId), gid('Plot', otherPlotId)] });
      const unknown = await declare(w.as.producer, { plotIds: [gid('Plot', plotId), gid('Plot', 999_999)] });
      expect(others.data.declareLot).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'Plot not found (input.plotIds.1)', path: 'input.plotIds.1' });
      expect(JSON.stringify(unknown).replace(gid('Plot', 999_999), '<id>')).toBe(JSON.stringify(others).replace(gid('Plot', otherPlotId), '<id>'));
      expect(await supplyCounts(t.database.db)).toEqual(before);
    });

    it('an unknown product is a NotFoundError', async () => {
      const res = await declare(w.as.producer, { productId: gid('Product', 999_999) });
      expect(res.data.declareLot).toMatchObject({ __typename: 'NotFoundError', path: 'input.productId' });
    });

    it('a weight that is not a decimal is rejected by the scalar', async () => {
      const res = await declare(w.as.producer, { netWeight: '12,5' });
      expect(res.errors?.[0]?.message).toMatch(/Weight/);
    });
  });

  describe('reading lots', () => {
    let ownLot: number;
    let otherLot: number;
    let otherBrandLot: number;
    beforeAll(async () => {
      const db = t.database.db;
      ownLot = (await insertLot(db, { producer: w.producer, product: w.product, plotIds: [plotId] })).id;
      otherLot = (await insertLot(db, { producer: w.otherProducer, product: w.product, plotIds: [otherPlotId] })).id;
      await insertMembership(db, w.producer.id, w.otherBrand.id);
      otherBrandLot = (await insertLot(db, { producer: w.producer, product: w.otherProduct, plotIds: [plotId] })).id;
    });

    const idsOf = async (actor: Actor, vars: Record<string, unknown> = {}) => {
      const res = await t.gql(LOTS, { first: 100, ...vars }, actor.token);
      expect(res.errors).toBeUndefined();
      return res.data.lots.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
    };

    it('a producer\'s lots(first: 100) holds only their own lots', async () => {
      const ids = await idsOf(w.as.producer);
      expect(ids).toContain(gid('Lot', ownLot));
      expect(ids).toContain(gid('Lot', otherBrandLot));
      expect(ids).not.toContain(gid('Lot', otherLot));
      const res = await t.gql(LOTS, { first: 100 }, w.as.producer.token);
      for (const e of res.data.lots.edges) expect(e.node.producer.id).toBe(gid('Producer', w.producer.id));
    });

    it('a cooperative manager sees their members\' lots only', async () => {
      const ids = await idsOf(w.as.coopManager);
      expect(ids).toContain(gid('Lot', ownLot));
      expect(ids).not.toContain(gid('Lot', otherLot));
      expect(await idsOf(w.as.otherCoopManager)).toEqual([gid('Lot', otherLot)]);
    });

    it('brand managers and curators see their brand\'s lots, not other brands\'', async () => {
      for (const actor of [w.as.brandManager, w.as.curator]) {
        const ids = await idsOf(actor);
        expect(ids).toEqual(expect.arrayContaining([gid('Lot', ownLot), gid('Lot', otherLot)]));
        expect(ids).not.toContain(gid('Lot', otherBrandLot));
      }
      expect(await idsOf(w.as.otherBrandCurator)).toEqual([gid('Lot', otherBrandLot)]);
    });

    it('a buyer sees no lots; an admin sees all', async () => {
      expect(await idsOf(w.as.buyer)).toEqual([]);
      expect(await idsOf(w.as.admin)).toEqual(expect.arrayContaining([gid('Lot', ownLot), gid('Lot', otherLot), gid('Lot', otherBrandLot)]));
    });

    it('filters by product and producer', async () => {
      expect(await idsOf(w.as.admin, { productId: gid('Product', w.otherProduct.id) })).toEqual([gid('Lot', otherBrandLot)]);
      const mine = await idsOf(w.as.admin, { producerId: gid('Producer', w.otherProducer.id) });
      expect(mine).toEqual([gid('Lot', otherLot)]);
    });

    it('pages with a cursor', async () => {
      const first = await t.gql(LOTS, { first: 1 }, w.as.admin.token);
      expect(first.data.lots.pageInfo.hasNextPage).toBe(true);
      const next = await t.gql(LOTS, { first: 1, after: first.data.lots.pageInfo.endCursor }, w.as.admin.token);
      expect(next.data.lots.edges[0].node.id).not.toBe(first.data.lots.edges[0].node.id);
    });

    it('a producer cannot read another producer\'s lot by ID (lot and node): answered like an unknown ID', async () => {
      const own = await t.gql(LOT, { id: gid('Lot', ownLot) }, w.as.producer.token);
      expect(own.data.lot.id).toBe(gid('Lot', ownLot));
      const byLot = await t.gql(LOT, { id: gid('Lot', otherLot) }, w.as.producer.token);
      expect(byLot).toEqual({ statusCode: 200, data: { lot: null }, errors: undefined });
      expect(await t.gql(LOT, { id: gid('Lot', 987_654_321) }, w.as.producer.token)).toEqual(byLot);
      const byNode = await t.gql(NODE, { id: gid('Lot', otherLot) }, w.as.producer.token);
      expect(byNode.data?.node ?? null).toBeNull();
      const buyer = await t.gql(NODE, { id: gid('Lot', ownLot) }, w.as.buyer.token);
      expect(buyer.data?.node ?? null).toBeNull();
    });

    it('Producer.lots lists the producer\'s lots the caller may see', async () => {
      const res = await t.gql(PRODUCER_LOTS, { id: gid('Producer', w.producer.id) }, w.as.brandManager.token);
      const ids = res.data.node.lots.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(ids).toContain(gid('Lot', ownLot));
      expect(ids).not.toContain(gid('Lot', otherBrandLot));
    });
  });

  describe('provenance log', () => {
    it('rejects UPDATE and DELETE of provenance events (append-only trigger)', async () => {
      const db = t.database.db;
      const event = await db.selectFrom('provenance_events').select('id').where('kind', '=', 'DECLARED').executeTakeFirstOrThrow();
      await expect(sql`update provenance_events set kind = 'X' where id = ${event.id}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from provenance_events where id = ${event.id}`.execute(db)).rejects.toThrow(/append-only/);
    });
  });
});

describe('lots: a page costs a constant number of SQL statements', () => {
  let t: TestApp;
  let w: SupplyWorld;
  beforeAll(async () => {
    t = await createTestApp({ GRAPHQL_MAX_COMPLEXITY: '100000' });
    w = await createSupplyWorld(t);
    const db = t.database.db;
    const product = await insertProduct(db, w.brand.id);
    for (let i = 0; i < 100; i++) {
      const producer = i % 2 === 0 ? w.producer : w.otherProducer;
      const plots = [(await insertPlot(db, producer.id)).id, (await insertPlot(db, producer.id)).id];
      const lot = await insertLot(db, { producer, product, plotIds: plots, grade: { code: '2', rank: 2 } });
      const scheme = await db.selectFrom('grade_schemes').select('id').where('product_id', '=', product.id).executeTakeFirstOrThrow();
      const a = await db
        .insertInto('assessments')
        .values({
          lot_id: lot.id, scheme_id: scheme.id, curator_user_id: w.as.curator.id, sample_g: 300, defect_counts: JSON.stringify({ BLACK_BEAN: 12 }),
          moisture_pct: '12.00', foreign_matter_pct: '0.20', live_insects: false, foul_odour: false, cupping_score: null,
          defect_value: '12.00', grade_code: '2', grade_rank: 2, off_grade: false, failed_requirements: '[]',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.updateTable('lots').set({ latest_assessment_id: a.id }).where('id', '=', lot.id).execute();
    }
    (globalThis as { productId?: number }).productId = product.id;
  });
  afterAll(async () => { await t?.close(); });

  const PAGE = /* GraphQL */ `
    query Page($first: Int!, $productId: ID) {
      lots(first: $first, productId: $productId) {
        edges { node { id producer { displayName } plots { name } latestAssessment { grade { code } curator explanation } history { kind } } }
      }
    }`;

  async function statementsFor(first: number, actor: Actor) {
    const productId = gid('Product', (globalThis as { productId?: number }).productId!);
    t.queries.length = 0;
    const res = await t.gql(PAGE, { first, productId }, actor.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.lots.edges).toHaveLength(first);
    for (const e of res.data.lots.edges) {
      expect(e.node.plots).toHaveLength(2);
      expect(e.node.latestAssessment.grade.code).toBe('2');
    }
    if (process.env.SHOW_SQL) console.log(first, actor === w.as.admin ? 'admin' : '', t.queries);
    return t.queries.length;
  }

  it.each(['admin', 'brandManager', 'curator'] as const)('as %s: 10 lots and 100 lots cost the same, few statements', async (role) => {
    const ten = await statementsFor(10, w.as[role]);
    const hundred = await statementsFor(100, w.as[role]);
    expect(hundred).toBe(ten);
    expect(hundred).toBeLessThanOrEqual(12);
  });

  // Issue 13: "a page of 100 lots with producer, plots and latest assessment: <= 4 statements" (it was
  // 6-7: producers read twice, and brand roles added a memberships lookup). The four: lots, producers
  // with their membership brands (the access check reads them), plots, assessments; plus the
  // principal's own lookup, which every authenticated request makes.
  it.each(['admin', 'brandManager', 'curator', 'producer', 'coopManager'] as const)(
    'as %s: a page of 100 lots with producer, plots and latest assessment is 4 statements after the principal',
    async (role) => {
      const productId = gid('Product', (globalThis as { productId?: number }).productId!);
      t.queries.length = 0;
      const res = await t.gql(/* GraphQL */ `
        query Page($productId: ID) {
          lots(first: 100, productId: $productId) { edges { node { id producer { displayName } plots { name } latestAssessment { defectValue } } } }
        }`, { productId }, w.as[role].token);
      expect(res.errors).toBeUndefined();
      expect(res.data.lots.edges.length).toBe(role === 'producer' || role === 'coopManager' ? 50 : 100);
      const [principal, ...page] = t.queries;
      expect(principal).toMatch(/from "users"/);
      expect(page, page.join('\n')).toHaveLength(4);
      expect(page.filter((q) => /from "producers"/.test(q))).toHaveLength(1);
    },
  );

  it('nested: a page of producers with their plots, lots and commitments costs a constant number of statements', async () => {
    const db = t.database.db;
    const coop = await insertCooperative(db, 'Situbondo');
    for (let i = 0; i < 20; i++) {
      const producer = await insertProducer(db, { cooperativeId: coop.id, regency: 'Situbondo' });
      await insertMembership(db, producer.id, w.brand.id);
      const plot = await insertPlot(db, producer.id);
      await insertLot(db, { producer, product: w.product, plotIds: [plot.id] });
      await insertCommitment(db, { producer, product: w.product });
    }
    const NESTED = /* GraphQL */ `
      query Nested($first: Int!, $coop: ID!) {
        producers(first: $first, cooperativeId: $coop) {
          edges { node { displayName
            plots(first: 2) { edges { node { name } } }
            lots(first: 2) { edges { node { netWeight plots { name } } } }
            commitments(first: 2) { edges { node { weight minGrade { code } } } }
          } }
        }
      }`;
    const count = async (first: number) => {
      t.queries.length = 0;
      const res = await t.gql(NESTED, { first, coop: gid('Cooperative', coop.id) }, w.as.brandManager.token);
      expect(res.errors).toBeUndefined();
      expect(res.data.producers.edges).toHaveLength(first);
      for (const e of res.data.producers.edges) {
        expect(e.node.plots.edges).toHaveLength(1);
        expect(e.node.lots.edges).toHaveLength(1);
        expect(e.node.commitments.edges).toHaveLength(1);
      }
      return t.queries.length;
    };
    const three = await count(3);
    expect(await count(12)).toBe(three);
  });

  it('as a producer (own lots only): constant too', async () => {
    const five = await statementsFor(5, w.as.producer);
    const fifty = await statementsFor(50, w.as.producer);
    expect(fifty).toBe(five);
  });
});
