/**
 * Profiling aid for the GraphQL tax (issue 13): the bench:api server side alone, one case under
 * load from the bench's load child, profiled (the load phase only) with the inspector. Prints the statements one
 * availability request sends.
 *
 *   npx tsx scripts/profile-api.ts typename|availability|plain|plain-availability     (writes /tmp/profile-api-<case>.cpuprofile)
 *   npx tsx scripts/summarise-profile.ts /tmp/profile-api-typename.cpuprofile 40 --total
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

// As bench:api and production (the Dockerfile): NODE_ENV=production, read by graphql-js when it loads.
process.env.NODE_ENV ??= 'production';
const { default: Fastify } = await import('fastify');
const { buildApp } = await import('../src/app.js');
const { loadConfig } = await import('../src/config.js');
const { composeModules } = await import('../src/composition.js');
const { createDatabase } = await import('../src/platform/db.js');
const { migrateToLatest } = await import('../src/platform/migrate.js');
const { seedDemo } = await import('../src/seed/seed.js');
const { getAvailability } = await import('../src/modules/availability/availability.service.js');
const { loadPrincipal } = await import('../src/platform/auth.js');
const { availabilityJson, scratchDatabase } = await import('./bench-support.js');

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const which = process.argv[2] ?? 'typename';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

const scratch = await scratchDatabase(BASE_URL, `lumbung_profile_api_${process.pid}`);
try {
  composeModules();
  const statements: string[] = [];
  let counting = false;
  const database = await createDatabase({ kind: 'postgres', url: scratch.url, poolSize: 20 }, {
    onQuery: (e) => { if (counting) statements.push(e.query.sql); },
  });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  const config = loadConfig({
    ...process.env, DATABASE_URL: scratch.url, JWT_SECRET: 'profile-api-secret-0123456789abcdefghijklmnopqrstuvwxyz', LOG_LEVEL: 'warn',
    AUTO_SEED: 'false', REDIS_URL: undefined, WORKERS: 'false',
    RATE_LIMIT_IP_PER_MINUTE: '1000000000', RATE_LIMIT_USER_PER_MINUTE: '1000000000',
    COST_BUDGET_MAX: '1000000000', COST_BUDGET_RESTORE_PER_SECOND: '1000000000', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  const app = await buildApp(config, { database, migrate: false, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const plain = Fastify({ logger: false });
  plain.post('/typename', async () => ({ data: { __typename: 'Query' } }));
  // bench:api's hand-written availability route: the same JWT check, principal, service and SQL, no GraphQL.
  plain.post('/availability', async (request) => {
    const claims = app.jwt.verify<{ sub: string }>(String(request.headers.authorization).slice('Bearer '.length));
    const principal = await loadPrincipal(database.db, Number(claims.sub));
    const a = await getAvailability(database.db, principal, request.body as Parameters<typeof getAvailability>[2]);
    return { data: { availability: availabilityJson(a) } };
  });
  await plain.listen({ port: 0, host: '127.0.0.1' });
  const port = ((which.startsWith('plain') ? plain : app).server.address() as { port: number }).port;
  const buyer = await database.db.selectFrom('role_grants').select('user_id').where('role', '=', 'BUYER').executeTakeFirstOrThrow();
  const token = app.jwt.sign({ sub: String(buyer.user_id) });
  const product = await database.db.selectFrom('products').select(['id']).orderBy('id').executeTakeFirstOrThrow();
  const productGid = Buffer.from(`Product:${product.id}`).toString('base64');
  const query = `query Availability($input: AvailabilityInput!) { availability(input: $input) { ... on Availability {
    spotWeight forwardWeight contributorCount byGrade { grade { code } spotWeight forwardWeight contributorCount }
    byRegency { regency spotWeight forwardWeight contributorCount } } } }`;
  const target: { path: string; headers: Record<string, string>; body: string } = which === 'availability'
    ? { path: '/graphql', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { input: { productId: productGid, minGrade: '3', windowStart: '2027-06-01', windowEnd: '2027-09-30' } } }) }
    : which === 'plain'
      ? { path: '/typename', headers: { 'content-type': 'application/json' }, body: '{}' }
      : which === 'plain-availability'
        ? { path: '/availability', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ productId: product.id, minGrade: '3', windowStart: '2027-06-01', windowEnd: '2027-09-30' }) }
      : { path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) };
  for (let i = 0; i < 2; i++) await fetch(`http://127.0.0.1:${port}${target.path}`, { method: 'POST', headers: target.headers, body: target.body });
  counting = true;
  const res = await fetch(`http://127.0.0.1:${port}${target.path}`, { method: 'POST', headers: target.headers, body: target.body });
  counting = false;
  console.log(res.status, (await res.text()).slice(0, 300));
  if (process.env.SHOW_HEADERS) console.log(Object.fromEntries(res.headers));
  console.log(`${statements.length} statements:`);
  for (const s of statements) console.log(`  ${s.replace(/\s+/g, ' ').slice(0, 160)}`);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const r = await new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, 'bench-api-load.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(port), TARGET: JSON.stringify(target), SECONDS: String(SECONDS), CONNECTIONS: '16' },
    });
    child.once('message', resolve);
    child.once('error', reject);
  });
  const { profile } = await session.post('Profiler.stop');
  const out = process.env.PROFILE_OUT ?? `/tmp/profile-api-${which}.cpuprofile`;
  writeFileSync(out, JSON.stringify(profile));
  console.log(r, `profile of the load phase: ${out}`);
  await app.close();
  await plain.close();
} finally {
  await scratch.drop();
}
