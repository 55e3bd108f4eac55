// Bundle the compiled server (dist/src/server.js, from tsc) and its dependencies into one ES module,
// dist/bundle/server.mjs, and write dist/server.mjs, the file that starts it (`npm start`, the
// Dockerfile's CMD). Loading ~630 CommonJS and ~300 ES module files one by one (resolving, reading,
// compiling each) was most of a start-up; one file (~5 MB, whitespace-minified) loads in about a third of the time.
// Part of `npm run build` (after tsc); scripts/start.mjs calls it too when it recompiles.
// Plain JavaScript on purpose, like start.mjs: it runs before anything else is built.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Loaded from node_modules at run time, not bundled:
 * - @electric-sql/pglite reads its WASM and data files relative to itself; it and its Kysely dialect are
 *   imported only for the embedded database (a server on PostgreSQL never loads them);
 * - graphile-worker is imported only when the event workers start on PostgreSQL;
 * - pino (Fastify's logger) runs transports such as pino-pretty in a worker thread that loads its
 *   files by path relative to pino;
 * - pg-native is pg's optional native driver, never installed here.
 * Packages the code loads through its own createRequire (mqemitter-redis; the GraphiQL files of
 * graphiql, react and react-dom) are resolved at run time anyway.
 */
export const EXTERNAL = ['@electric-sql/pglite', 'kysely-pglite-dialect', 'graphile-worker', 'pino', 'pg-native'];

/** The entry: turns on what must be on before the bundle is compiled, then imports it. */
const ENTRY = `// Written by scripts/bundle.mjs: starts the bundled server (bundle/server.mjs).
import module from 'node:module';
// Node 22.1+ (not 20): keep V8's compiled code of the bundle on disk (in the OS temp directory, or
// NODE_COMPILE_CACHE), so the next start skips most of the compiling. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();
await import('./bundle/server.mjs');
`;

/**
 * esbuild writes ASCII except in comments and regular expressions (an em dash in a comment, /’/ in
 * plots/geo.ts). One such character makes V8 hold the whole source as a two-byte string: 14 MB of heap
 * for the lifetime of the process instead of 7. A \uXXXX escape means the same in a regular expression
 * and nothing in a comment; one after a backslash would not, so that stops the build.
 */
export function asciiOnly(code) {
  return code.replace(/[^\x00-\x7f]/g, (c, at) => {
    if (code[at - 1] === '\\') throw new Error(`bundle: a non-ASCII character after a backslash at offset ${at}; escape it in the source`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

export async function bundle({ dist = path.join(root, 'dist') } = {}) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    // The server is imported dynamically, so esbuild wraps each module in a function of its own, compiled
    // when it first runs, instead of hoisting every module's top level into one function of ~7 MB: V8's
    // parser memory for that one function stayed in the malloc heap (RSS on PostgreSQL 142 → 133 MB).
    stdin: { contents: "await import('./src/server.js');", resolveDir: dist, sourcefile: 'bundle-entry.js' },
    outfile: path.join(dist, 'bundle', 'server.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.11',
    external: EXTERNAL,
    // Bundled CommonJS calls require() for Node's built-in modules and the externals: give the ES module one.
    banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);" },
    // seed/template.ts digests the compiled sources it was built from (dist/src), not the bundle's directory.
    define: { LUMBUNG_BUNDLE_CODE_ROOT: JSON.stringify('../src') },
    // Bundling renames clashing names (two classes called ValidationError): keep every function's and
    // class's .name as written, since logs and errors show them (err.constructor.name).
    keepNames: true,
    // Maps to the TypeScript sources through tsc's maps, without the sources' text. Not turned on by
    // default: on Node 20 the first stack trace through it took 0.45 s and 700 MB (Node parses the whole
    // map), and it costs 70 ms and 10 MB at every start. NODE_OPTIONS=--enable-source-maps turns it on.
    sourcemap: 'linked',
    sourcesContent: false,
    // Whitespace and syntax only: names stay as written (keepNames; identifiers are not mangled). The
    // source held in V8's heap for the process's lifetime is 5 MB instead of 7.7, and parses faster.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  if (result.errors.length > 0) throw new Error('bundling failed');
  const out = path.join(dist, 'bundle', 'server.mjs');
  writeFileSync(out, asciiOnly(readFileSync(out, 'utf8')));
  writeFileSync(path.join(dist, 'server.mjs'), ENTRY);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  await bundle();
  console.log(`bundled the server into dist/bundle/server.mjs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
