import * as outboxRepo from '../modules/outbox/outbox.repo.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { countUsers, insertGrant } from '../modules/accounts/accounts.repo.js';
import { createBuyerOrganization, insertUserChecked } from '../modules/accounts/accounts.service.js';
import { createBrand, createProduct, setGradeScheme } from '../modules/brands/brands.service.js';
import { insertCommitment } from '../modules/commitments/commitments.repo.js';
import { SNI_ARABICA_PRESET } from '../modules/grading/sni.js';
import { recordAssessment } from '../modules/grading/grading.service.js';
import { declareLot } from '../modules/lots/lots.service.js';
import { applyForMembership, decideMembership, suspendMembership } from '../modules/memberships/memberships.service.js';
import { registerPlot } from '../modules/plots/plots.service.js';
import { createCooperative, registerProducer, registerProducers } from '../modules/producers/producers.service.js';
import { appendEvent } from '../modules/provenance/provenance.repo.js';
import { loadPrincipal, type Principal } from '../platform/auth.js';
import type { DB, RoleName } from '../platform/db-types.js';
import { inTransaction } from '../platform/transaction.js';
import { composeModules } from '../composition.js';
import { type DemoPlan, planDemo, type PlannedProducer } from './demo-data.js';

/**
 * The demo data: loaded through the modules' services (they check the rules and write the
 * membership history and the DECLARED/ASSESSED provenance events), in a fixed order, so the same
 * plan gives the same rows and ids. Two exceptions, both keeping the services' invariants:
 * - role grants are inserted with the accounts repo (there is no "grant" service without an actor);
 * - commitments are inserted with the commitments repo plus a COMMITTED provenance event, like
 *   `commitVolume`, because commitVolume checks windows against today's date and the demo's
 *   2027 windows are fixed dates (the seed must give the same data in any year).
 *
 * It is not one transaction (each service opens its own). If it fails half-way, start from an
 * empty database again.
 */

export const DEMO_PASSWORD = 'lumbung-demo-2027';

export interface DemoLogin { role: RoleName; email: string; displayName: string; note: string }

export const DEMO_LOGINS = {
  admin: { role: 'ADMIN', email: 'admin@lumbung.example', displayName: 'Platform Admin', note: 'creates brands, appoints managers' },
  manager: { role: 'BRAND_MANAGER', email: 'manager@lumbung.example', displayName: 'Dewi Kartika (Java Ijen-Raung Arabica)', note: 'manages Java Ijen-Raung Arabica' },
  curator: { role: 'CURATOR', email: 'curator@lumbung.example', displayName: 'Rumah Kurasi Jawa Timur', note: 'curator of both brands; recorded every assessment' },
  coop: { role: 'COOP_MANAGER', email: 'coop@lumbung.example', displayName: 'Pak Slamet (Koperasi Ijen Lestari)', note: 'manages Koperasi Produsen Kopi Ijen Lestari (Bondowoso)' },
  producer: { role: 'PRODUCER', email: 'producer@lumbung.example', displayName: '', note: 'a Bondowoso Arabica smallholder' },
  buyer: { role: 'BUYER', email: 'buyer@lumbung.example', displayName: 'Omar Farouk (Nile Green Coffee Importers)', note: 'buyer at an Egyptian importer (EG)' },
} as const satisfies Record<string, DemoLogin>;

export const DEMO_BRANDS = {
  arabica: { name: 'Java Ijen-Raung Arabica', feePct: '5' },
  robusta: { name: 'Java Robusta Dampit-Jember', feePct: '4.5' },
} as const;
export const DEMO_PRODUCTS = {
  arabica: { name: 'Arabica green bean, fully washed', species: 'ARABICA', process: 'WASHED' },
  robusta: { name: 'Robusta green bean, natural', species: 'ROBUSTA', process: 'NATURAL' },
} as const;
export const DEMO_BUYER_ORG = { name: 'Nile Green Coffee Importers', country: 'EG' } as const;

/** Specialty above SNI grade 1: SCA cupping ≥ 80, defect value ≤ 5, moisture ≤ 12 %. */
const ARABICA_WITH_SPECIALTY = [
  { code: 'SPECIALTY', label: 'Specialty (SCA cupping ≥ 80)', rank: 1, maxDefectValue: '5', maxMoisturePct: '12', minCuppingScore: '80' },
  ...SNI_ARABICA_PRESET.grades.map((g) => ({ ...g, rank: g.rank + 1 })),
];

export interface SeedSummary {
  users: number;
  brands: number;
  cooperatives: number;
  producers: number;
  plots: number;
  lots: number;
  assessments: number;
  commitments: number;
  ms: number;
  logins: Array<DemoLogin & { password: string }>;
}

type Log = Pick<FastifyBaseLogger, 'info'>;

/** Loads the demo data into an empty database (no users). Returns whether it did. */
export async function seedIfEmpty(db: Kysely<DB>, log: Log): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  const summary = await seedDemo(db);
  log.info(
    { ms: summary.ms, producers: summary.producers, lots: summary.lots, commitments: summary.commitments },
    `demo data loaded; sign in with any of ${summary.logins.map((l) => l.email).join(', ')} and password ${DEMO_PASSWORD}`,
  );
  return true;
}

const must = async (db: Kysely<DB>, userId: number): Promise<Principal> => {
  const p = await loadPrincipal(db, userId);
  if (!p) throw new Error(`seed: user ${userId} vanished`);
  return p;
};

/** Load the demo plan. Call only on an empty database (see seedIfEmpty and scripts/seed.ts). */
export async function seedDemo(db: Kysely<DB>, plan: DemoPlan = planDemo()): Promise<SeedSummary> {
  composeModules();
  const started = Date.now();
  const people = await seedPeople(db);
  const supply = await seedBrands(db, people);
  const orgs = await seedOrganisations(db, plan, people);
  const cast: Cast = {
    ...supply,
    ...orgs,
    admin: people.admin,
    brandOf: (p) => (p.brand === 'ARABICA' ? supply.arabica : supply.robusta),
    productOf: (p) => (p.brand === 'ARABICA' ? supply.arabicaProduct : supply.robustaProduct),
    actorFor: (p) => (p.cooperative === 0 ? orgs.coopManager : people.admin),
  };
  const producers = await seedProducers(db, plan, cast);
  const memberships = await seedMemberships(db, plan, cast, producers);
  const assessments = await seedLots(db, plan, cast, producers);
  // The suspended member: approved, declared lots, then suspended by the brand manager.
  for (const p of plan.producers.filter((x) => x.membership === 'SUSPENDED')) {
    await suspendMembership(db, cast.manager, memberships.get(p.key)!, 'Lot sent outside the brand during the audit; under review');
  }
  await seedCommitments(db, plan, cast, producers);
  // The demo's own history is not announced: no webhook endpoint or subscriber existed while it was made.
  await outboxRepo.settleAll(db);

  const logins = Object.values(DEMO_LOGINS).map((l) => ({
    ...l,
    displayName: l.role === 'PRODUCER' ? producers.loginProducer.displayName : l.displayName,
    password: DEMO_PASSWORD,
  }));
  return {
    users: 6,
    brands: 2,
    cooperatives: orgs.cooperatives.length,
    producers: producers.ids.size,
    plots: producers.plotCount,
    lots: plan.lots.length,
    assessments,
    commitments: plan.commitments.length,
    ms: Date.now() - started,
    logins,
  };
}

type Brand = Awaited<ReturnType<typeof createBrand>>;
type Product = Awaited<ReturnType<typeof createProduct>>;

/** Who acts in the demo and what they act on, as the steps below need it. */
interface Cast {
  admin: Principal;
  manager: Principal;
  curator: Principal;
  coopManager: Principal;
  arabica: Brand;
  robusta: Brand;
  arabicaProduct: Product;
  robustaProduct: Product;
  cooperatives: Array<{ id: number }>;
  brandOf: (p: PlannedProducer) => Brand;
  productOf: (p: PlannedProducer) => Product;
  /** The demo cooperative manager acts for the first cooperative's producers, the admin for the others. */
  actorFor: (p: PlannedProducer) => Principal;
}

/** The users (the producer's account is created with the producer, see seedProducers); the admin's grant. */
async function seedPeople(db: Kysely<DB>) {
  const user = async (key: Exclude<keyof typeof DEMO_LOGINS, 'producer'>) =>
    insertUserChecked(db, { email: DEMO_LOGINS[key].email, password: DEMO_PASSWORD, displayName: DEMO_LOGINS[key].displayName });
  const adminUser = await user('admin');
  await insertGrant(db, { user_id: adminUser.id, role: 'ADMIN' });
  const admin = await must(db, adminUser.id);
  return { admin, managerUser: await user('manager'), curatorUser: await user('curator'), coopUser: await user('coop'), buyerUser: await user('buyer') };
}

/** Brands with their manager and curator, products and grade schemes. */
async function seedBrands(db: Kysely<DB>, people: Awaited<ReturnType<typeof seedPeople>>) {
  const { admin, managerUser, curatorUser } = people;
  const arabica = await createBrand(db, admin, { name: DEMO_BRANDS.arabica.name, commodity: 'COFFEE', feePct: DEMO_BRANDS.arabica.feePct });
  const robusta = await createBrand(db, admin, { name: DEMO_BRANDS.robusta.name, commodity: 'COFFEE', feePct: DEMO_BRANDS.robusta.feePct });
  await insertGrant(db, { user_id: managerUser.id, role: 'BRAND_MANAGER', brand_id: arabica.id, granted_by: admin.userId });
  await insertGrant(db, { user_id: curatorUser.id, role: 'CURATOR', brand_id: arabica.id, granted_by: admin.userId });
  await insertGrant(db, { user_id: curatorUser.id, role: 'CURATOR', brand_id: robusta.id, granted_by: admin.userId });
  const manager = await must(db, managerUser.id);
  const curator = await must(db, curatorUser.id);

  const arabicaProduct = await createProduct(db, manager, arabica.id, {
    ...DEMO_PRODUCTS.arabica, commodity: 'COFFEE', form: 'GREEN', gradeScheme: { preset: 'SNI_ARABICA' },
  });
  // Version 2 of the scheme adds Specialty above SNI grade 1; every lot is assessed under it.
  await setGradeScheme(db, manager, arabicaProduct.id, { grades: ARABICA_WITH_SPECIALTY });
  const robustaProduct = await createProduct(db, admin, robusta.id, {
    ...DEMO_PRODUCTS.robusta, commodity: 'COFFEE', form: 'GREEN', gradeScheme: { preset: 'SNI_ROBUSTA' },
  });
  return { arabica, robusta, arabicaProduct, robustaProduct, manager, curator };
}

/** Cooperatives (the demo cooperative manager runs the first one) and the buyer organisation. */
async function seedOrganisations(db: Kysely<DB>, plan: DemoPlan, people: Awaited<ReturnType<typeof seedPeople>>) {
  const { admin, coopUser, buyerUser } = people;
  const cooperatives = [];
  for (const c of plan.cooperatives) cooperatives.push(await createCooperative(db, admin, { name: c.name, regency: c.regency }));
  await insertGrant(db, { user_id: coopUser.id, role: 'COOP_MANAGER', cooperative_id: cooperatives[0]!.id, granted_by: admin.userId });
  const coopManager = await must(db, coopUser.id);
  const buyerOrg = await createBuyerOrganization(db, admin, DEMO_BUYER_ORG);
  await insertGrant(db, { user_id: buyerUser.id, role: 'BUYER', buyer_org_id: buyerOrg.id, granted_by: admin.userId });
  return { cooperatives, coopManager };
}

interface SeededProducers {
  loginProducer: PlannedProducer;
  /** Plan key → producer id. */
  ids: Map<string, number>;
  /** Producer id → its plot ids, in id order. */
  plotsOf: Map<number, number[]>;
  plotCount: number;
}

/** Producers with their plots (geolocation validated by the services), in plan order. */
async function seedProducers(db: Kysely<DB>, plan: DemoPlan, cast: Cast): Promise<SeededProducers> {
  const loginProducer = plan.producers.find((p) => p.login)!;
  const ids = new Map<string, number>();
  const fields = (p: PlannedProducer) => ({
    displayName: p.displayName, kind: p.kind, village: p.village, district: p.district, regency: p.regency, contact: { phone: p.phone },
  });
  const login = await registerProducer(db, cast.coopManager, cast.cooperatives[0]!.id, {
    ...fields(loginProducer),
    account: { email: DEMO_LOGINS.producer.email, password: DEMO_PASSWORD },
  });
  ids.set(loginProducer.key, login.id);
  for (const plot of loginProducer.plots) await registerPlot(db, cast.coopManager, { producerId: login.id, ...plot });
  for (const [index, cooperative] of cast.cooperatives.entries()) {
    const rows = plan.producers.filter((p) => p.cooperative === index && !p.login);
    const result = await registerProducers(db, index === 0 ? cast.coopManager : cast.admin, cooperative.id, rows.map((p) => ({ ...fields(p), plots: p.plots })));
    rows.forEach((p, i) => ids.set(p.key, result.producerIds[i]!));
  }
  const plotRows = await db.selectFrom('plots').select(['id', 'producer_id']).orderBy('id').execute();
  const plotsOf = new Map<number, number[]>();
  for (const r of plotRows) plotsOf.set(r.producer_id, [...(plotsOf.get(r.producer_id) ?? []), r.id]);
  return { loginProducer, ids, plotsOf, plotCount: plotRows.length };
}

/** Every producer applies; the curator approves all but the pending applications. Plan key → membership id. */
async function seedMemberships(db: Kysely<DB>, plan: DemoPlan, cast: Cast, producers: SeededProducers): Promise<Map<string, number>> {
  const memberships = new Map<string, number>();
  for (const p of plan.producers) {
    const m = await applyForMembership(db, cast.actorFor(p), producers.ids.get(p.key)!, cast.brandOf(p).id);
    memberships.set(p.key, m.id);
    if (p.membership !== 'APPLIED') await decideMembership(db, cast.curator, m.id, 'APPROVE', 'Plots geolocated; first sample cupped at the Rumah Kurasi');
  }
  return memberships;
}

/** Lots of the 2026 harvest, and their assessments by the curator. Returns how many were assessed. */
async function seedLots(db: Kysely<DB>, plan: DemoPlan, cast: Cast, producers: SeededProducers): Promise<number> {
  const byKey = new Map(plan.producers.map((p) => [p.key, p]));
  let assessments = 0;
  for (const lot of plan.lots) {
    const p = byKey.get(lot.producer)!;
    const producerId = producers.ids.get(p.key)!;
    const plots = producers.plotsOf.get(producerId)!;
    const declared = await declareLot(db, cast.actorFor(p), {
      producerId,
      productId: cast.productOf(p).id,
      harvestStart: lot.harvestStart,
      harvestEnd: lot.harvestEnd,
      plotIds: lot.plots.map((i) => plots[i]!),
      netWeight: lot.netG,
      storageLocation: lot.storageLocation,
    });
    if (lot.assessment) {
      await recordAssessment(db, cast.curator, { lotId: declared.id, ...lot.assessment });
      assessments += 1;
    }
  }
  return assessments;
}

/** Commitments for the 2027 harvest, in one transaction (see the note at the top for why not commitVolume). */
async function seedCommitments(db: Kysely<DB>, plan: DemoPlan, cast: Cast, producers: SeededProducers): Promise<void> {
  const byKey = new Map(plan.producers.map((p) => [p.key, p]));
  const grades = await db
    .selectFrom('grades')
    .innerJoin('grade_schemes', 'grade_schemes.id', 'grades.scheme_id')
    .select(['grade_schemes.product_id', 'grade_schemes.version', 'grade_schemes.id as scheme_id', 'grades.code', 'grades.rank'])
    .orderBy('grade_schemes.version', 'desc')
    .execute();
  const gradeOf = (productId: number, code: string) => {
    const g = grades.find((x) => x.product_id === productId && x.code === code);
    if (!g) throw new Error(`seed: grade ${code} missing for product ${productId}`);
    return g;
  };
  await inTransaction(db, async (trx) => {
    for (const c of plan.commitments) {
      const p = byKey.get(c.producer)!;
      const producerId = producers.ids.get(p.key)!;
      const product = cast.productOf(p);
      const grade = gradeOf(product.id, c.minGrade);
      const commitment = await insertCommitment(trx, {
        producer_id: producerId, product_id: product.id, brand_id: product.brand_id, regency: p.regency,
        min_grade_code: grade.code, min_grade_rank: grade.rank, committed_g: c.weightG,
        window_start: c.windowStart, window_end: c.windowEnd,
        // As commitVolume: ready when the producer has plots and all of them are (services validated each).
        eudr_ready: (producers.plotsOf.get(producerId)?.length ?? 0) > 0,
      });
      await appendEvent(trx, {
        kind: 'COMMITTED',
        commitmentId: commitment.id,
        actorUserId: cast.actorFor(p).userId,
        payload: {
          producerId: commitment.producer_id, productId: commitment.product_id, committedG: commitment.committed_g,
          minGrade: { code: grade.code, rank: grade.rank, schemeId: grade.scheme_id },
          windowStart: commitment.window_start, windowEnd: commitment.window_end, eudrReady: commitment.eudr_ready,
        },
      });
    }
  });
}
