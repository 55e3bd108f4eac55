import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isAdmin, orgIdsWithRole, type Principal, requirePrincipal } from '../../platform/auth.js';
import type { DB, WebhookOwnerKind } from '../../platform/db-types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { globalId } from '../../platform/graphql/ids.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { inTransaction } from '../../platform/transaction.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import { concerns, EVENT_TYPES, isEventType } from '../outbox/catalogue.js';
import { newEventId } from '../outbox/outbox.js';
import * as outboxRepo from '../outbox/outbox.repo.js';
import { mayAdminister } from '../partners/partners.service.js';
import { receiverOf } from './deliver.js';
import { toStoredEvent } from './dispatch.js';
import { newSigningSecret } from './signature.js';
import { checkUrlForm, resolveSafely, UnsafeUrlError, type UrlPolicy } from './ssrf.js';
import * as repo from './webhooks.repo.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Webhook endpoints of an organisation: registered by whoever administers the organisation (the
 * same people and clients that register machine clients: brand manager, cooperative manager, a buyer
 * organisation's admin, a platform admin for platform endpoints); a client needs `webhooks:manage`.
 * - The URL is HTTPS (HTTP only with WEBHOOK_ALLOW_HTTP), and its host must resolve to public
 *   addresses only (ssrf.ts), checked here and again before every attempt.
 * - The signing secret (`whsec_…`) is shown once; a rotation adds a second one (both sign until the
 *   old one is revoked); at most two are active.
 * - Whoever may not manage an endpoint gets NotFound for it (it looks like it does not exist).
 */

export const MAX_ACTIVE_SECRETS = 2;

const ROLE_OF_KIND = { brand: 'BRAND_MANAGER', coop: 'COOP_MANAGER', buyer: 'BUYER', platform: 'ADMIN' } as const;
const KIND_OF_TYPENAME: Record<string, Exclude<WebhookOwnerKind, 'platform'>> = { Brand: 'brand', Cooperative: 'coop', BuyerOrganization: 'buyer' };
export const TYPENAME_OF_KIND = { brand: 'Brand', coop: 'Cooperative', buyer: 'BuyerOrganization' } as const;

const mayManage = (principal: Principal, kind: WebhookOwnerKind, id: number | null) =>
  mayAdminister(principal, ROLE_OF_KIND[kind], id);

async function managed(db: Kysely<DB>, principal: Principal, endpointId: number) {
  const endpoint = await repo.findEndpoint(db, endpointId);
  if (!endpoint || !mayManage(principal, endpoint.owner_kind, endpoint.owner_id)) throw new NotFoundError('WebhookEndpoint', 'input.endpointId');
  return endpoint;
}

const EventTypes = z
  .array(z.string())
  .min(1, zm({ en: 'must name at least one event type', id: 'sebutkan paling sedikit satu jenis peristiwa' }))
  .max(EVENT_TYPES.length)
  .superRefine((types, ctx) => {
    types.forEach((type, i) => {
      if (!isEventType(type)) {
        addIssue(ctx, [i], { en: `is not an event type; known: ${EVENT_TYPES.join(', ')}`, id: `bukan jenis peristiwa yang dikenal; yang ada: ${EVENT_TYPES.join(', ')}` });
      }
    });
  });

const RegisterInput = z.object({
  url: z.string().trim().min(8).max(2000, zm(ISSUES.maxChars({ max: 2000 }))),
  eventTypes: EventTypes,
  description: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(500).nullish()),
});

async function checkUrl(raw: string, policy: UrlPolicy, path: string): Promise<string> {
  try {
    const url = checkUrlForm(raw, policy);
    await resolveSafely(url, policy);
    return url.toString();
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw ValidationError.field(path, error.text);
    throw error;
  }
}

export async function registerEndpoint(
  db: Kysely<DB>,
  policy: UrlPolicy,
  actor: Principal | null,
  input: { organization: { typename: string; id: number } | null; url: string; eventTypes: string[]; description?: string | null },
) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(RegisterInput, { url: input.url, eventTypes: input.eventTypes, description: input.description });
  const kind: WebhookOwnerKind = input.organization ? KIND_OF_TYPENAME[input.organization.typename]! : 'platform';
  const ownerId = input.organization?.id ?? null;
  if (!mayManage(principal, kind, ownerId)) {
    throw new ForbiddenError(kind === 'platform'
      ? 'Only a platform admin registers platform webhooks'
      : 'Only the organisation\'s administrator (brand manager, cooperative manager, buyer admin) or a platform admin registers its webhooks');
  }
  const url = await checkUrl(parsed.url, policy, 'input.url');
  const secret = newSigningSecret();
  return inTransaction(db, async (trx) => {
    const endpoint = await repo.insertEndpoint(trx, {
      ownerKind: kind, ownerId, url, eventTypes: [...new Set(parsed.eventTypes)], description: parsed.description ?? null, createdBy: principal.userId,
    });
    await repo.insertSecret(trx, endpoint.id, secret);
    return { endpoint, secret };
  });
}

const UpdateInput = z.object({ url: z.string().trim().min(8).max(2000).nullish(), eventTypes: EventTypes.nullish() });

export async function updateEndpoint(db: Kysely<DB>, policy: UrlPolicy, actor: Principal | null, endpointId: number, input: z.input<typeof UpdateInput>) {
  const principal = requirePrincipal(actor);
  const parsed = parseInput(UpdateInput, input);
  await managed(db, principal, endpointId);
  const url = parsed.url ? await checkUrl(parsed.url, policy, 'input.url') : undefined;
  return inTransaction(db, (trx) => repo.updateEndpoint(trx, endpointId, {
    ...(url ? { url } : {}), ...(parsed.eventTypes ? { eventTypes: [...new Set(parsed.eventTypes)] } : {}),
  }));
}

export async function rotateSecret(db: Kysely<DB>, actor: Principal | null, endpointId: number) {
  const principal = requirePrincipal(actor);
  await managed(db, principal, endpointId);
  const secret = newSigningSecret();
  return inTransaction(db, async (trx) => {
    const endpoint = (await repo.lockEndpoint(trx, endpointId))!;
    if ((await repo.activeSecrets(trx, endpointId)).length >= MAX_ACTIVE_SECRETS) {
      throw new ConflictError(`The endpoint already has ${MAX_ACTIVE_SECRETS} active secrets; revoke one first`, 'input.endpointId');
    }
    await repo.insertSecret(trx, endpointId, secret);
    return { endpoint, secret };
  });
}

export async function revokeSecret(db: Kysely<DB>, actor: Principal | null, endpointId: number, secretId: number) {
  const principal = requirePrincipal(actor);
  await managed(db, principal, endpointId);
  return inTransaction(db, async (trx) => {
    const endpoint = (await repo.lockEndpoint(trx, endpointId))!;
    const active = await repo.activeSecrets(trx, endpointId);
    if (!active.some((s) => s.id === secretId)) throw new NotFoundError('WebhookSecret', 'input.secretId', 'No active secret with this id on this endpoint');
    if (active.length === 1) throw new ConflictError('This is the endpoint\'s only active secret: rotate first, then revoke the old one', 'input.secretId');
    await repo.revokeSecret(trx, endpointId, secretId);
    return endpoint;
  });
}

export async function setDisabled(db: Kysely<DB>, actor: Principal | null, endpointId: number, disabled: boolean) {
  const principal = requirePrincipal(actor);
  await managed(db, principal, endpointId);
  return inTransaction(db, async (trx) => {
    await repo.lockEndpoint(trx, endpointId);
    if (disabled) await repo.cancelPendingOf(trx, endpointId);
    return repo.updateEndpoint(trx, endpointId, disabled
      ? { disabledAt: new Date(), disabledReason: 'Disabled by its owner' }
      : { disabledAt: null, disabledReason: null, failingSince: null });
  });
}

/** Send an event to an endpoint again (same webhook-id), if the event concerns the endpoint's organisation. */
export async function replayEvent(db: Kysely<DB>, actor: Principal | null, endpointId: number, eventPublicId: string) {
  const principal = requirePrincipal(actor);
  const endpoint = await managed(db, principal, endpointId);
  const event = /^evt_[A-Za-z0-9]{20,40}$/.test(eventPublicId) ? await outboxRepo.findEventByPublicId(db, eventPublicId) : undefined;
  if (!event || event.type === 'webhook.ping' || !concerns(toStoredEvent(event), receiverOf(endpoint.owner_kind, endpoint.owner_id))) {
    throw new NotFoundError('Event', 'input.eventId');
  }
  if (endpoint.disabled_at !== null) throw new ConflictError('The endpoint is disabled: enable it first', 'input.endpointId');
  return inTransaction(db, async (trx) => {
    const [delivery] = await repo.insertDeliveries(trx, [{ endpointId, eventId: event.id, kind: 'REPLAY' }]);
    await repo.enqueueDelivery(trx, delivery!.id);
    return { ...delivery!, public_id: event.public_id, type: event.type };
  });
}

/** A `webhook.ping` to the endpoint (to test it); returns its delivery. */
export async function sendTestPing(db: Kysely<DB>, actor: Principal | null, endpointId: number) {
  const principal = requirePrincipal(actor);
  const endpoint = await managed(db, principal, endpointId);
  if (endpoint.disabled_at !== null) throw new ConflictError('The endpoint is disabled: enable it first', 'input.endpointId');
  return inTransaction(db, async (trx) => {
    const event = await repo.insertPingEvent(trx, {
      publicId: newEventId(),
      subjectId: globalId('WebhookEndpoint', endpoint.id),
      audience: endpoint.owner_kind === 'platform' ? '*' : `${endpoint.owner_kind}:${endpoint.owner_id}`,
      data: { message: 'Test ping from Lumbung', endpoint: globalId('WebhookEndpoint', endpoint.id) },
    });
    const [delivery] = await repo.insertDeliveries(trx, [{ endpointId, eventId: event.id, kind: 'PING' }]);
    await repo.enqueueDelivery(trx, delivery!.id);
    return { ...delivery!, public_id: event.public_id, type: event.type };
  });
}

/** Endpoints the caller manages (all, for a platform admin). */
export function listEndpoints(db: Kysely<DB>, actor: Principal | null, page: KeysetPage) {
  const principal = requirePrincipal(actor);
  if (isAdmin(principal)) return repo.listEndpoints(db, { all: true, owners: [] }, page);
  const owners = [
    ...orgIdsWithRole(principal, 'BRAND_MANAGER').map((id) => ({ kind: 'brand' as const, id })),
    ...orgIdsWithRole(principal, 'COOP_MANAGER').map((id) => ({ kind: 'coop' as const, id })),
    ...principal.grants.filter((g) => g.role === 'BUYER' && g.orgAdmin && g.orgId !== null).map((g) => ({ kind: 'buyer' as const, id: g.orgId as number })),
  ];
  return repo.listEndpoints(db, { all: false, owners }, page);
}

export const canSeeEndpoint = (principal: Principal | null, e: repo.EndpointRow) => principal !== null && mayManage(principal, e.owner_kind, e.owner_id);

export const secretsOf = (db: Kysely<DB>, endpointId: number) => repo.activeSecrets(db, endpointId);
export const deliveriesOf = (db: Kysely<DB>, endpointId: number, page: { before: number | null; limit: number }) => repo.deliveriesOfEndpoint(db, endpointId, page);
export const attemptsOf = (db: Kysely<DB>, deliveryIds: readonly number[]) => repo.attemptsOf(db, deliveryIds);

