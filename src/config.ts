import { z } from 'zod';

/**
 * The one place that reads `process.env`. Everything else receives a typed, validated `Config`.
 * A bad value stops the start with a message that names the variable.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const port = z.coerce.number().int().min(0).max(65535);

const postgresUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be a URL of the form postgres://user@host:port/database');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(4000),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_TRANSACTION_POOLER: bool.default(false),
  DATA_DIR: z.string().min(1).default('./data'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('lumbung'),
  JWT_AUDIENCE: z.string().min(1).default('lumbung-api'),
  JWT_EXPIRES_IN_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(3600),
  GRAPHIQL: bool.default(true),
  INTROSPECTION: bool.default(true),
  AUTO_SEED: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(50).default(12),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).default(5000),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(5000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  AVAILABILITY_COMPACT_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
  // A full garbage collection once no request has been in flight this long (0: never); see platform/http/idle-gc.ts.
  IDLE_GC_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
  // Partner access and limits (issue 11).
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a URL of the form redis://host:port').optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'must be 1–64 characters of A-Z a-z 0-9 : _ -').default('lumbung:'),
  CORS_ORIGINS: z
    .string()
    .refine((v) => v.split(',').every((o) => /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(o.trim())), 'must be a comma-separated list of origins like https://app.example.com')
    .optional(),
  RATE_LIMIT_CLIENT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  COST_BUDGET_MAX: z.coerce.number().int().min(10).default(10_000),
  COST_BUDGET_RESTORE_PER_SECOND: z.coerce.number().int().min(1).default(500),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).default(30),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
  ACCEPT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  ACCEPT_QUEUE: z.coerce.number().int().min(0).max(100_000).default(1_000),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  PRESSURE_MAX_HEAP_USED_BYTES: z.coerce.number().int().min(0).default(0),
  PRESSURE_MAX_RSS_BYTES: z.coerce.number().int().min(0).default(0),
  PRESSURE_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(10),
  OAUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  // Events and webhooks (issue 12).
  WORKERS: bool.default(true),
  EVENTS_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  AVAILABILITY_COALESCE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(15_000),
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,20}$/, 'must be comma-separated delays in milliseconds, e.g. 5000,300000')
    .optional(),
  WEBHOOK_ALLOW_HTTP: bool.default(false),
  WEBHOOK_ALLOW_LOOPBACK: bool.default(false),
});

export type DatabaseConfig =
  | { kind: 'postgres'; url: string; poolSize: number; /** DATABASE_URL is a pooler in transaction mode: connections keep no state of their own (default false). */ transactionPooler?: boolean }
  | { kind: 'pglite'; dataDir: string | null };

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  database: DatabaseConfig;
  dataDir: string;
  jwt: { secret: string | null; issuer: string; audience: string; expiresInSeconds: number };
  graphiql: boolean;
  introspection: boolean;
  autoSeed: boolean;
  logLevel: string;
  limits: { maxDepth: number; maxComplexity: number; maxAliases: number; maxTokens: number };
  shutdownGraceMs: number;
  /** How often the availability compactor folds changed producers into the counters; 0: never (tests). */
  availabilityCompactMs: number;
  /** Full GC after this long without requests (0: never). */
  idleGcMs: number;
  /** Redis shared by every node (rate limits, cost budgets, login throttling); null: in-memory. */
  redisUrl: string | null;
  /** Prefix of every Redis key this app writes (several deployments or test runs can share one Redis). */
  redisKeyPrefix: string;
  /** Origins allowed by CORS; empty: no cross-origin access. */
  corsOrigins: string[];
  rateLimit: { clientPerMinute: number; userPerMinute: number; ipPerMinute: number };
  costBudget: { max: number; restorePerSecond: number };
  login: { maxFailuresPerAccount: number; maxFailuresPerIp: number; windowSeconds: number; hashConcurrency: number; hashQueue: number };
  /** Order acceptances run at once per process, and waiting (orders/acceptance.ts). */
  acceptance: { concurrency: number; queue: number };
  /** Load shedding (@fastify/under-pressure); 0 disables a threshold. */
  pressure: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; maxRssBytes: number; retryAfterSeconds: number };
  oauth: { tokenTtlSeconds: number };
  events: {
    /** Start the event workers with the server (false: run them with `npm run worker`). */
    workers: boolean;
    pollMs: number;
    coalesceMs: number;
    webhookTimeoutMs: number;
    /** Delays after attempt 1, 2, …; null: the Standard Webhooks schedule (retry.ts). */
    retryScheduleMs: number[] | null;
    allowHttp: boolean;
    allowLoopback: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment into a Config, or throw a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Treat empty strings as unset, so `PORT=` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])] ?? null)})`),
    );
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.JWT_SECRET) {
    throw new ConfigError(['JWT_SECRET: required when DATABASE_URL is set (at least 32 characters)']);
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, transactionPooler: e.DATABASE_TRANSACTION_POOLER }
      : { kind: 'pglite', dataDir: e.DATA_DIR },
    dataDir: e.DATA_DIR,
    jwt: {
      secret: e.JWT_SECRET ?? null,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      expiresInSeconds: e.JWT_EXPIRES_IN_SECONDS,
    },
    graphiql: e.GRAPHIQL,
    introspection: e.INTROSPECTION,
    autoSeed: e.AUTO_SEED,
    logLevel: e.LOG_LEVEL,
    limits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxComplexity: e.GRAPHQL_MAX_COMPLEXITY,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    availabilityCompactMs: e.AVAILABILITY_COMPACT_MS,
    idleGcMs: e.IDLE_GC_MS,
    redisUrl: e.REDIS_URL ?? null,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((o) => o.trim()) : [],
    rateLimit: {
      clientPerMinute: e.RATE_LIMIT_CLIENT_PER_MINUTE,
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
    },
    costBudget: { max: e.COST_BUDGET_MAX, restorePerSecond: e.COST_BUDGET_RESTORE_PER_SECOND },
    login: {
      maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
      hashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
      hashQueue: e.PASSWORD_HASH_QUEUE,
    },
    acceptance: { concurrency: e.ACCEPT_CONCURRENCY, queue: e.ACCEPT_QUEUE },
    pressure: {
      maxEventLoopDelayMs: e.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: e.PRESSURE_MAX_HEAP_USED_BYTES,
      maxRssBytes: e.PRESSURE_MAX_RSS_BYTES,
      retryAfterSeconds: e.PRESSURE_RETRY_AFTER_SECONDS,
    },
    oauth: { tokenTtlSeconds: e.OAUTH_TOKEN_TTL_SECONDS },
    events: {
      workers: e.WORKERS,
      pollMs: e.EVENTS_POLL_MS,
      coalesceMs: e.AVAILABILITY_COALESCE_MS,
      webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE_MS ? e.WEBHOOK_RETRY_SCHEDULE_MS.split(',').map(Number) : null,
      allowHttp: e.WEBHOOK_ALLOW_HTTP,
      allowLoopback: e.WEBHOOK_ALLOW_LOOPBACK,
    },
  };
}

/** `loadConfig()` for an entry point: a configuration error is printed as one message and exits 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
