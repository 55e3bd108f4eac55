import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Database } from '../../platform/db.js';
import { FailureThrottle, TooManyAttemptsError } from '../../platform/limits/throttle.js';
import { authenticateClient } from './partners.service.js';
import { secretKey } from './secrets.js';
import { signClientToken } from './tokens.js';

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/**
 * POST /oauth/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4). The client
 * authenticates with HTTP Basic (client_id:client_secret, each form-urlencoded, §2.3.1); the body is
 * application/x-www-form-urlencoded with grant_type=client_credentials and an optional scope.
 * Answers a JWT access token (RFC 9068) and no refresh token; errors per §5.2. Failed client
 * authentications are counted per client_id and per IP, and over the limit refused before any check.
 */
export const tokenRoute: FastifyPluginAsync<{ config: Config; database: Database }> = async (app, { config, database }) => {
  // Failure counters from the limits plugin (in memory, or shared in Redis).
  const counters = app.limits.counters;
  const keys = { secretKey: secretKey(config.jwt.secret!) };
  const throttle = new FailureThrottle(
    counters,
    { maxPerAccount: config.login.maxFailuresPerAccount, maxPerIp: config.login.maxFailuresPerIp, windowSeconds: config.login.windowSeconds },
    'token',
  );

  // Only this plugin's routes parse form bodies (/graphql refuses them, see platform/http/csrf.ts).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });

  const fail = (reply: FastifyReply, status: number, error: OAuthError, description: string) => {
    if (status === 401) reply.header('www-authenticate', 'Basic realm="lumbung", charset="UTF-8"');
    return reply.code(status).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send({ error, error_description: description });
  };

  app.post('/oauth/token', async (request: FastifyRequest, reply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded' || !(request.body instanceof URLSearchParams)) {
      return fail(reply, 400, 'invalid_request', 'The body must be application/x-www-form-urlencoded');
    }
    const form = request.body;
    for (const name of new Set(form.keys())) {
      if (form.getAll(name).length > 1) return fail(reply, 400, 'invalid_request', `Parameter ${name} is repeated`);
    }
    const grantType = form.get('grant_type');
    if (!grantType) return fail(reply, 400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') return fail(reply, 400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    if (form.has('client_secret')) return fail(reply, 400, 'invalid_request', 'Send the client credentials with HTTP Basic authentication, not in the body');

    const credentials = basicCredentials(request.headers.authorization);
    if (!credentials) return fail(reply, 401, 'invalid_client', 'Client authentication (HTTP Basic) is required');
    const scope = form.get('scope') ?? undefined;
    if (scope !== undefined && !/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope)) {
      return fail(reply, 400, 'invalid_scope', 'scope must be space-separated scope names');
    }

    try {
      await throttle.check(credentials.clientId, request.ip);
    } catch (error) {
      if (!(error instanceof TooManyAttemptsError)) throw error;
      reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(429).headers({ 'cache-control': 'no-store' }).send({
        error: 'invalid_request', error_description: `Too many failed client authentications; retry in ${error.retryAfterSeconds} s`,
      });
    }
    const result = await authenticateClient(database.db, keys, credentials.clientId, credentials.secret, scope);
    if (result === 'invalid_client') {
      await throttle.failed(credentials.clientId, request.ip);
      return fail(reply, 401, 'invalid_client', 'Unknown client, wrong or revoked secret, or disabled client');
    }
    if (result === 'invalid_scope') return fail(reply, 400, 'invalid_scope', 'The requested scope is not held by this client');
    await throttle.succeeded(credentials.clientId, request.ip);
    const ttl = config.oauth.tokenTtlSeconds;
    return reply
      .headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
      .send({ access_token: signClientToken(app, result.client.client_id, result.scopes, ttl), token_type: 'Bearer', expires_in: ttl, scope: result.scopes.join(' ') });
  });
};

/** RFC 6749 §2.3.1: Basic base64(urlencode(client_id) ":" urlencode(client_secret)). */
export function basicCredentials(header: string | undefined): { clientId: string; secret: string } | null {
  const match = /^Basic ([A-Za-z0-9+/]{1,800}={0,2})$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}
