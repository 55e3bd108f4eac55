import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Kysely, Transaction } from 'kysely';
import type { DB, WebhookOwnerKind } from '../../platform/db-types.js';
import { inTransaction } from '../../platform/transaction.js';
import { viewFor, type Receiver } from '../outbox/catalogue.js';
import * as outboxRepo from '../outbox/outbox.repo.js';
import { toStoredEvent } from './dispatch.js';
import { nextStep, type AttemptResult, type RetryPolicy } from './retry.js';
import { signedHeaders } from './signature.js';
import { checkUrlForm, resolveSafely, UnsafeUrlError, type UrlPolicy } from './ssrf.js';
import * as repo from './webhooks.repo.js';

/**
 * One attempt of one delivery, the same on both engines:
 * 1. take a lease on the delivery (a crashed worker's lease runs out and the delivery is due again;
 *    webhook-id is the event's public id, so a retry after a crash carries the same id);
 * 2. the receiver's view of the event (catalogue.viewFor: what this endpoint's organisation may see),
 *    signed with every active secret (Standard Webhooks);
 * 3. the host is resolved and checked again (SSRF guard: DNS can change since registration), and the
 *    connection goes to the checked address;
 * 4. POST with a timeout (15 s by default), the attempt logged (status, latency, response excerpt),
 *    then retry.ts decides: delivered, retry later (the engine is told when), give up, or disable the
 *    endpoint (410; failing for 5 days) with its reason.
 */

export interface DeliveryOptions {
  urlPolicy: UrlPolicy;
  timeoutMs: number;
  policy: RetryPolicy;
  /** Called in the transaction that schedules a retry (graphile-worker adds a job for `at`). */
  scheduleRetry?: (trx: Transaction<DB>, deliveryId: number, at: Date) => Promise<void>;
  /** Override DNS (tests). */
  resolve?: Parameters<typeof resolveSafely>[2];
}

export const RESPONSE_EXCERPT_CHARS = 1000;

export function receiverOf(kind: WebhookOwnerKind, id: number | null): Receiver {
  return kind === 'platform' || id === null ? { kind: 'platform' } : { kind, id };
}

export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'disabled' | 'skipped';

export async function attemptDelivery(db: Kysely<DB>, deliveryId: number, options: DeliveryOptions): Promise<AttemptOutcome> {
  // Longer than an attempt can take (timeout + recording it): a lease that runs out means the worker died.
  const leaseMs = options.timeoutMs + 5_000;
  const delivery = await repo.claimDelivery(db, deliveryId, leaseMs);
  if (!delivery) return 'skipped';
  const [endpoint, eventRow, secrets] = await Promise.all([
    repo.findEndpoint(db, delivery.endpoint_id),
    outboxRepo.findEvent(db, delivery.event_id),
    repo.activeSecrets(db, delivery.endpoint_id),
  ]);
  if (!endpoint || !eventRow || endpoint.disabled_at !== null) {
    await inTransaction(db, (trx) => repo.finishDelivery(trx, delivery.id, { status: 'CANCELLED', attempts: delivery.attempts }));
    return 'skipped';
  }
  const message = eventRow.type === 'webhook.ping'
    ? { id: eventRow.public_id, type: eventRow.type, version: 1, timestamp: eventRow.occurred_at.toISOString(), subject: eventRow.subject_id, data: eventRow.payload.data }
    : viewFor(toStoredEvent(eventRow), receiverOf(endpoint.owner_kind, endpoint.owner_id));
  if (!message) {
    // The event does not concern this endpoint's organisation (it never should get here): never send it.
    await inTransaction(db, (trx) => repo.finishDelivery(trx, delivery.id, { status: 'CANCELLED', attempts: delivery.attempts }));
    return 'skipped';
  }
  const body = JSON.stringify(message);
  const attemptNo = delivery.attempts + 1;
  const started = Date.now();
  const result = await post(endpoint.url, body, secrets.map((s) => s.secret), eventRow.public_id, options);
  const latencyMs = Date.now() - started;
  const now = Date.now();
  const step = nextStep(attemptNo, result.result, { now, failingSince: endpoint.failing_since?.getTime() ?? null, policy: options.policy });
  return inTransaction(db, async (trx) => {
    await repo.insertAttempt(trx, {
      deliveryId: delivery.id, attemptNo, latencyMs,
      statusCode: result.result.kind === 'response' ? result.result.status : null,
      error: result.result.kind === 'error' ? result.result.message : null,
      responseExcerpt: result.excerpt,
    });
    switch (step.kind) {
      case 'delivered':
        await repo.finishDelivery(trx, delivery.id, { status: 'DELIVERED', attempts: attemptNo });
        if (endpoint.failing_since !== null) await repo.updateEndpoint(trx, endpoint.id, { failingSince: null });
        return 'delivered';
      case 'retry': {
        const at = new Date(now + step.delayMs);
        await repo.finishDelivery(trx, delivery.id, { status: 'PENDING', attempts: attemptNo, nextAttemptAt: at });
        if (endpoint.failing_since === null) await repo.updateEndpoint(trx, endpoint.id, { failingSince: new Date(started) });
        await options.scheduleRetry?.(trx, delivery.id, at);
        return 'retry';
      }
      case 'give-up':
        await repo.finishDelivery(trx, delivery.id, { status: 'FAILED', attempts: attemptNo });
        if (endpoint.failing_since === null) await repo.updateEndpoint(trx, endpoint.id, { failingSince: new Date(started) });
        return 'failed';
      case 'disable-endpoint':
        await repo.finishDelivery(trx, delivery.id, { status: 'FAILED', attempts: attemptNo });
        await repo.updateEndpoint(trx, endpoint.id, { disabledAt: new Date(), disabledReason: step.reason });
        await repo.cancelPendingOf(trx, endpoint.id);
        return 'disabled';
    }
  });
}

interface PostResult { result: AttemptResult; excerpt: string | null }

async function post(rawUrl: string, body: string, secrets: string[], webhookId: string, options: DeliveryOptions): Promise<PostResult> {
  let url: URL;
  let addresses: Array<{ address: string; family: number }>;
  try {
    url = checkUrlForm(rawUrl, options.urlPolicy);
    addresses = await resolveSafely(url, options.urlPolicy, options.resolve);
  } catch (error) {
    const message = error instanceof UnsafeUrlError ? `refused: ${error.message}` : `refused: ${(error as Error).message}`;
    return { result: { kind: 'error', message }, excerpt: null };
  }
  const pinned = addresses[0]!;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: typeof addresses) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Lumbung-Webhooks/1',
    'content-length': String(Buffer.byteLength(body)),
    ...signedHeaders(secrets, webhookId, Math.floor(Date.now() / 1000), body),
  };
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, lookup }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_CHARS * 4) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => {
        const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_EXCERPT_CHARS);
        const retryAfter = res.headers['retry-after'];
        done({ result: { kind: 'response', status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null }, excerpt: excerpt || null });
      });
      res.on('error', (e) => done({ result: { kind: 'error', message: `response error: ${e.message}` }, excerpt: null }));
    });
    const timer = setTimeout(() => {
      request.destroy(new Error('timeout'));
      done({ result: { kind: 'error', message: `timeout after ${options.timeoutMs} ms` }, excerpt: null });
    }, options.timeoutMs);
    request.on('error', (e) => done({ result: { kind: 'error', message: `connection failed: ${e.message}` }, excerpt: null }));
    request.end(body);
  });
}
