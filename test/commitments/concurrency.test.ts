import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createSupplyWorld, gid, insertCommitment, insertLot, insertPlot, type SupplyWorld } from '../support/supply-fixtures.js';

/** Races need a real server: PGlite has one connection and serialises everything. */
const onPostgres = inject('testDb').kind === 'postgres';

const WITHDRAW = /* GraphQL */ `
  mutation Withdraw($input: WithdrawCommitmentInput!) {
    withdrawCommitment(input: $input) { __typename ... on Error { code } }
  }`;
const AMEND = /* GraphQL */ `
  mutation Amend($input: AmendCommitmentInput!) {
    amendCommitment(input: $input) { __typename ... on Error { code } ... on ValidationError { issues { path message } } }
  }`;
const RECORD = /* GraphQL */ `
  mutation Record($input: RecordAssessmentInput!) { recordAssessment(input: $input) { __typename ... on Error { code } } }`;

describe.skipIf(!onPostgres)('concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let w: SupplyWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await createSupplyWorld(t);
  });
  afterAll(async () => { await t?.close(); });

  /** Another transaction allocates from the commitment and holds its lock for a while. */
  async function allocateSlowly(commitmentId: number, grams: number, holdMs: number) {
    await t.database.db.transaction().execute(async (trx) => {
      await trx.selectFrom('commitments').select('id').where('id', '=', commitmentId).forUpdate().execute();
      await trx.updateTable('commitments').set({ allocated_g: grams }).where('id', '=', commitmentId).execute();
      await new Promise((r) => setTimeout(r, holdMs));
    });
  }

  it('a withdrawal racing an allocation waits for it, then refuses (CommitmentAllocatedError)', async () => {
    const c = await insertCommitment(t.database.db, { producer: w.producer, product: w.product, windowStart: '2027-05-01', windowEnd: '2027-09-30' });
    const allocation = allocateSlowly(c.id, 60_000, 300);
    await new Promise((r) => setTimeout(r, 50));
    const res = await t.gql(WITHDRAW, { input: { commitmentId: gid('Commitment', c.id), reason: 'changed my mind' } }, w.as.producer.token);
    await allocation;
    expect(res.data.withdrawCommitment).toEqual({ __typename: 'CommitmentAllocatedError', code: 'COMMITMENT_ALLOCATED' });
    const row = await t.database.db.selectFrom('commitments').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'OPEN', allocated_g: 60_000 });
  });

  it('an amendment racing an allocation sees the allocated weight and refuses to go below it', async () => {
    const c = await insertCommitment(t.database.db, { producer: w.producer, product: w.product, committedG: 120_000 });
    const allocation = allocateSlowly(c.id, 100_000, 300);
    await new Promise((r) => setTimeout(r, 50));
    const res = await t.gql(AMEND, { input: { commitmentId: gid('Commitment', c.id), weight: '60' } }, w.as.producer.token);
    await allocation;
    expect(res.data.amendCommitment.__typename).toBe('ValidationError');
    expect(res.data.amendCommitment.issues[0].message).toMatch(/100 kg already allocated/);
  });

  it('an amendment that waits longer than the lock timeout gets AllocationBusyError and writes nothing', async () => {
    // Given a commitment another transaction holds locked for longer than the lock timeout (5 s)
    const c = await insertCommitment(t.database.db, { producer: w.producer, product: w.product, committedG: 120_000 });
    const holder = allocateSlowly(c.id, 0, 6_500);
    await new Promise((r) => setTimeout(r, 50));
    // When the producer amends it
    const res = await t.gql(AMEND, { input: { commitmentId: gid('Commitment', c.id), weight: '90' } }, w.as.producer.token);
    await holder;
    // Then the mutation gives up with the typed busy error instead of waiting, and the commitment is unchanged
    expect(res.data.amendCommitment).toEqual({ __typename: 'AllocationBusyError', code: 'ALLOCATION_BUSY' });
    const row = await t.database.db.selectFrom('commitments').selectAll().where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(row.committed_g).toBe(120_000);
  }, 30_000);

  it('concurrent assessments of one lot serialise: the lot follows the last one committed', async () => {
    const plot = await insertPlot(t.database.db, w.producer.id);
    const lot = await insertLot(t.database.db, { producer: w.producer, product: w.product, plotIds: [plot.id] });
    const results = await Promise.all(
      [0, 5, 12, 30, 50, 90, 160, 226].map((count) =>
        t.gql(RECORD, {
          input: {
            lotId: gid('Lot', lot.id), defectCounts: [{ defect: 'BLACK_BEAN', count }], moisturePct: '12', foreignMatterPct: '0.1',
            liveInsects: false, foulOdour: false,
          },
        }, w.as.curator.token),
      ),
    );
    for (const r of results) expect(r.data.recordAssessment.__typename).toBe('Assessment');
    const db = t.database.db;
    const latest = await db.selectFrom('assessments').selectAll().where('lot_id', '=', lot.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const row = await db.selectFrom('lots').selectAll().where('id', '=', lot.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ latest_assessment_id: latest.id, grade_code: latest.grade_code, off_grade: latest.off_grade });
    const events = await db.selectFrom('provenance_events').select('id').where('lot_id', '=', lot.id).where('kind', '=', 'ASSESSED').execute();
    expect(events).toHaveLength(8);
  });
});
