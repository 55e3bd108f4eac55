import type { Kysely } from 'kysely';
import { z } from 'zod';
import { hasRole, isAdmin, type Principal } from '../../platform/auth.js';
import type { ConsentPurpose, DB } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { inTransaction } from '../../platform/transaction.js';
import { parseInput, zm } from '../../platform/validate.js';
import { accessToProducer, assertCanManageProducer } from '../producers/access.js';
import * as repo from './consent.repo.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Producers' consent to disclose their name (UU 27/2022 on personal data protection).
 *
 * - Purposes: NAME_TO_BUYERS (the buyer's order trace) and NAME_IN_EXPORT_DOCUMENTS (EUDR package,
 *   EPCIS document). Each is given and withdrawn separately.
 * - Who: the producer themself (given_by PRODUCER, evidence optional); their cooperative manager
 *   (COOPERATIVE_MANAGER) or an admin (ADMIN), each with evidence (e.g. "signed form 2026-11-30,
 *   scanned as KOP-17/2026"). A withdrawal by the cooperative manager also needs evidence.
 * - Each change is one consent_events row: who, when, for what, evidence. The latest row per
 *   (producer, purpose) is the state; nothing is ever updated or deleted. Withdrawal affects what
 *   is built from then on: documents already downloaded stay as they were.
 * - Without consent every reader outside the brand sees "Contributor n" (contributorLabel).
 */

export const PURPOSES = ['NAME_TO_BUYERS', 'NAME_IN_EXPORT_DOCUMENTS'] as const satisfies readonly ConsentPurpose[];

/** The stable label of the n-th contributor (1-based) of an order or shipment. */
export const contributorLabel = (n: number) => `Contributor ${n}`;

/** Display names of the producers that currently consent to `purpose` (absent = no consent). */
export async function disclosedNames(db: Kysely<DB> | Parameters<typeof repo.consentedNames>[0], producerIds: readonly number[], purpose: ConsentPurpose): Promise<Map<number, string>> {
  const rows = await repo.consentedNames(db, [...new Set(producerIds)], purpose);
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

const ChangeInput = z.object({
  producerId: z.number().int(),
  purpose: z.enum(PURPOSES),
  evidence: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(2000, zm(ISSUES.maxChars({ max: 2000 }))).nullish(),
  ),
});
export type ConsentChangeInput = z.input<typeof ChangeInput>;

/** Record that consent was given (GIVEN) or withdrawn (WITHDRAWN). One transaction, the producer row locked. */
export async function changeConsent(
  db: Kysely<DB>,
  actor: Principal | null,
  action: 'GIVEN' | 'WITHDRAWN',
  input: ConsentChangeInput,
) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(ChangeInput, input);
  await assertCanManageProducer(db, actor, parsed.producerId, 'input.producerId');
  return inTransaction(db, async (trx) => {
    const producer = await repo.lockProducer(trx, parsed.producerId);
    if (!producer) throw new NotFoundError('Producer', 'input.producerId');
    const self = hasRole(actor, 'PRODUCER', producer.id);
    const givenBy = self ? 'PRODUCER' : isAdmin(actor) ? 'ADMIN' : 'COOPERATIVE_MANAGER';
    if (givenBy === 'COOPERATIVE_MANAGER' && !(producer.cooperative_id !== null && hasRole(actor, 'COOP_MANAGER', producer.cooperative_id))) {
      throw new ForbiddenError('Only the producer, their cooperative manager or an admin records their consent');
    }
    const evidence = parsed.evidence ?? null;
    if (givenBy !== 'PRODUCER' && evidence === null) {
      throw ValidationError.field('input.evidence', {
        en: 'is required when you record consent for the producer: say what shows their decision (a signed form, a recorded call, …)',
        id: 'wajib diisi bila Anda mencatat persetujuan atas nama produsen: sebutkan buktinya (formulir bertanda tangan, rekaman telepon, …)',
      });
    }
    const [current] = await repo.currentConsents(trx, [producer.id], parsed.purpose);
    if (action === 'WITHDRAWN' && current?.action !== 'GIVEN') {
      throw new ConflictError(`There is no consent for ${parsed.purpose} to withdraw`, 'input.purpose');
    }
    return repo.insertConsentEvent(trx, {
      producer_id: producer.id, purpose: parsed.purpose, action, given_by: givenBy, actor_user_id: actor.userId, evidence,
    });
  });
}

export interface ConsentState {
  producerId: number;
  purpose: ConsentPurpose;
  given: boolean;
  since: Date | null;
}

/** Current consent of a producer per purpose, and its history: those who may view the producer. */
export async function consentOf(db: Kysely<DB>, actor: Principal | null, producerId: number) {
  if (!actor) throw new UnauthenticatedError();
  const access = await accessToProducer(db, actor, producerId);
  if (!access.view) throw new NotFoundError('Producer', 'producerId');
  const [current, events] = await Promise.all([repo.currentConsents(db, [producerId]), repo.eventsOfProducer(db, producerId)]);
  const states: ConsentState[] = PURPOSES.map((purpose) => {
    const row = current.find((c) => c.purpose === purpose);
    return { producerId, purpose, given: row?.action === 'GIVEN', since: row?.at ?? null };
  });
  return { producerId, states, events };
}
