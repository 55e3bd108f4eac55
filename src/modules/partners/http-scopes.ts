import fp from 'fastify-plugin';
import { httpRouteScope } from './scopes.js';

/**
 * Scopes for the bearer-authenticated HTTP routes outside /graphql (the CSV exports): a machine
 * client needs the route's scope (HTTP_ROUTE_SCOPES); a route with none is refused to clients.
 * Register it after the auth plugin (it reads request.principal). User tokens are not affected.
 */
export const httpScopesPlugin = fp(
  async (app) => {
    app.addHook('onRequest', (request, reply, done) => {
      const client = request.principal?.client;
      if (!client || request.url.startsWith('/graphql')) return done();
      const needed = httpRouteScope(request.url);
      if (needed && client.scopes.includes(needed)) return done();
      reply.code(403).send({
        errors: [{
          message: needed ? `The token lacks the scope ${needed} needed for this export` : 'This route is not available to machine clients',
          extensions: { code: 'INSUFFICIENT_SCOPE', ...(needed ? { scope: needed } : {}) },
        }],
      });
    });
  },
  { name: 'lumbung-partner-http-scopes', dependencies: ['lumbung-auth'] },
);
