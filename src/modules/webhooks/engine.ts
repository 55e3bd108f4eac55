import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Config } from '../../config.js';
import type { Database } from '../../platform/db.js';
import type { DB } from '../../platform/db-types.js';
import * as outboxRepo from '../outbox/outbox.repo.js';
import { attemptDelivery, type DeliveryOptions } from './deliver.js';
import { coalesceAvailability, dispatchEvent, type Dispatched } from './dispatch.js';
import { DEFAULT_POLICY } from './retry.js';
import * as repo from './webhooks.repo.js';

/**
 * The workers that move the outbox to its receivers. Started with the server by default, or alone
 * with `npm run worker` (scripts/worker.ts).
 * - PostgreSQL: graphile-worker. The outbox insert enqueued `lumbung_dispatch` in the business
 *   transaction (a trigger calls graphile_worker.add_job); the task fans the event out and attempts
 *   each delivery at once; a retry adds `lumbung_deliver` with its run_at in the transaction that
 *   schedules it. A sweep re-enqueues what a dead worker left: events not dispatched (also those
 *   written before the worker first installed its schema) and due deliveries whose lease ran out.
 * - Embedded PGlite: a small poller through the same Kysely instance (graphile-worker needs a pg
 *   pool; pg-boss ran jobs twice on PGlite's single connection, see stack-facts): undispatched
 *   events, due deliveries and availability marks, every `pollMs`.
 * Both coalesce availability marks into availability.changed events every half window.
 */

export interface WorkerOptions {
  delivery: DeliveryOptions;
  pollMs: number;
  coalesceMs: number;
  /** Each dispatched event (for subscriptions); must not throw. */
  onDispatched?: (d: Dispatched) => void;
  log?: { error(obj: unknown, msg?: string): void };
}

export interface Workers {
  engine: 'graphile-worker' | 'poller';
  stop(): Promise<void>;
}

const BATCH = 50;
/** A due delivery unleased this long is re-enqueued by the PostgreSQL sweep (a worker died). */
const STALE_MS = 2_000;

export async function startWorkers(database: Database, options: WorkerOptions): Promise<Workers> {
  return database.driver === 'postgres' && database.url ? startGraphileWorker(database.db, database.url, options) : startPoller(database.db, options);
}

async function afterDispatch(db: Kysely<DB>, d: Dispatched | null, options: WorkerOptions) {
  if (!d) return;
  try {
    options.onDispatched?.(d);
  } catch (error) {
    options.log?.error({ err: error }, 'publishing an event to subscriptions failed');
  }
  await Promise.all(d.deliveries.map((delivery) => attemptDelivery(db, delivery.id, options.delivery)));
}

function loop(every: number, work: () => Promise<void>, log?: WorkerOptions['log']) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    running = work().catch((error) => log?.error({ err: error }, 'event worker tick failed')).finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(tick, every);
    });
  };
  timer = setTimeout(tick, every);
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}

function startPoller(db: Kysely<DB>, options: WorkerOptions): Workers {
  let lastCoalesce = 0;
  const stop = loop(options.pollMs, async () => {
    for (const { id } of await outboxRepo.undispatchedEventIds(db, BATCH)) {
      await afterDispatch(db, await dispatchEvent(db, id), options);
    }
    const due = await repo.dueDeliveries(db, BATCH);
    await Promise.all(due.map((d) => attemptDelivery(db, d.id, options.delivery)));
    if (Date.now() - lastCoalesce >= options.coalesceMs / 2) {
      lastCoalesce = Date.now();
      await coalesceAvailability(db, options.coalesceMs);
    }
  }, options.log);
  return { engine: 'poller', stop };
}

async function startGraphileWorker(db: Kysely<DB>, url: string, options: WorkerOptions): Promise<Workers> {
  // graphile-worker 0.17.x: 0.18 needs Node >= 22.18 and this service still runs on Node 20.
  const { run, Logger } = await import('graphile-worker');
  const quiet = new Logger(() => (level: string, message: string) => {
    if (level === 'error') options.log?.error({ worker: message }, 'graphile-worker');
  });
  const delivery: DeliveryOptions = {
    ...options.delivery,
    scheduleRetry: async (trx, deliveryId, at) => {
      await repo.enqueueDelivery(trx, deliveryId, at);
    },
  };
  const withDelivery = { ...options, delivery };
  // Its own pool (graphile-worker reads ids as strings; the app's pool parses int8 to numbers).
  const pool = new pg.Pool({ connectionString: url, max: 12 });
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const runner = await run({
    pgPool: pool,
    concurrency: 10,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quiet,
    taskList: {
      lumbung_dispatch: async (payload) => {
        const { eventId } = payload as { eventId: number };
        await afterDispatch(db, await dispatchEvent(db, Number(eventId)), withDelivery);
      },
      lumbung_deliver: async (payload) => {
        const { deliveryId } = payload as { deliveryId: number };
        await attemptDelivery(db, Number(deliveryId), delivery);
      },
    },
  });
  let lastCoalesce = 0;
  const stopSweep = loop(Math.max(options.pollMs, 500), async () => {
    // Events written before the worker installed its schema, or whose job was lost with a dead worker.
    const stale = await db.selectFrom('events').select('id').where('dispatched_at', 'is', null)
      .where('occurred_at', '<', sql<Date>`now() - make_interval(secs => ${STALE_MS / 1000})`).orderBy('id').limit(BATCH).execute();
    for (const { id } of stale) await afterDispatch(db, await dispatchEvent(db, id), withDelivery);
    // Due deliveries nobody holds a lease on: a worker died mid-attempt (its job stays locked for hours).
    const due = await repo.dueDeliveries(db, BATCH, STALE_MS);
    if (due.length > 0) await db.transaction().execute(async (trx) => { for (const d of due) await repo.enqueueDelivery(trx, d.id); });
    if (Date.now() - lastCoalesce >= options.coalesceMs / 2) {
      lastCoalesce = Date.now();
      await coalesceAvailability(db, options.coalesceMs);
    }
  }, options.log);
  return {
    engine: 'graphile-worker',
    stop: async () => {
      await stopSweep();
      await runner.stop();
      await pool.end();
    },
  };
}

/** Worker options from the configuration. */
export function workerOptionsFrom(config: Config, extra: Pick<WorkerOptions, 'onDispatched' | 'log'> = {}): WorkerOptions {
  return {
    pollMs: config.events.pollMs,
    coalesceMs: config.events.coalesceMs,
    delivery: {
      urlPolicy: { allowHttp: config.events.allowHttp, allowLoopback: config.events.allowLoopback },
      timeoutMs: config.events.webhookTimeoutMs,
      policy: config.events.retryScheduleMs ? { ...DEFAULT_POLICY, scheduleMs: config.events.retryScheduleMs } : DEFAULT_POLICY,
    },
    ...extra,
  };
}
