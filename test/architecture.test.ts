import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  cycles, fileCycles, type ImportGraph, moduleEdges, moduleOf, parseImports, pureKernels, readImportGraph,
} from './support/imports.js';

/**
 * The layers of src/, checked on the imports as written:
 *
 *   src/app.ts, server.ts, schema.ts, composition.ts, seed/   (wiring: may import anything)
 *   src/modules/<module>/                                     (domain, in MODULE_ORDER below)
 *   src/platform/                                             (infrastructure: imports no module)
 *
 * THE ALLOWED ORDER OF MODULES, lowest first. A module may import only modules listed before it.
 * Pure kernels are the exception: a file that reaches no service, repo, GraphQL file or database
 * module (directly or through what it imports at run time) — engine.ts, sni.ts, geo.ts, order
 * state and money, error classes, … — may be imported from anywhere.
 *
 * Adding a module: put it in the list above everything it imports and below everything that
 * imports it. If no such place exists, the modules form a cycle: move the shared piece down (into
 * the lower module, a pure kernel or platform/) or wire the call upward through a hook installed
 * in src/composition.ts, as fulfilment's handlers are.
 */
export const MODULE_ORDER = [
  'refs', // modules/refs.ts: the shared Node refs (each module implements its own)
  'accounts', // users, roles, buyer organisations
  'provenance', // the append-only event log every module writes to
  'outbox', // the transactional outbox of partner events (catalogue, emit) every writer calls
  'brands', // brands, products, grade scheme vocabulary (GradeLevel)
  'producers', // cooperatives, producers, who may see and act for a producer
  'consent', // producers' consent to disclose their name (UU 27/2022)
  'memberships', // producers in brands
  'plots', // where a producer grows (EUDR geolocation)
  'deforestation', // deforestation assessments per plot (EUDR cut-off)
  'lots', // physical supply
  'grading', // assessments of lots against the grade scheme
  'commitments', // forward supply
  'availability', // aggregates of lots and commitments for buyers
  'allocation', // the supply ledger: the only writer of allocated weight and allocation lines
  'orders', // the order workflow on top of the ledger (place, preview, accept, status)
  'fulfilment', // delivering allocated lines; shortfalls; handlers for regrades and cancellations
  'trace', // the order trace read model: reads everything
  'settlement', // price rules, invoices, payments, settling orders into payout statements (hooked into orders by composition.ts)
  'shu', // the cooperative's year: reads the payout statements
  'shipments', // shipOrder's papers, DDS numbers, the EUDR package (extends the trace with the shipment)
  'epcis', // the EPCIS 2.0 document of a shipment
  'partners', // machine clients (OAuth client credentials), their scopes over every root field
  'webhooks', // delivering the outbox: webhook endpoints, dispatch, workers, subscriptions
] as const;

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Module-order violations of a graph: edges into a module that is not strictly below. */
function orderViolations(graph: ImportGraph, order: readonly string[]) {
  const rank = new Map(order.map((m, i) => [m, i]));
  return moduleEdges(graph)
    .filter((e) => (rank.get(e.to) ?? Infinity) >= (rank.get(e.from) ?? -Infinity))
    .map((e) => `${e.from} → ${e.to} (${e.to} must be listed before ${e.from}) via ${e.via.join('; ')}`);
}

function moduleCycles(graph: ImportGraph) {
  const edges = moduleEdges(graph);
  const modules = new Set([...graph.keys()].map(moduleOf).filter((m): m is string => m !== null));
  return cycles(modules, edges).map((scc) => {
    const inside = edges.filter((e) => scc.includes(e.from) && scc.includes(e.to));
    return `${scc.join(', ')}: ${inside.map((e) => `${e.from} → ${e.to} via ${e.via[0]}`).join('; ')}`;
  });
}

describe('architecture: imports point one way', () => {
  const graph = readImportGraph(SRC);

  it('lists every module of src/modules in MODULE_ORDER, once', () => {
    const modules = [...new Set([...graph.keys()].map(moduleOf).filter((m): m is string => m !== null))].sort();
    expect(modules.filter((m) => !(MODULE_ORDER as readonly string[]).includes(m))).toEqual([]);
    expect(new Set(MODULE_ORDER).size).toBe(MODULE_ORDER.length);
  });

  it('is the order the README\'s source tree lists the modules in', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const tree = readme.slice(readme.indexOf('\n  modules/ '), readme.indexOf('\n  seed/ '));
    const listed = [...tree.matchAll(/^ {4}([a-z]+)(?:\/|\.ts) /gm)].map((m) => m[1]);
    expect(listed).toEqual([...MODULE_ORDER]);
  });

  it('has no cycle among modules (imports of pure kernels aside)', () => {
    expect(moduleCycles(graph)).toEqual([]);
  });

  it('imports only downward in MODULE_ORDER (pure kernels aside)', () => {
    expect(orderViolations(graph, MODULE_ORDER)).toEqual([]);
  });

  it('never imports a module, the schema or the wiring from platform/ (config.ts and migrations/ aside)', () => {
    const upward = [...graph]
      .filter(([file]) => file.startsWith('platform/'))
      .flatMap(([file, imports]) => imports.filter((i) => i.local && !i.target.startsWith('platform/') && !i.target.startsWith('../') && i.target !== 'config.ts').map((i) => `${file} → ${i.target}`));
    expect(upward).toEqual([]);
  });

  it('has no file-level import cycle anywhere in src/ (run-time imports)', () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it('finds the pure kernels the rules rely on', () => {
    const kernels = pureKernels(graph);
    for (const file of ['modules/allocation/engine.ts', 'modules/grading/sni.ts', 'modules/plots/geo.ts', 'modules/orders/state.ts', 'modules/orders/money.ts']) {
      expect(kernels.has(file), file).toBe(true);
    }
    for (const file of ['modules/lots/lots.service.ts', 'modules/lots/lots.repo.ts', 'modules/refs.ts', 'platform/db.ts', 'platform/transaction.ts']) {
      expect(kernels.has(file), file).toBe(false);
    }
  });
});

describe('architecture checks themselves (a synthetic tree)', () => {
  const tree = (files: Record<string, string>): ImportGraph =>
    new Map(Object.entries(files).map(([file, text]) => [
      file,
      parseImports(text, (spec) => posix.join(posix.dirname(file), spec).replace(/\.js$/, '.ts')),
    ]));

  it('reports a cycle between two modules through their services, and the order violation', () => {
    const g = tree({
      'modules/a/a.service.ts': "import { b } from '../b/b.service.js';",
      'modules/b/b.service.ts': "import { a } from '../a/a.service.js';",
    });
    expect(moduleCycles(g)).toEqual(['a, b: a → b via modules/a/a.service.ts → modules/b/b.service.ts; b → a via modules/b/b.service.ts → modules/a/a.service.ts']);
    expect(orderViolations(g, ['a', 'b'])).toHaveLength(1);
  });

  it('lets any module import a pure kernel, but not a kernel that reaches a repo', () => {
    const pure = tree({
      'modules/a/a.service.ts': "import { b } from '../b/b.service.js';",
      'modules/b/b.service.ts': "import { k } from '../a/kernel.js';",
      'modules/a/kernel.ts': "import { z } from 'zod';\nimport type { Row } from '../a/a.repo.js';",
      'modules/a/a.repo.ts': "import { sql } from 'kysely';",
    });
    expect(moduleCycles(pure)).toEqual([]);
    const impure = tree({
      'modules/a/a.service.ts': "import { b } from '../b/b.service.js';",
      'modules/b/b.service.ts': "import { k } from '../a/kernel.js';",
      'modules/a/kernel.ts': "import { row } from './a.repo.js';",
      'modules/a/a.repo.ts': "import { sql } from 'kysely';",
    });
    expect(moduleCycles(impure)).toHaveLength(1);
  });

  it('reads multi-line, type-only and side-effect imports', () => {
    const imports = parseImports(
      "import {\n  a,\n  type B,\n} from './x.js';\nimport type { C } from './y.js';\nimport { type D } from './z.js';\nexport { e } from './w.js';\nimport './v.js';\n/** import { no } from './comment.js' */",
      (s) => s,
    );
    expect(imports).toEqual([
      { target: './x.js', local: true, typeOnly: false },
      { target: './y.js', local: true, typeOnly: true },
      { target: './z.js', local: true, typeOnly: true },
      { target: './w.js', local: true, typeOnly: false },
      { target: './v.js', local: true, typeOnly: false },
    ]);
  });
});
