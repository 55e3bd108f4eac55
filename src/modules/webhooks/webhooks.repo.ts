import { sql, type Transaction } from 'kysely';
import type { DB, Db, DeliveryStatus, Row, WebhookOwnerKind } from '../../platform/db-types.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';

/** SQL of webhook endpoints, secrets, deliveries and attempts. */

export type EndpointRow = Row<'webhook_endpoints'>;
export type DeliveryRow = Row<'webhook_deliveries'>;
export type AttemptRow = Row<'webhook_attempts'>;

const textArray = (values: readonly string[]) => sql<string[]>`${[...values]}::text[]`;

export const insertEndpoint = (trx: Transaction<DB>, e: {
  ownerKind: WebhookOwnerKind; ownerId: number | null; url: string; eventTypes: readonly string[]; description: string | null; createdBy: number;
}) =>
  trx.insertInto('webhook_endpoints')
    .values({ owner_kind: e.ownerKind, owner_id: e.ownerId, url: e.url, event_types: textArray(e.eventTypes), description: e.description, created_by: e.createdBy })
    .returningAll().executeTakeFirstOrThrow();

export const updateEndpoint = (trx: Transaction<DB>, id: number, set: {
  url?: string; eventTypes?: readonly string[]; description?: string | null; disabledAt?: Date | null; disabledReason?: string | null; failingSince?: Date | null;
}) =>
  trx.updateTable('webhook_endpoints')
    .set({
      ...(set.url !== undefined ? { url: set.url } : {}),
      ...(set.eventTypes !== undefined ? { event_types: textArray(set.eventTypes) } : {}),
      ...(set.description !== undefined ? { description: set.description } : {}),
      ...(set.disabledAt !== undefined ? { disabled_at: set.disabledAt } : {}),
      ...(set.disabledReason !== undefined ? { disabled_reason: set.disabledReason } : {}),
      ...(set.failingSince !== undefined ? { failing_since: set.failingSince } : {}),
    })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow();

export const findEndpoint = (db: Db, id: number) => db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
export const lockEndpoint = (trx: Transaction<DB>, id: number) =>
  trx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export interface OwnerScope { all: boolean; owners: Array<{ kind: WebhookOwnerKind; id: number }> }

/** Endpoints of these owners (or all), by id, keyset-paged. */
export function listEndpoints(db: Db, scope: OwnerScope, page: KeysetPage) {
  let q = db.selectFrom('webhook_endpoints').selectAll().orderBy('id', page.inverted ? 'desc' : 'asc').limit(page.limit);
  if (page.afterId !== null) q = q.where('id', '>', page.afterId);
  if (page.beforeId !== null) q = q.where('id', '<', page.beforeId);
  if (!scope.all) {
    if (scope.owners.length === 0) return Promise.resolve([] as EndpointRow[]);
    q = q.where((eb) => eb.or(scope.owners.map((o) => eb.and([eb('owner_kind', '=', o.kind), eb('owner_id', '=', o.id)]))));
  }
  return q.execute();
}

export const insertSecret = (trx: Transaction<DB>, endpointId: number, secret: string) =>
  trx.insertInto('webhook_secrets').values({ endpoint_id: endpointId, secret, last4: secret.slice(-4) }).returningAll().executeTakeFirstOrThrow();

export const activeSecrets = (db: Db, endpointId: number) =>
  db.selectFrom('webhook_secrets').selectAll().where('endpoint_id', '=', endpointId).where('revoked_at', 'is', null).orderBy('id').execute();

export const activeSecretsOf = (db: Db, endpointIds: readonly number[]) =>
  endpointIds.length === 0
    ? Promise.resolve([] as Row<'webhook_secrets'>[])
    : db.selectFrom('webhook_secrets').selectAll().where('endpoint_id', 'in', endpointIds).where('revoked_at', 'is', null).orderBy('id').execute();

export const revokeSecret = (trx: Transaction<DB>, endpointId: number, secretId: number) =>
  trx.updateTable('webhook_secrets').set({ revoked_at: new Date() })
    .where('id', '=', secretId).where('endpoint_id', '=', endpointId).where('revoked_at', 'is', null).returningAll().executeTakeFirst();

/** Enabled endpoints subscribed to `type` that the event concerns (the platform's see everything). */
export const matchingEndpoints = (trx: Db, type: string, audience: readonly string[]) =>
  trx.selectFrom('webhook_endpoints').selectAll()
    .where('disabled_at', 'is', null)
    .where(sql<boolean>`${type} = any(event_types)`)
    .where(sql<boolean>`(owner_kind = 'platform' or '*' = any(${textArray(audience)}) or (owner_kind || ':' || owner_id) = any(${textArray(audience)}))`)
    .orderBy('id')
    .execute();

export async function insertDeliveries(trx: Transaction<DB>, rows: ReadonlyArray<{ endpointId: number; eventId: number; kind: DeliveryRow['kind'] }>) {
  if (rows.length === 0) return [] as DeliveryRow[];
  return trx.insertInto('webhook_deliveries')
    .values(rows.map((r) => ({ endpoint_id: r.endpointId, event_id: r.eventId, kind: r.kind })))
    .returningAll().execute();
}

/** Take a lease on a due delivery (null when it is not pending, not due, or leased by another worker). */
export const claimDelivery = (db: Db, id: number, leaseMs: number) =>
  db.updateTable('webhook_deliveries')
    .set({ leased_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})` })
    .where('id', '=', id).where('status', '=', 'PENDING')
    .where(sql<boolean>`next_attempt_at <= now() + interval '1 second'`)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
    .returningAll().executeTakeFirst();

/** Pending deliveries that are due and not leased (the poller; the worker's recovery sweep). */
export const dueDeliveries = (db: Db, limit: number, olderThanMs = 0) =>
  db.selectFrom('webhook_deliveries').select(['id', 'next_attempt_at'])
    .where('status', '=', 'PENDING')
    .where(sql<boolean>`next_attempt_at <= now() - make_interval(secs => ${olderThanMs / 1000})`)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
    .orderBy('next_attempt_at').limit(limit).execute();

export const insertAttempt = (trx: Transaction<DB>, a: {
  deliveryId: number; attemptNo: number; statusCode: number | null; error: string | null; latencyMs: number; responseExcerpt: string | null;
}) =>
  trx.insertInto('webhook_attempts').values({
    delivery_id: a.deliveryId, attempt_no: a.attemptNo, status_code: a.statusCode, error: a.error, latency_ms: a.latencyMs, response_excerpt: a.responseExcerpt,
  }).execute();

export const finishDelivery = (trx: Transaction<DB>, id: number, set: { status: DeliveryStatus; attempts: number; nextAttemptAt?: Date }) =>
  trx.updateTable('webhook_deliveries')
    .set({
      status: set.status, attempts: set.attempts, leased_until: null,
      ...(set.nextAttemptAt ? { next_attempt_at: set.nextAttemptAt } : {}),
      ...(set.status === 'PENDING' ? {} : { finished_at: new Date() }),
    })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow();

/** Pending deliveries of a disabled endpoint are cancelled. */
export const cancelPendingOf = (trx: Transaction<DB>, endpointId: number) =>
  trx.updateTable('webhook_deliveries').set({ status: 'CANCELLED', finished_at: new Date(), leased_until: null })
    .where('endpoint_id', '=', endpointId).where('status', '=', 'PENDING').execute();

export const findDelivery = (db: Db, id: number) => db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();

/** An endpoint's deliveries, newest first, keyset-paged. */
export function deliveriesOfEndpoint(db: Db, endpointId: number, page: { before: number | null; limit: number }) {
  let q = db.selectFrom('webhook_deliveries as d').innerJoin('events as e', 'e.id', 'd.event_id')
    .selectAll('d').select(['e.public_id', 'e.type'])
    .where('d.endpoint_id', '=', endpointId).orderBy('d.id', 'desc').limit(page.limit);
  if (page.before !== null) q = q.where('d.id', '<', page.before);
  return q.execute();
}

export const attemptsOf = (db: Db, deliveryIds: readonly number[]) =>
  deliveryIds.length === 0
    ? Promise.resolve([] as AttemptRow[])
    : db.selectFrom('webhook_attempts').selectAll().where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('attempt_no').execute();

/** Enqueue an attempt (graphile-worker when installed; a no-op for the embedded poller). In the caller's transaction. */
export const enqueueDelivery = (trx: Transaction<DB>, deliveryId: number, at: Date | null = null) =>
  sql`select webhook_enqueue_delivery(${deliveryId}::int8, ${at ?? new Date()}::timestamptz)`.execute(trx);

/** A ping event: concerns only the endpoint's owner and is never fanned out (dispatched at once). */
export const insertPingEvent = (trx: Transaction<DB>, e: { publicId: string; subjectId: string; audience: string; data: Record<string, unknown> }) =>
  trx.insertInto('events').values({
    public_id: e.publicId, type: 'webhook.ping', version: 1, subject_id: e.subjectId, audience: textArray([e.audience]),
    payload: JSON.stringify({ data: e.data }), dispatched_at: new Date(),
  }).returningAll().executeTakeFirstOrThrow();
