import fp from 'fastify-plugin';
import { getOperationAST, parse } from 'graphql';
import { pickLanguage } from '../language.js';
import { localizedRequestMessage } from '../messages.js';

/** Content types a browser may send cross-site without a CORS preflight ("simple requests"). */
const SIMPLE = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
/** Headers a cross-site page cannot set without a preflight; any one of them makes a simple request safe. */
const PREFLIGHT_HEADERS = ['apollo-require-preflight', 'x-apollo-operation-name', 'authorization'];

/**
 * CSRF prevention for /graphql (the Apollo rule): a POST whose content type a cross-site form could
 * send (or that has none) is refused with 400 unless it carries a header that forces a preflight.
 * Mutations over GET are refused by Mercurius with 405; GET queries stay available (read only).
 */
export const csrfPlugin = fp<{ maxTokens: number }>(
  async (app, { maxTokens }) => {
    // A synchronous hook (an async one costs every request a promise and a turn of the microtask queue).
    app.addHook('onRequest', (request, reply, done) => {
      if (request.method === 'GET' && request.url.startsWith('/graphql?')) {
        if (!checkGetOperation(request.query, reply, maxTokens)) done();
        return;
      }
      if (request.method !== 'POST' || !request.url.startsWith('/graphql')) return done();
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== '' && !SIMPLE.has(type)) return done();
      if (PREFLIGHT_HEADERS.some((h) => request.headers[h] !== undefined)) return done();
      reply.code(400).send({
        errors: [{
          message: localizedRequestMessage('CSRF_PREVENTED', 'This request could have been sent by a cross-site form; send Content-Type: application/json (or an Apollo-Require-Preflight header)', pickLanguage(request.headers['accept-language'])),
          extensions: { code: 'CSRF_PREVENTED' },
        }],
      });
    });
  },
  { name: 'lumbung-csrf' },
);

/**
 * Mercurius checks that a GET runs a query, but fails with a 500 when `operationName` names no
 * operation of the document; answer that with a 400 first. True when it answered.
 */
function checkGetOperation(query: unknown, reply: import('fastify').FastifyReply, maxTokens: number): boolean {
  const q = query as { query?: unknown; operationName?: unknown };
  if (typeof q.query !== 'string' || typeof q.operationName !== 'string' || q.operationName === '') return false;
  let found = false;
  try {
    found = getOperationAST(parse(q.query, { maxTokens }), q.operationName) !== null;
  } catch {
    return false; // Mercurius reports the syntax error itself
  }
  if (found) return false;
  reply.code(400).send({ errors: [{ message: `Unknown operation named "${q.operationName}"`, extensions: { code: 'BAD_REQUEST' } }] });
  return true;
}
