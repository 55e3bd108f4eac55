import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { localizedRequestMessage } from '../messages.js';
import { requestLanguage } from './refusal.js';

/**
 * Request ids and failures outside GraphQL. Every response carries `x-request-id` (the caller's,
 * when it is a sane token, else a UUID: see genReqId in app.ts), so a masked "Internal error
 * (request …)" can be found in the logs. Anything unexpected outside GraphQL (a database outage
 * during authentication, …) is logged with the request id and answered without internal detail.
 * Register it first: its onRequest hook must run before any hook that may answer early (auth's 401).
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
      // The request-rate limit (rate-limit.ts) keeps its code outside GraphQL too (/oauth/token).
      const language = requestLanguage(request);
      if (status === 429 && (error as { code?: unknown }).code === 'RATE_LIMITED') {
        return reply.code(429).send({ errors: [{ message: localizedRequestMessage('RATE_LIMITED', error.message, language), extensions: { code: 'RATE_LIMITED', retryable: true } }] });
      }
      if (status >= 500) {
        request.log.error({ err: error }, 'unexpected error');
        const internal = language === 'id' ? 'Terjadi kesalahan internal (permintaan' : 'Internal error (request';
        return reply.code(500).send({ errors: [{ message: `${internal} ${request.id})`, extensions: { code: 'INTERNAL', requestId: request.id } }] });
      }
      return reply.code(status).send({ errors: [{ message: localizedRequestMessage('BAD_REQUEST', error.message, language), extensions: { code: 'BAD_REQUEST' } }] });
    });
  },
  { name: 'lumbung-errors' },
);
