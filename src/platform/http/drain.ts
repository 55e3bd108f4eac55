import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Graceful drain: once closing, answer in-flight requests with `Connection: close` so keep-alive
 * sockets end with their last response instead of holding the shutdown open (server.ts closes
 * the app on SIGTERM through close-with-grace).
 */
export const drainPlugin = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'lumbung-drain' },
);
