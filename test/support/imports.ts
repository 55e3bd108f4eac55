import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The import graph of a source tree, read as text (no compiler needed): for each .ts file, what it
 * imports, whether only as types, and which module it belongs to. test/architecture.test.ts checks
 * the layering rules with it.
 */

export interface Import {
  /** Path relative to the root (`modules/lots/lots.service.ts`) for a file of the tree, else the package name. */
  target: string;
  /** Whether the target is a file of the tree (false: an npm package or node: built-in). */
  local: boolean;
  /** `import type …` / `export type … from`: gone at run time. */
  typeOnly: boolean;
}

/** file (relative to the root) → its imports. */
export type ImportGraph = Map<string, Import[]>;

// `import … from '…'`, `export … from '…'` (the part before `from` holds no `;`), and `import '…'`.
const FROM = /^[ \t]*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]/gm;
const BARE = /^[ \t]*import\s+['"]([^'"]+)['"]/gm;

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTs(path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Parse the imports of one file's text; `resolveLocal` maps a relative specifier to a tree path. */
export function parseImports(text: string, resolveLocal: (spec: string) => string): Import[] {
  const imports: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const local = spec.startsWith('.');
    imports.push({ target: local ? resolveLocal(spec) : spec, local, typeOnly });
  };
  for (const m of text.matchAll(FROM)) {
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is type-only too; `import { type A, b }` is not.
    const names = /^\{([\s\S]*)\}$/.exec(clause.trim())?.[1]?.split(',').map((n) => n.trim()).filter(Boolean);
    const allTypes = names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type '));
    add(m[4]!, m[2] !== undefined || allTypes);
  }
  for (const m of text.matchAll(BARE)) add(m[1]!, false);
  return imports;
}

/** Read every .ts file (tests aside) below `root`. Paths are relative to `root`, with `/`. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of listTs(root)) {
    const rel = relative(root, file).split('\\').join('/');
    const resolveLocal = (spec: string) => {
      const ts = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const path = existsSync(ts) ? ts : join(ts.replace(/\.ts$/, ''), 'index.ts');
      return relative(root, path).split('\\').join('/');
    };
    graph.set(rel, parseImports(readFileSync(file, 'utf8'), resolveLocal));
  }
  return graph;
}

/** The module a file belongs to: `modules/<name>/…` → name; a file directly in modules/ (refs.ts) → its name. */
export function moduleOf(file: string): string | null {
  const m = /^modules\/(?:([^/]+)\/|([^/]+)\.ts$)/.exec(file);
  return m ? (m[1] ?? m[2]!) : null;
}

/** Packages whose run-time import makes a file a database module or a GraphQL file. */
const DATABASE_PACKAGES = /^(kysely|kysely-pglite-dialect|pg|@electric-sql\/pglite)(\/|$)/;
const GRAPHQL_PACKAGES = /^(graphql|mercurius|@pothos\/[^/]+)(\/|$)/;

/** Why a file is not a pure kernel by itself (before looking at what it imports), or null. */
export function impureKind(file: string, imports: readonly Import[]): string | null {
  if (/\.service\.ts$/.test(file)) return 'service';
  if (/\.repo\.ts$/.test(file)) return 'repo';
  if (/\.graphql\.ts$/.test(file) || file.startsWith('platform/graphql/')) return 'GraphQL file';
  for (const i of imports) {
    if (i.local || i.typeOnly) continue;
    if (DATABASE_PACKAGES.test(i.target)) return `database module (imports ${i.target})`;
    if (GRAPHQL_PACKAGES.test(i.target)) return `GraphQL file (imports ${i.target})`;
  }
  return null;
}

/**
 * The pure kernels of the graph: files that reach no service, repo, GraphQL file or database
 * module, directly or through the files they import at run time (type-only imports do not count:
 * they are erased). Pure kernels (engine.ts, sni.ts, geo.ts, order state and money, …) may be
 * imported from anywhere.
 */
export function pureKernels(graph: ImportGraph): Set<string> {
  const impure = new Map<string, boolean>();
  const visit = (file: string, stack: Set<string>): boolean => {
    const known = impure.get(file);
    if (known !== undefined) return known;
    if (stack.has(file)) return false; // a cycle among files: decided by the rest of the cycle
    stack.add(file);
    const imports = graph.get(file) ?? [];
    const result = impureKind(file, imports) !== null || imports.some((i) => i.local && !i.typeOnly && visit(i.target, stack));
    stack.delete(file);
    impure.set(file, result);
    return result;
  };
  return new Set([...graph.keys()].filter((f) => !visit(f, new Set())));
}

/** One module-level dependency and the file imports behind it. */
export interface ModuleEdge {
  from: string;
  to: string;
  via: string[];
}

/** Module → module dependencies, leaving out imports of pure kernels and imports within a module. */
export function moduleEdges(graph: ImportGraph, kernels: ReadonlySet<string> = pureKernels(graph)): ModuleEdge[] {
  const edges = new Map<string, ModuleEdge>();
  for (const [file, imports] of graph) {
    const from = moduleOf(file);
    if (!from) continue;
    for (const i of imports) {
      const to = i.local ? moduleOf(i.target) : null;
      if (!to || to === from || kernels.has(i.target)) continue;
      const key = `${from}>${to}`;
      const edge = edges.get(key) ?? { from, to, via: [] };
      edge.via.push(`${file} → ${i.target}${i.typeOnly ? ' (type)' : ''}`);
      edges.set(key, edge);
    }
  }
  return [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** Strongly connected components with more than one node (Tarjan): each is a cycle. */
export function cycles(nodes: Iterable<string>, edges: ReadonlyArray<{ from: string; to: string }>): string[][] {
  const next = new Map<string, string[]>();
  for (const n of nodes) next.set(n, []);
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, []);
    if (!next.has(e.to)) next.set(e.to, []);
    next.get(e.from)!.push(e.to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return found.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** File-level cycles through run-time imports (type-only imports are erased and cannot loop). */
export function fileCycles(graph: ImportGraph): string[][] {
  const edges: Array<{ from: string; to: string }> = [];
  for (const [file, imports] of graph) {
    for (const i of imports) if (i.local && !i.typeOnly && graph.has(i.target)) edges.push({ from: file, to: i.target });
  }
  return cycles(graph.keys(), edges);
}
