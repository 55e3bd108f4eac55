/**
 * `npm run bench:api`: the GraphQL tax. Throughput of the same answers through Lumbung's GraphQL
 * endpoint and through a hand-written Fastify route, in one run, alternating the two sides.
 *
 *   npm run bench:api
 *   BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 npm run bench:api
 *
 * - `{ __typename }` as an anonymous caller vs a plain Fastify POST route answering the same JSON.
 *   A third side, `mercurius`, answers it from Mercurius alone: the same schema on a bare Fastify,
 *   none of the platform's plugins (request ids, headers, CSRF, limits, authentication, rate limit,
 *   guards, drain) and none of its GraphQL hooks (cost budget, checks, error masking). Its ratio to
 *   the plain route is what GraphQL itself costs; the app's, what the platform adds on top.
 * - The buyer's availability query (as a signed-in buyer) vs a hand-written Fastify + pg route that
 *   verifies the same JWT and answers the same JSON from the same SQL (checked equal before timing).
 *
 * The GraphQL app runs in a server child of its own (scripts/bench-api-server.ts), the plain route
 * in this process; the load comes from another child (scripts/bench-api-load.ts) with keep-alive
 * connections, so the load generator does not compete with a server's event loop. After a warm-up
 * (BENCH_WARMUP_SECONDS per side, unmeasured), each round runs every case for BENCH_SECONDS per
 * side, each round starting with another side and every other round in the other direction; the
 * ratio is GraphQL req/s ÷ plain req/s per round, and the median over rounds is reported. Next to
 * it, the server's CPU time per request on each side (the serving process's user + system time
 * while the side was loaded, per request answered) and its ratio (plain ÷ GraphQL): on a shared,
 * busy machine req/s swings with the neighbours, CPU per request much less.
 *
 * As production runs: NODE_ENV=production (the Dockerfile's; graphql-js drops its cross-realm
 * instanceof checks then), unless NODE_ENV is set. Limits in memory (one node), or in Redis with
 * BENCH_REDIS=redis://127.0.0.1:6379 (as several nodes keep them; keys under a prefix of this run).
 * Before/after in one run: BENCH_BASELINE=<another checkout> runs that checkout's GraphQL app as a
 * third side (e.g. `git worktree add --detach ../base main`, node_modules linked), against the
 * same database and plain route.
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

// What production runs (the Dockerfile sets NODE_ENV=production): graphql-js checks it once, when
// it is loaded (its instanceOf skips the cross-realm checks), so it is set before any import below.
process.env.NODE_ENV ??= 'production';
const { default: Fastify } = await import('fastify');
const { default: fastifyJwt } = await import('@fastify/jwt');
const { loadConfig } = await import('../src/config.js');
const { composeModules } = await import('../src/composition.js');
const { getAvailability } = await import('../src/modules/availability/availability.service.js');
const { loadPrincipal } = await import('../src/platform/auth.js');
const { createDatabase } = await import('../src/platform/db.js');
const { migrateToLatest } = await import('../src/platform/migrate.js');
const { seedDemo } = await import('../src/seed/seed.js');
const { availabilityJson, scratchDatabase } = await import('./bench-support.js');

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Unmeasured load per side and case before the rounds: a fresh server spends its first seconds compiling (JIT threads count as its CPU). */
/** Connections per pool (this process's and each server child's): other runs on the shared PostgreSQL take connections too, and 3 × 20 ran into max_connections (500s). */
const POOL = Number(process.env.BENCH_POOL_SIZE ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Another checkout (e.g. a worktree of main) whose GraphQL app runs as a third side, for before/after in one run. */
const BASELINE = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
/** BENCH_REDIS=redis://127.0.0.1:6379: the limits in Redis, as every node of a multi-node deployment keeps them. */
const REDIS = process.env.BENCH_REDIS ?? null;
const WINDOW = { windowStart: '2027-06-01', windowEnd: '2027-09-30' };
const JWT_SECRET = 'bench-api-secret-0123456789abcdefghijklmnopqrstuvwxyz';

interface Case {
  name: string;
  graphql: { path: string; body: string; headers: Record<string, string> };
  plain: { path: string; body: string; headers: Record<string, string> };
  /** the part of the answer both sides must agree on */
  pick: (json: any) => unknown;
  /** Also run on Mercurius alone (the schema, no platform plugin): the answer needs no principal. */
  mercuriusAlone?: boolean;
}

interface LoadResult { rps: number; errors: number; statuses: Record<string, number>; cpuUsPerRequest: number }

/** A GraphQL app in a process of its own (scripts/bench-api-server.ts), from this checkout or another. */
interface ServerChild { port: number; cpu(): Promise<NodeJS.CpuUsage>; close(): Promise<void> }

function serverChild(root: string, env: Record<string, string | undefined>, mode: 'app' | 'mercurius'): Promise<ServerChild> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, 'bench-api-server.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, APP_ROOT: root, APP_ENV: JSON.stringify(env), APP_MODE: mode },
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server child (${root}) exited ${code} before listening`)));
    child.once('message', (m) => {
      const { port } = m as { port: number };
      resolve({
        port,
        // A server that dies under load (an uncaught error in a request) fails the run instead of leaving it waiting.
        cpu: () => Promise.race([
          new Promise<NodeJS.CpuUsage>((done) => { child.once('message', (r) => done((r as { cpu: NodeJS.CpuUsage }).cpu)); child.send('cpu'); }),
          exited.then(() => { throw new Error(`server child (${root}) exited ${child.exitCode ?? child.signalCode}`); }),
        ]),
        close: async () => {
          if (child.exitCode === null) child.send('close');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

/**
 * Run the load child against one target; resolves with its requests per second and the server's
 * CPU time (user + system) per request answered meanwhile (this process's for the plain route, the
 * server child's for a GraphQL app): the load runs elsewhere, so it is what a request costs the
 * server, much less disturbed by a busy machine than req/s.
 */
async function load(port: number, target: Case['graphql'], server: ServerChild | null): Promise<LoadResult> {
  const cpu = server ? await server.cpu() : process.cpuUsage();
  const r = await loadChild(port, target);
  const now = server ? await server.cpu() : process.cpuUsage();
  const used = { user: now.user - cpu.user, system: now.system - cpu.system };
  const requests = Object.values(r.statuses).reduce((a, b) => a + b, 0);
  return { ...r, cpuUsPerRequest: (used.user + used.system) / requests };
}

function loadChild(port: number, target: Case['graphql'], seconds = SECONDS): Promise<{ rps: number; errors: number; statuses: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(import.meta.dirname, 'bench-api-load.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PORT: String(port), TARGET: JSON.stringify(target), SECONDS: String(seconds), CONNECTIONS: String(CONNECTIONS) },
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
    const database = await createDatabase({ kind: 'postgres', url, poolSize: POOL });
    await migrateToLatest(database.db);
    await seedDemo(database.db);
    apps.push({ close: () => database.close() });

    const env = {
      ...process.env, DATABASE_URL: url, JWT_SECRET, LOG_LEVEL: 'warn', AUTO_SEED: 'false',
      REDIS_URL: REDIS ?? undefined, REDIS_KEY_PREFIX: `bench-api-${process.pid}:`,
      // The event workers are background work, not the requests' (and would run once per app here).
      WORKERS: 'false',
      // The limits still run on every request (their cost is part of the tax) but never refuse here.
      RATE_LIMIT_IP_PER_MINUTE: '1000000000', RATE_LIMIT_USER_PER_MINUTE: '1000000000',
      COST_BUDGET_MAX: '1000000000', COST_BUDGET_RESTORE_PER_SECOND: '1000000000',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    };
    const config = loadConfig(env);
    // The hand-written side: the same JWT check, the principal, the same service and SQL, no GraphQL.
    const plain = Fastify({ logger: false });
    apps.push(plain);
    await plain.register(fastifyJwt, {
      secret: JWT_SECRET,
      sign: { algorithm: 'HS256', iss: config.jwt.issuer, aud: config.jwt.audience, expiresIn: config.jwt.expiresInSeconds },
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
    const token = plain.jwt.sign({ sub: String(buyer.user_id) });
    const product = await database.db.selectFrom('products').select(['id']).orderBy('id').executeTakeFirstOrThrow();
    const productGid = Buffer.from(`Product:${product.id}`).toString('base64');
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const cases: Case[] = [
      {
        name: '{ __typename }',
        graphql: { path: '/graphql', body: JSON.stringify({ query: '{ __typename }' }), headers: { 'content-type': 'application/json' } },
        plain: { path: '/typename', body: '{}', headers: { 'content-type': 'application/json' } },
        pick: (j) => j.data?.__typename ?? j,
        mercuriusAlone: true,
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

    console.log(`bench:api — node ${process.version}, NODE_ENV=${process.env.NODE_ENV}, limits ${REDIS ? `in Redis (${REDIS})` : 'in memory'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (BASELINE) console.log(`baseline: the GraphQL app of ${BASELINE} as a third side`);
    console.log(`${ROUNDS} rounds × ${SECONDS} s per side after ${WARMUP} s of warm-up, ${CONNECTIONS} keep-alive connections, alternating sides, fresh server processes each round\n`);
    type Side = 'graphql' | 'baseline' | 'mercurius' | 'plain';
    type ServerSide = Exclude<Side, 'plain'>;
    const serverSides: ServerSide[] = BASELINE ? ['graphql', 'baseline', 'mercurius'] : ['graphql', 'mercurius'];
    /** The sides a case runs on: Mercurius alone only where no platform plugin is needed for the answer. */
    const sidesOf = (c: Case): Side[] => [...serverSides.filter((x) => x !== 'mercurius' || c.mercuriusAlone), 'plain'];
    const gqlSidesOf = (c: Case) => sidesOf(c).filter((x): x is ServerSide => x !== 'plain');
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = new Map<string, string[]>(cases.map((c) => [c.name, []]));
    const perSide = () => ({ graphql: [] as number[], baseline: [] as number[], mercurius: [] as number[], plain: [] as number[] });
    const ratios = new Map(cases.map((c) => [c.name, perSide()]));
    const cpuRatios = new Map(cases.map((c) => [c.name, perSide()]));
    const cpus = new Map(cases.map((c) => [c.name, perSide()]));
    for (let round = 1; round <= ROUNDS; round++) {
      // Fresh server processes each round: identical processes differ by up to 2× in CPU per request
      // on this shared machine (an A/A run: 59–66 µs in one, 101–130 µs in the other), and that
      // stays with the process, so one process per side would compare two draws, not two versions.
      const servers: Partial<Record<Side, ServerChild>> = {};
      for (const side of round % 2 === 1 ? serverSides : [...serverSides].reverse()) {
        servers[side] = await serverChild(side === 'baseline' ? BASELINE! : path.join(import.meta.dirname, '..'), env, side === 'mercurius' ? 'mercurius' : 'app');
      }
      const portOf = (side: Side) => (side === 'plain' ? plainPort : servers[side]!.port);
      try {
        for (const c of cases) {
          const allSides = sidesOf(c);
          const gqlSides = gqlSidesOf(c);
          // Every side must give the same answer before anything is timed.
          const ask = async (port: number, t: Case['graphql']) =>
            c.pick(await (await fetch(`http://127.0.0.1:${port}${t.path}`, { method: 'POST', headers: t.headers, body: t.body })).json());
          const expected = JSON.stringify(await ask(plainPort, c.plain));
          for (const side of gqlSides) {
            const got = JSON.stringify(await ask(portOf(side), c.graphql));
            if (got !== expected) throw new Error(`${c.name}: ${side} differs from the plain route\n${got}\n${expected}`);
          }
          if (WARMUP > 0) for (const side of allSides) await loadChild(portOf(side), side === 'plain' ? c.plain : c.graphql, WARMUP);
          // Each round starts with another side (and runs them in the other direction every other round).
          const rotated = allSides.map((_, i) => allSides[(i + round - 1) % allSides.length]!);
          const order = round % 2 === 1 ? rotated : [...rotated].reverse();
          const res: Partial<Record<Side, LoadResult>> = {};
          for (const side of order) {
            const r = await load(portOf(side), side === 'plain' ? c.plain : c.graphql, side === 'plain' ? null : servers[side]!);
            if (r.errors > 0) throw new Error(`${c.name} ${side}: ${r.errors} failed requests (${JSON.stringify(r.statuses)})`);
            res[side] = r;
            cpus.get(c.name)![side].push(r.cpuUsPerRequest);
          }
          const p = res.plain!;
          const parts: string[] = [];
          for (const side of gqlSides) {
            const g = res[side]!;
            ratios.get(c.name)![side].push(g.rps / p.rps);
            // CPU per request, as a throughput ratio: plain µs ÷ GraphQL µs.
            cpuRatios.get(c.name)![side].push(p.cpuUsPerRequest / g.cpuUsPerRequest);
            parts.push(`${side} ${g.rps.toFixed(0).padStart(6)} req/s ${g.cpuUsPerRequest.toFixed(0).padStart(4)} µs (ratio ${(g.rps / p.rps).toFixed(2)} req/s, ${(p.cpuUsPerRequest / g.cpuUsPerRequest).toFixed(2)} CPU)`);
          }
          const line = `${c.name.padEnd(22)} round ${round}: plain ${p.rps.toFixed(0).padStart(6)} req/s ${p.cpuUsPerRequest.toFixed(0).padStart(4)} µs | ${parts.join(' | ')} | load ${loadavg()[0]!.toFixed(2)}`;
          lines.get(c.name)!.push(line);
          console.log(line);
        }
      } finally {
        for (const side of serverSides) await servers[side]?.close();
      }
    }
    console.log('');
    for (const c of cases) {
      for (const side of gqlSidesOf(c)) {
        console.log(
          `${c.name.padEnd(22)} ${side.padEnd(8)} median ratio ${median(ratios.get(c.name)![side]).toFixed(2)} (req/s), ${median(cpuRatios.get(c.name)![side]).toFixed(2)} (server CPU per request);` +
            ` median CPU per request ${median(cpus.get(c.name)![side]).toFixed(0)} µs vs plain ${median(cpus.get(c.name)!.plain).toFixed(0)} µs`,
        );
      }
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

await main();
