import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
};

describe('config', () => {
  it('given no environment, then embedded PGlite in ./data on port 4000 with GraphiQL and introspection on', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(config).toMatchObject({ graphiql: true, introspection: true, autoSeed: true });
    expect(config.jwt).toMatchObject({ secret: null, expiresInSeconds: 3600, issuer: 'lumbung', audience: 'lumbung-api' });
    expect(config.limits).toEqual({ maxDepth: 12, maxComplexity: 5000, maxAliases: 30, maxTokens: 5000 });
  });

  it('given DATABASE_URL and JWT_SECRET, then PostgreSQL with the configured pool', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/lumbung', JWT_SECRET: 'x'.repeat(32), DATABASE_POOL_SIZE: '7' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/lumbung', poolSize: 7, transactionPooler: false });
  });

  it('given DATABASE_TRANSACTION_POOLER=true, then connections that keep no state of their own', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/lumbung', JWT_SECRET: 'x'.repeat(32), DATABASE_TRANSACTION_POOLER: 'true' });
    expect(config.database).toMatchObject({ kind: 'postgres', transactionPooler: true });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'not a url', JWT_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://db/x', JWT_SECRET: 'x'.repeat(32) }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://u@db/x' }, 'JWT_SECRET'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ GRAPHIQL: 'maybe' }, 'GRAPHIQL'],
    [{ JWT_EXPIRES_IN_SECONDS: '120ms' }, 'JWT_EXPIRES_IN_SECONDS'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_TRANSACTION_POOLER: 'sometimes' }, 'DATABASE_TRANSACTION_POOLER'],
  ])('given %o, then the start stops with a message naming %s', (env, variable) => {
    expect(problemsOf(env)).toMatch(new RegExp(`^${variable}:`, 'm'));
  });

  it('turns switches off with false', () => {
    expect(loadConfig({ GRAPHIQL: 'false', INTROSPECTION: '0', AUTO_SEED: 'no' })).toMatchObject({
      graphiql: false, introspection: false, autoSeed: false,
    });
  });
});
