import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db.js';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers and the
 * process is not under pressure; 503 when not), neither of them rate-limited. Needs the pressure
 * plugin registered before it.
 */
export const healthPlugin = fp<{ database: Database }>(
  async (app: FastifyInstance, { database }) => {
    // Never rate-limited (rate-limit.ts attaches to every route without `rateLimit: false`).
    const options = { logLevel: 'warn', config: { rateLimit: false } } as const;
    app.get('/healthz', options, async () => ({ status: 'ok' }));
    app.get('/readyz', options, async (_req, reply) => {
      try {
        await database.db.selectFrom('users').select((eb) => eb.lit(1).as('one')).limit(1).execute();
        // Load shedding (@fastify/under-pressure, see pressure.ts): not ready while saturated.
        if (app.isUnderPressure()) return reply.code(503).send({ status: 'under-pressure', database: database.driver, pressure: app.memoryUsage() });
        return { status: 'ready', database: database.driver };
      } catch (error) {
        app.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send({ status: 'unavailable', database: database.driver });
      }
    });
  },
  { name: 'lumbung-health', dependencies: ['lumbung-pressure'] },
);
