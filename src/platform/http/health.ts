import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db.js';

/** Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers too; 503 when not). */
export const healthPlugin = fp<{ database: Database }>(
  async (app: FastifyInstance, { database }) => {
    app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
    app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
      try {
        await database.db.selectFrom('users').select((eb) => eb.lit(1).as('one')).limit(1).execute();
        return { status: 'ready', database: database.driver };
      } catch (error) {
        app.log.warn({ err: error }, 'readiness check failed');
        return reply.code(503).send({ status: 'unavailable', database: database.driver });
      }
    });
  },
  { name: 'lumbung-health' },
);
