/**
 * What may reach the log (issue 8 §2): never password hashes, tokens, secrets or contact data.
 *
 * Database errors are the risk: the PGlite driver attaches the statement and every bound parameter
 * (`query`, `params`) to its errors, and PostgreSQL's `detail` repeats the row's values ("Failing
 * row contains (…, email, password hash …)", "Key (email)=(…) already exists"). The error
 * serializer keeps only what locates a failure (type, message, stack, SQLSTATE code and the named
 * constraint, table, column, routine), never parameters, values or the statement, and recurses
 * into `cause`. The redaction paths censor credentials wherever a log call puts them.
 */

const SAFE_ERROR_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine', 'statusCode', 'reason'] as const;
const MAX_ERROR_MESSAGE = 500;

export function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err, message: '(a non-Error value was thrown)' };
  const e = err as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: e.constructor?.name ?? 'Error',
    message: e.message.length > MAX_ERROR_MESSAGE ? `${e.message.slice(0, MAX_ERROR_MESSAGE)}…` : e.message,
    stack: e.stack,
  };
  for (const key of SAFE_ERROR_FIELDS) {
    const value = e[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

export const logSerializers = { err: serializeError, error: serializeError };

export const logRedactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'password_hash',
  '*.password_hash',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'variables.input.password',
];
