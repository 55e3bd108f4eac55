import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PAGE_CSS, PAGE_HTML, PAGE_SCRIPT } from './graphiql-page.js';
import { documentHeaders, setHeaders } from './headers.js';

/**
 * GraphiQL served from the project's own dependencies, so it works without internet (Mercurius's
 * built-in page loads React and GraphiQL from a CDN and is blank offline).
 *
 * GraphiQL 4.1 with React 18.3 because they ship browser (UMD) bundles; GraphiQL 5 and React 19 do
 * not. Every script is a file of its own (no inline script), so a strict `script-src 'self'` policy
 * still lets the page run. The page adds a small sign-in bar: it calls the `login` mutation and
 * sends the token as `Authorization: Bearer …` with every request (kept in sessionStorage only).
 */

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** The vendor files the page loads, each from the package that ships it. */
const VENDOR = [
  { prefix: '/graphiql/vendor/react/', root: path.join(packageDir('react'), 'umd'), file: 'react.production.min.js' },
  { prefix: '/graphiql/vendor/react-dom/', root: path.join(packageDir('react-dom'), 'umd'), file: 'react-dom.production.min.js' },
  { prefix: '/graphiql/vendor/graphiql/', root: packageDir('graphiql'), file: 'graphiql.min.js' },
  { prefix: '/graphiql/vendor/graphiql/', root: packageDir('graphiql'), file: 'graphiql.min.css' },
] as const;


export async function graphiqlPlugin(app: FastifyInstance): Promise<void> {
  // A page and its files: the document headers on top of every response's (this plugin's routes only).
  app.addHook('onRequest', setHeaders(documentHeaders()));
  const page = (type: string, body: string) => async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.type(type).header('cache-control', 'no-cache').send(body);
  app.get('/graphiql', { logLevel: 'warn' }, page('text/html; charset=utf-8', PAGE_HTML));
  app.get('/graphiql/assets/lumbung-graphiql.js', { logLevel: 'warn' }, page('text/javascript; charset=utf-8', PAGE_SCRIPT));
  app.get('/graphiql/assets/lumbung-graphiql.css', { logLevel: 'warn' }, page('text/css; charset=utf-8', PAGE_CSS));
  const roots = new Map<string, { root: string; files: string[] }>();
  for (const { prefix, root, file } of VENDOR) {
    const entry = roots.get(prefix) ?? { root, files: [] };
    entry.files.push(file);
    roots.set(prefix, entry);
  }
  let first = true;
  for (const [prefix, { root, files }] of roots) {
    await app.register(fastifyStatic, {
      root,
      prefix,
      decorateReply: first,
      index: false,
      list: false,
      logLevel: 'warn',
      // Only the files the page needs; nothing else in the package directory is served.
      allowedPath: (pathName) => files.includes(pathName.replace(/^\//, '')),
      maxAge: '1d',
    });
    first = false;
  }
}
