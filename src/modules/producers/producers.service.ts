import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hashPassword, hasRole, isAdmin, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, NewRow } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, type Issue, issueAt, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { isUniqueViolation } from '../../platform/sql.js';
import { parseInput, zm, zodIssues } from '../../platform/validate.js';
import * as accountsRepo from '../accounts/accounts.repo.js';
import { validatePlotGeolocation } from '../plots/geo.js';
import { plotAltitudeM, plotAreaHa, plotName } from '../plots/plot-fields.js';
import { visibleProducersFilter } from './access.js';
import * as repo from './producers.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES, type IssueText, nId } from '../../platform/issue-messages.js';

/**
 * Cooperatives and producers. A cooperative manager registers the producers of their cooperative
 * (one at a time, optionally with a sign-in account, or in bulk from a spreadsheet with plots);
 * an admin may register anyone, also producers without a cooperative.
 */

/** The manager of the cooperative or an admin. */
export const managesCooperative = (actor: Principal | null, cooperativeId: number) =>
  isAdmin(actor) || hasRole(actor, 'COOP_MANAGER', cooperativeId);

// Validation -----------------------------------------------------------------------------------

const text = (max: number) => z.string().trim().min(1, zm(ISSUES.notEmpty)).max(max, zm(ISSUES.maxChars({ max })));
/** Optional text: empty or blank counts as not given. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), schema.nullish());

export const PRODUCER_KINDS = ['SMALLHOLDER', 'UMKM'] as const;

const Contact = z.object({
  phone: optional(z.string().trim().regex(/^\+?[0-9][0-9 ()-]{5,24}$/, zm({ en: 'must be a phone number, e.g. +62 812 3456 7890', id: 'harus nomor telepon, misalnya +62 812 3456 7890' }))),
  email: optional(z.string().trim().max(254).email(zm(ISSUES.email))),
  address: optional(z.string().trim().max(500, zm(ISSUES.maxChars({ max: 500 })))),
});

const ProducerFields = z.object({
  displayName: text(200),
  kind: z.enum(PRODUCER_KINDS),
  village: text(100),
  district: text(100),
  regency: text(100),
  contact: Contact.nullish(),
});

const AccountInput = z.object({
  email: z.string().trim().max(254).email(zm(ISSUES.email)),
  password: z.string().min(12, zm(ISSUES.minChars({ min: 12 }))).max(200, zm(ISSUES.maxChars({ max: 200 }))),
});

const RegisterProducerInput = ProducerFields.extend({ account: AccountInput.nullish() });

/** One plot of a bulk row: the same field rules as registerPlot (plots/plot-fields.ts). */
const PlotRow = z.object({
  name: plotName,
  areaHa: plotAreaHa,
  altitudeM: plotAltitudeM,
  geolocation: z.unknown(),
});

export const MAX_BULK_ROWS = 1000;
export const MAX_PLOTS_PER_ROW = 50;

const BulkRow = ProducerFields.extend({
  plots: z
    .array(PlotRow)
    .max(MAX_PLOTS_PER_ROW, zm({ en: `at most ${MAX_PLOTS_PER_ROW} plots per producer`, id: `paling banyak ${MAX_PLOTS_PER_ROW} lahan per produsen` }))
    .nullish(),
});

type ContactIn = z.output<typeof Contact> | null | undefined;
const contactColumns = (c: ContactIn) => ({
  contact_phone: c?.phone ?? null,
  contact_email: c?.email ?? null,
  contact_address: c?.address ?? null,
});

// Cooperatives ---------------------------------------------------------------------------------

const CooperativeInput = z.object({ name: text(200), regency: text(100) });

/** Create a cooperative (an admin or any brand manager); appoint its manager with grantRole. */
export async function createCooperative(db: Kysely<DB>, actor: Principal | null, input: z.input<typeof CooperativeInput>) {
  const principal = requirePrincipal(actor);
  if (!isAdmin(principal) && !hasRole(principal, 'BRAND_MANAGER')) {
    throw new ForbiddenError('Only an admin or a brand manager creates cooperatives');
  }
  return repo.insertCooperative(db, parseInput(CooperativeInput, input));
}

/** Cooperatives (name, regency) are public to every signed-in user. */
export async function listCooperatives(db: Kysely<DB>, actor: Principal | null, page: KeysetPage) {
  requirePrincipal(actor);
  return repo.listCooperatives(db, page);
}

// Producers ------------------------------------------------------------------------------------

async function checkCooperative(db: Kysely<DB>, principal: Principal, cooperativeId: number | null) {
  if (cooperativeId === null) {
    if (!isAdmin(principal)) {
      throw ValidationError.field('input.cooperativeId', { en: 'is required: give the cooperative you manage', id: 'wajib diisi: sebutkan koperasi yang Anda kelola' });
    }
    return;
  }
  if (!(await repo.findCooperative(db, cooperativeId))) throw new NotFoundError('Cooperative', 'input.cooperativeId');
  if (!managesCooperative(principal, cooperativeId)) {
    throw new ForbiddenError('Only the manager of this cooperative or an admin registers its producers');
  }
}

/**
 * Register one producer (the cooperative's manager or an admin). With `account`, a sign-in user
 * is created and granted PRODUCER on the new producer, in the same transaction.
 */
export async function registerProducer(
  db: Kysely<DB>,
  actor: Principal | null,
  cooperativeId: number | null,
  input: z.input<typeof RegisterProducerInput>,
) {
  const principal = requirePrincipal(actor);
  await checkCooperative(db, principal, cooperativeId);
  const parsed = parseInput(RegisterProducerInput, input);
  const account = parsed.account ?? null;
  if (account && (await accountsRepo.findUserByEmail(db, account.email))) {
    throw new ConflictError('A user with this email exists', 'input.account.email');
  }
  // Hash outside the transaction: scrypt takes ~100 ms and must not hold a connection.
  const passwordHash = account ? await hashPassword(account.password) : null;
  try {
    return await inTransaction(db, async (trx) => {
      let producer = await repo.insertProducer(trx, {
        cooperative_id: cooperativeId,
        display_name: parsed.displayName,
        kind: parsed.kind,
        village: parsed.village,
        district: parsed.district,
        regency: parsed.regency,
        ...contactColumns(parsed.contact),
      });
      if (account && passwordHash) {
        const user = await accountsRepo.insertUser(trx, { email: account.email, display_name: parsed.displayName, password_hash: passwordHash });
        producer = await repo.setProducerUser(trx, producer.id, user.id);
        await accountsRepo.insertGrant(trx, { user_id: user.id, role: 'PRODUCER', producer_id: producer.id, granted_by: principal.userId });
      }
      return producer;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError('A user with this email exists', 'input.account.email');
    throw e;
  }
}

export interface BulkRowInput {
  displayName: string;
  kind: string;
  village: string;
  district: string;
  regency: string;
  contact?: { phone?: string | null; email?: string | null; address?: string | null } | null;
  plots?: Array<{ name: string; areaHa: string; altitudeM: number; geolocation?: unknown }> | null;
}

type ValidRow = z.output<typeof BulkRow>;

/**
 * Check every row and every plot (fields, then EUDR geolocation); return the valid rows with their
 * validated geometry, or ONE ValidationError listing every problem of every row. Paths are
 * `input.rows.<i>.<field>` (0-based); messages start with "row <i+1>" for spreadsheet users.
 */
export function validateBulkRows(rows: readonly BulkRowInput[]) {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw ValidationError.field('input.rows', { en: 'must contain at least one row', id: 'harus berisi paling sedikit satu baris' });
  }
  if (rows.length > MAX_BULK_ROWS) {
    throw ValidationError.field('input.rows', {
      en: `must contain at most ${MAX_BULK_ROWS} rows (got ${rows.length}); split the file`,
      id: `paling banyak ${nId(MAX_BULK_ROWS)} baris (yang dikirim ${nId(rows.length)}); pecah berkasnya`,
    });
  }
  const issues: Issue[] = [];
  const valid: Array<{ row: ValidRow; plots: Array<{ geometry: string; computedAreaHa: string | null }> }> = [];
  rows.forEach((raw: BulkRowInput, i: number) => {
    const base = `input.rows.${i}`;
    const label = (text: IssueText): IssueText => ({ en: `row ${i + 1}: ${text.en}`, id: `baris ${i + 1}: ${text.id}` });
    const result = BulkRow.safeParse(raw);
    const rowIssues: Issue[] = result.success ? [] : zodIssues(result.error.issues, base);
    const plots: Array<{ geometry: string; computedAreaHa: string | null }> = [];
    (raw.plots ?? []).forEach((plot: NonNullable<BulkRowInput['plots']>[number] | null, j: number) => {
      // The declared area decides whether a Point is enough; only pass it when it is itself valid.
      const area = plotAreaHa.safeParse(plot?.areaHa);
      const geo = validatePlotGeolocation(plot?.geolocation, area.success ? area.data : null, `${base}.plots.${j}.geolocation`);
      if (geo.ok) plots.push({ geometry: JSON.stringify(geo.geometry), computedAreaHa: geo.computedAreaHa });
      else rowIssues.push(...geo.issues.map((g) => issueAt(g.path, { en: `[${g.rule}] ${g.text.en}`, id: `[${g.rule}] ${g.text.id}` })));
    });
    if (rowIssues.length > 0) issues.push(...rowIssues.map((x) => issueAt(x.path, label(x.text))));
    else if (result.success) valid.push({ row: result.data, plots });
  });
  if (issues.length > 0) {
    const bad = new Set(issues.map((x) => Number(x.path.split('.')[2])));
    throw new ValidationError(
      issues,
      `${bad.size} of ${rows.length} rows are invalid (rows ${[...bad].map((r) => r + 1).join(', ')}); nothing was registered`,
    );
  }
  return valid;
}

/**
 * Register up to 1,000 producers with their plots, all or nothing: every row is validated first;
 * then producers and plots are written with multi-row inserts in one transaction.
 */
export async function registerProducers(
  db: Kysely<DB>,
  actor: Principal | null,
  cooperativeId: number,
  rows: readonly BulkRowInput[],
): Promise<{ count: number; plotCount: number; producerIds: number[] }> {
  const principal = requirePrincipal(actor);
  await checkCooperative(db, principal, cooperativeId);
  const valid = validateBulkRows(rows);
  return inTransaction(db, async (trx) => {
    const producerIds = await repo.insertProducersBulk(
      trx,
      valid.map(({ row }) => ({
        cooperative_id: cooperativeId,
        display_name: row.displayName,
        kind: row.kind,
        village: row.village,
        district: row.district,
        regency: row.regency,
        ...contactColumns(row.contact),
      })),
    );
    const plots: NewRow<'plots'>[] = [];
    valid.forEach(({ row, plots: geos }, i) => {
      (row.plots ?? []).forEach((plot: z.output<typeof PlotRow>, j: number) => {
        plots.push({
          producer_id: producerIds[i]!,
          name: plot.name,
          area_ha: plot.areaHa,
          altitude_m: plot.altitudeM,
          geometry: geos[j]!.geometry,
          computed_area_ha: geos[j]!.computedAreaHa,
          eudr_ready: true,
        });
      });
    });
    const plotCount = await repo.insertPlotsBulk(trx, plots);
    return { count: producerIds.length, plotCount, producerIds };
  });
}

/** Producers the caller may see, optionally those with a membership in a brand or of a cooperative. */
export async function listProducers(db: Kysely<DB>, actor: Principal | null, filter: repo.ProducerListFilter, page: KeysetPage) {
  requirePrincipal(actor);
  return repo.listProducers(db, visibleProducersFilter(actor), filter, page);
}
