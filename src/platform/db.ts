import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import type { DB } from './db-types.js';
import { forgetStatementNames, isStaleStatement, statementName } from './sql.js';
import { CONNECTION_SETTINGS, connectionsStartWith } from './transaction.js';

/**
 * One Kysely over either driver, returning the same JS types from both:
 * - int8 (bigint, and count(*)) → JS number; it throws rather than lose precision above 2^53.
 *   Weights are integer grams and money is integer minor units, so every value is exact.
 * - numeric → string (exact decimal; do arithmetic with decimal.js).
 * - date → 'YYYY-MM-DD' string (no time zone shift).
 * - timestamptz → Date.
 * `sum()` over int8 returns numeric in PostgreSQL: cast it back with `::int8` in SQL.
 */

const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

export function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is beyond the exact range of a JS number`);
  return n;
}

const identity = (value: string) => value;

export interface Database {
  db: Kysely<DB>;
  driver: 'postgres' | 'pglite';
  /** The embedded instance, when driver is pglite (tests dump it as a template). */
  pglite?: PGlite;
  /** The connection string, when driver is postgres (the job queue opens its own pool with it). */
  url?: string;
  /** A one-line description for logs, without credentials. */
  describe: string;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Called for every query; tests use it to count statements. */
  onQuery?: (event: LogEvent) => void;
  /** For PGlite: a gzip dump to start from (a migrated template). */
  loadDataDir?: Blob | File;
  /**
   * For PGlite with a data directory: a closed embedded data directory (a prepared template) to
   * copy in when the data directory holds no database yet. Copying the files is faster than
   * loading a dump (PGlite writes a dump's files one by one through its WASM file system) and
   * leaves no dump in memory.
   */
  templateDir?: string;
}

/**
 * The pool as Kysely sees it, running the statements `prepared` compiled (`statementName` knows
 * them) as named prepared statements, and every other statement as before. A named statement is
 * parsed and planned once per connection: on PostgreSQL that was 14–23 % of an acceptance's server
 * CPU (issue 13). PostgreSQL re-plans a named statement when the tables it reads change; when it
 * can no longer run one (see `isStaleStatement`), every name is forgotten, so the statement runs
 * again, parsed anew, under a new name. Not used behind a pooler in transaction mode
 * (DATABASE_TRANSACTION_POOLER=true), where a connection's statements may be another's.
 */
function namingStatements(pool: pg.Pool): PostgresPool {
  const query = (client: pg.PoolClient, text: string, values: readonly unknown[]) => {
    const name = statementName(text);
    if (name === undefined) return client.query(text, values as unknown[]);
    return client.query({ name, text, values: values as unknown[] }).catch((e: unknown) => {
      if (isStaleStatement(e)) forgetStatementNames();
      throw e;
    });
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      // Kysely passes a text with its values, or a cursor (streaming) as is.
      const wrapped = {
        query: (text: string | object, values?: readonly unknown[]) => (typeof text === 'string' ? query(client, text, values ?? []) : client.query(text as never)),
        release: () => client.release(),
      };
      return wrapped as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

/** Settings as the server's command-line arguments, `-c name=value …` (the values hold no spaces). */
const startupArguments = (settings: Readonly<Record<string, string>>) =>
  Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

/**
 * Shared buffers of the embedded database. PostgreSQL's default (128 MB) lives in PGlite's WASM heap,
 * in this process: opening a data directory and reading a 300k-row table took 373 MB RSS with it and
 * 252 MB with 16 MB (measured here). The embedded database serves one node and small data, and
 * what misses the buffers is read from the data directory's files through the OS cache anyway.
 */
export const EMBEDDED_SHARED_BUFFERS = '32MB';

export async function createDatabase(config: DatabaseConfig, options: DbOptions = {}): Promise<Database> {
  const log = options.onQuery ? (event: LogEvent) => options.onQuery?.(event) : undefined;
  if (config.kind === 'postgres') {
    // Each connection keeps state of its own (its settings, its named statements) unless a pooler
    // in transaction mode hands its server connections from one client to another.
    const ownConnections = !config.transactionPooler;
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      ...(ownConnections ? { options: startupArguments(CONNECTION_SETTINGS).join(' ') } : {}),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === OID.int8) return parseInt8;
          if (oid === OID.date || oid === OID.numeric) return identity;
          return pg.types.getTypeParser(oid, format);
        }) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client that errors (e.g. the server restarts) must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: ownConnections ? namingStatements(pool) : pool }), ...(log ? { log } : {}) });
    if (ownConnections) connectionsStartWith(db, CONNECTION_SETTINGS);
    const url = new URL(config.url);
    return {
      db,
      driver: 'postgres',
      url: config.url,
      describe: `postgres ${url.hostname}:${url.port || 5432}${url.pathname} (pool ${config.poolSize})`,
      close: () => db.destroy(),
    };
  }
  // Loaded only for the embedded database: a server on PostgreSQL never pays for PGlite's WASM.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([import('@electric-sql/pglite'), import('kysely-pglite-dialect')]);
  const releaseDataDir = config.dataDir ? claimDataDir(config.dataDir) : () => {};
  if (config.dataDir && options.templateDir && isEmptyDataDir(config.dataDir)) copyDataDir(options.templateDir, config.dataDir);
  const pglite = await PGlite.create({
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`, ...startupArguments(CONNECTION_SETTINGS)],
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: {
      [OID.int8]: (value: string) => parseInt8(value),
      [OID.numeric]: identity,
      [OID.date]: identity,
    },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), ...(log ? { log } : {}) });
  connectionsStartWith(db, CONNECTION_SETTINGS);
  return {
    db,
    driver: 'pglite',
    pglite,
    describe: `embedded PGlite ${config.dataDir ?? '(in memory)'}`,
    close: async () => {
      await db.destroy();
      releaseDataDir();
    },
  };
}

/** True when the embedded data directory holds no database yet. */
export function isEmptyDataDir(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** What is the process's, not the database's: never copied from or into a template. */
const NOT_DATABASE_FILES = new Set(['lumbung.lock', 'jwt-secret']);

/**
 * Copy a closed embedded data directory into an empty one. PG_VERSION, which marks a data
 * directory as holding a database, is copied last: a copy cut short (the process killed) leaves
 * the directory still "empty", and the next start copies again over what is there.
 */
export function copyDataDir(from: string, to: string): void {
  const copyTree = (src: string, dst: string, top: boolean) => {
    mkdirSync(dst, { recursive: true });
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      if (top && (entry.name === 'PG_VERSION' || NOT_DATABASE_FILES.has(entry.name))) continue;
      const s = path.join(src, entry.name);
      const d = path.join(dst, entry.name);
      if (entry.isDirectory()) copyTree(s, d, false);
      else copyFileSync(s, d);
    }
  };
  copyTree(from, to, true);
  copyFileSync(path.join(from, 'PG_VERSION'), path.join(to, 'PG_VERSION'));
}

/**
 * PGlite is one process's database: a second process opening the same data directory (a
 * `create-admin` next to a running server) would corrupt it. Claim the directory with a lock file
 * holding our pid; a lock left by a process that no longer runs is taken over.
 */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, 'lumbung.lock');
  const holder = Number.parseInt(readLock(lock), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
    throw new Error(`the embedded database in ${dataDir} is in use by process ${holder}: stop it first (or use DATABASE_URL)`);
  }
  writeFileSync(lock, `${process.pid}\n`);
  return () => {
    if (Number.parseInt(readLock(lock), 10) === process.pid) rmSync(lock, { force: true });
  };
}

function readLock(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
