/**
 * `npm run bench:api`: the GraphQL tax. Throughput of the same answers through Lumbung's GraphQL
 * endpoint and through a hand-written Fastify route, in one run, alternating the two sides.
 *
 *   npm run bench:api
 *   BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 npm run bench:api
 *
 * - `{ __typename }` as an anonymous caller vs a plain Fastify POST route answering the same JSON.
 * - The buyer's availability query (as a signed-in buyer) vs a hand-written Fastify + pg route that
 *   verifies the same JWT and answers the same JSON from the same SQL (checked equal before timing).
 *
 * The server side runs in this process (both apps, one core's worth of Node); the load comes from a
 * child process (scripts/bench-api-load.ts) with keep-alive connections, so the load generator
 * does not compete with the server's event loop. Each round runs every case for BENCH_SECONDS per
 * side, GraphQL first in odd rounds and the plain route first in even ones; the ratio is
 * GraphQL req/s ÷ plain req/s per round, and the median over rounds is reported. Next to it, the
 * server's CPU time per request on each side (this process's user + system time while the side was
 * loaded, per request answered) and its ratio (plain ÷ GraphQL): on a shared, busy machine req/s
 * swings with the neighbours, CPU per request much less.
 *
 * Rate limits and the cost budget are raised so that they run on every request but never refuse,
 * and load shedding is off (a loaded machine would otherwise shed some requests with 503).
 * On PostgreSQL: a database made for this run next to DATABASE_URL's
 * (default postgres://postgres@127.0.0.1:5432/postgres), migrated and seeded with the demo data, and
 * dropped at the end. Every process it starts is stopped by PID.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { composeModules } from '../src/composition.js';
import { getAvailability } from '../src/modules/availability/availability.service.js';
import { loadPrincipal } from '../src/platform/auth.js';
import { createDatabase } from '../src/platform/db.js';
import { migrateToLatest } from '../src/platform/migrate.js';
import { gramsToKg } from '../src/platform/weight.js';
import { seedDemo } from '../src/seed/seed.js';
import { scratchDatabase } from './bench-support.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WINDOW = { windowStart: '2027-06-01', windowEnd: '2027-09-30' };
const JWT_SECRET = 'bench-api-secret-0123456789abcdefghijklmnopqrstuvwxyz';

interface Case {
  name: string;
  graphql: { path: string; body: string; headers: Record<string, string> };
  plain: { path: string; body: string; headers: Record<string, string> };
  /** the part of the answer both sides must agree on */
  pick: (json: any) => unknown;
}

interface LoadResult { rps: number; errors: number; statuses: Record<string, number>; cpuUsPerRequest: number }

/**
 * Run the load child against one target; resolves with its requests per second and this process's
 * CPU time (user + system) per request answered meanwhile: the servers run here, the load does
 * not, so it is what a request costs the server, much less disturbed by a busy machine than req/s.
 */
async function load(port: number, target: Case['graphql']): Promise<LoadResult> {
  const cpu = process.cpuUsage();
  const r = await loadChild(port, target);
  const used = process.cpuUsage(cpu);
  const requests = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  return { ...r, cpuUsPerRequest: (used.user + used.system) / requests };
}

function loadChild(port: number, target: Case['graphql']): Promise<{ rps: number; errors: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, 'bench-api-load.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(port), TARGET: JSON.stringify(target), SECONDS: String(SECONDS), CONNECTIONS: String(CONNECTIONS) },
    });
    child.once('message', (m) => resolve(m as { rps: number; errors: number; statuses: Record<string, number> }));
    child.once('error', reject);
    child.once('exit', (code) => { if (code !== 0) reject(new Error(`load child exited ${code}`)); });
  });
}

async function main() {
  const name = `lumbung_bench_api_${process.pid}`;
  const scratch = await scratchDatabase(BASE_URL, name);
  const url = scratch.url;
  const apps: Array<{ close(): Promise<unknown> }> = [];
  try {
    composeModules();
    const database = await createDatabase({ kind: 'postgres', url, poolSize: 20 });
    await migrateToLatest(database.db);
    await seedDemo(database.db);

    const config = loadConfig({
      ...process.env, DATABASE_URL: url, JWT_SECRET, LOG_LEVEL: 'warn', AUTO_SEED: 'false', REDIS_URL: undefined,
      // The limits still run on every request (their cost is part of the tax) but never refuse here.
      RATE_LIMIT_IP_PER_MINUTE: '1000000000', RATE_LIMIT_USER_PER_MINUTE: '1000000000',
      COST_BUDGET_MAX: '1000000000', COST_BUDGET_RESTORE_PER_SECOND: '1000000000',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    const app = await buildApp(config, { database, migrate: false, logger: false });
    apps.push(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const gqlPort = (app.server.address() as { port: number }).port;

    // The hand-written side: the same JWT check, the principal, the same service and SQL, no GraphQL.
    const plain = Fastify({ logger: false });
    apps.push(plain);
    await plain.register(fastifyJwt, {
      secret: JWT_SECRET,
      verify: { algorithms: ['HS256'], allowedIss: config.jwt.issuer, allowedAud: config.jwt.audience, requiredClaims: ['exp', 'iat', 'sub', 'iss', 'aud'] },
    });
    plain.post('/typename', async () => ({ data: { __typename: 'Query' } }));
    plain.post('/availability', async (request, reply) => {
      const claims = await request.jwtVerify<{ sub: string }>();
      const principal = await loadPrincipal(database.db, Number(claims.sub));
      const body = request.body as { productId: number; minGrade: string; windowStart: string; windowEnd: string };
      const a = await getAvailability(database.db, principal, body);
      return reply.send({ data: { availability: availabilityJson(a) } });
    });
    await plain.listen({ port: 0, host: '127.0.0.1' });
    const plainPort = (plain.server.address() as { port: number }).port;

    const buyer = await database.db.selectFrom('role_grants').select('user_id').where('role', '=', 'BUYER').executeTakeFirstOrThrow();
    const token = app.jwt.sign({ sub: String(buyer.user_id) });
    const product = await database.db.selectFrom('products').select(['id']).orderBy('id').executeTakeFirstOrThrow();
    const productGid = Buffer.from(`Product:${product.id}`).toString('base64');
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const cases: Case[] = [
      {
        name: '{ __typename }',
        graphql: { path: '/graphql', body: JSON.stringify({ query: '{ __typename }' }), headers: { 'content-type': 'application/json' } },
        plain: { path: '/typename', body: '{}', headers: { 'content-type': 'application/json' } },
        pick: (j) => j.data?.__typename ?? j,
      },
      {
        name: 'availability (buyer)',
        graphql: {
          path: '/graphql',
          body: JSON.stringify({ query: AVAILABILITY, variables: { input: { productId: productGid, minGrade: '3', ...WINDOW } } }),
          headers: auth,
        },
        plain: { path: '/availability', body: JSON.stringify({ productId: product.id, minGrade: '3', ...WINDOW }), headers: auth },
        pick: (j) => j.data?.availability ?? j,
      },
    ];

    // Both sides must give the same answer before anything is timed.
    for (const c of cases) {
      const ask = async (port: number, t: Case['graphql']) =>
        c.pick(await (await fetch(`http://127.0.0.1:${port}${t.path}`, { method: 'POST', headers: t.headers, body: t.body })).json());
      const [a, b] = [await ask(gqlPort, c.graphql), await ask(plainPort, c.plain)];
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${c.name}: the two sides differ\n${JSON.stringify(a)}\n${JSON.stringify(b)}`);
    }

    console.log(`bench:api — node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`${ROUNDS} rounds × ${SECONDS} s per side, ${CONNECTIONS} keep-alive connections, alternating sides\n`);
    for (const c of cases) {
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const sides = round % 2 === 1 ? (['graphql', 'plain'] as const) : (['plain', 'graphql'] as const);
        const res: Record<string, LoadResult> = {};
        for (const side of sides) {
          const r = await load(side === 'graphql' ? gqlPort : plainPort, c[side]);
          if (r.errors > 0) throw new Error(`${c.name} ${side}: ${r.errors} failed requests (${JSON.stringify(r.statuses)})`);
          res[side] = r;
        }
        const [g, p] = [res.graphql!, res.plain!];
        ratios.push(g.rps / p.rps);
        // CPU per request, as a throughput ratio: plain µs ÷ GraphQL µs.
        cpuRatios.push(p.cpuUsPerRequest / g.cpuUsPerRequest);
        console.log(
          `${c.name.padEnd(22)} round ${round}: GraphQL ${g.rps.toFixed(0).padStart(6)} req/s, plain ${p.rps.toFixed(0).padStart(6)} req/s, ratio ${(g.rps / p.rps).toFixed(2)}` +
            ` | server CPU per request: GraphQL ${g.cpuUsPerRequest.toFixed(0)} µs, plain ${p.cpuUsPerRequest.toFixed(0)} µs, ratio ${(p.cpuUsPerRequest / g.cpuUsPerRequest).toFixed(2)}`,
        );
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(`${c.name.padEnd(22)} median ratio ${median(ratios).toFixed(2)} (req/s), ${median(cpuRatios).toFixed(2)} (server CPU per request)\n`);
    }
    console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    for (const a of apps.reverse()) await a.close().catch(() => {});
    await scratch.drop();
  }
}

const AVAILABILITY = /* GraphQL */ `
  query Availability($input: AvailabilityInput!) {
    availability(input: $input) {
      ... on Availability {
        spotWeight forwardWeight contributorCount
        byGrade { grade { code } spotWeight forwardWeight contributorCount }
        byRegency { regency spotWeight forwardWeight contributorCount }
      }
    }
  }`;

/** The JSON the GraphQL query above answers, built by hand. */
function availabilityJson(a: Awaited<ReturnType<typeof getAvailability>>) {
  const kg = gramsToKg;
  const figures = (f: { spotG: number; forwardG: number; contributorCount: number }) => ({
    spotWeight: kg(f.spotG), forwardWeight: kg(f.forwardG), contributorCount: f.contributorCount,
  });
  return {
    ...figures(a),
    byGrade: a.byGrade.map((g) => ({ grade: { code: g.grade.code }, ...figures(g) })),
    byRegency: a.byRegency.map((r) => ({ regency: r.regency, ...figures(r) })),
  };
}

await main();
