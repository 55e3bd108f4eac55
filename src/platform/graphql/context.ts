import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Principal } from '../auth.js';
import type { DB } from '../db-types.js';
import type { Language } from '../language.js';
import type { FailureThrottle } from '../limits/throttle.js';
import type { CostState, ThrottledError } from './cost.js';

/** What every resolver receives. Built once per request in app.ts. */
export interface Context {
  principal: Principal | null;
  db: Kysely<DB>;
  config: Config;
  requestId: string;
  log: FastifyBaseLogger;
  /** The response language picked from Accept-Language (see platform/language.ts). */
  language: Language;
  /** Issues a token for a user: used by `login`. */
  signToken(userId: number): { token: string; expiresAt: Date };
  /** The caller's address (Fastify's request.ip). */
  clientIp: string;
  /** Failed-login counting per account and per IP. */
  loginThrottle: FailureThrottle;
  /** This request's cost budget reservation, set before execution (platform/graphql/cost.ts). */
  cost?: CostState & { refused?: ThrottledError };
}
