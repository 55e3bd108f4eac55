/**
 * The error contract (issue 8 §3): every code the API answers with, in one place. The README's
 * table is printed from this (npm run docs:errors), and test/contract/error-codes.test.ts fails
 * when a code in the source is missing here, a code here is no longer in the source, or the README
 * drifts.
 *
 * Where a code appears:
 * - `result`: a typed member of a field's result union (`... on Error { code message }`), HTTP 200;
 *   nothing was written.
 * - `request`: in the response's `errors` array (`extensions.code`), with the HTTP status given.
 *
 * Codes are stable and never change with the language of the message. Module-specific codes are
 * listed here as plain strings (platform imports no module).
 */

export type ErrorCodeKind = 'result' | 'request';

export interface ErrorCodeEntry {
  kind: ErrorCodeKind;
  /** HTTP status of the response (request codes; result codes come with 200). */
  status: number;
  /** Retrying the same request later may succeed (honour retryAfterSeconds / Retry-After when given). */
  retryable: boolean;
  /** What it means. */
  meaning: string;
  /** What a client does with it. */
  action: string;
}

const result = (meaning: string, action: string, retryable = false): ErrorCodeEntry => ({ kind: 'result', status: 200, retryable, meaning, action });
const request = (status: number, meaning: string, action: string, retryable = false): ErrorCodeEntry => ({ kind: 'request', status, retryable, meaning, action });

export const ERROR_CODES = {
  // Common to every mutation's result union (platform/graphql/errors.ts commonErrors).
  VALIDATION_FAILED: result('The input is invalid; `issues { path message }` names each field.', 'Show each message next to its field (`path`, e.g. `input.netWeight`); fix and resend.'),
  NOT_FOUND: result('A referenced object does not exist or is not visible to you (the two look the same).', 'Check the ID in `path`; do not retry unchanged.'),
  FORBIDDEN: result('You may see the object but not do this (or your role does not allow the field).', 'Do not retry; ask an administrator for the role.'),
  UNAUTHENTICATED: result('A valid token is required.', 'Sign in (login, or the OAuth token endpoint for machine clients) and resend.'),
  // Shared refusals.
  INVALID_CREDENTIALS: result('The email or password is incorrect.', 'Ask the person to check them; after repeated failures TOO_MANY_ATTEMPTS follows.'),
  INVALID_TRANSITION: result('The object\'s state does not allow this change (`from`, `to`).', 'Reload the object and offer only the transitions its state allows.'),
  CONFLICT: result('The change conflicts with existing data (duplicate, already done).', 'Reload; change the input (`path`) rather than retrying it.'),
  IDEMPOTENCY_KEY_REUSED: result('The idempotency key was used before for a different request.', 'Use a new key for a new request.'),
  IDEMPOTENCY_IN_PROGRESS: result('A request with this idempotency key is still running.', 'Retry the same request with the same key shortly to get its result.', true),
  ALLOCATION_BUSY: result('The rows stayed locked by concurrent requests too long, or kept conflicting, or too many acceptances were waiting on the server; nothing was written.', 'Retry with backoff and jitter (same idempotency key).', true),
  TOO_MANY_ATTEMPTS: result('Too many failed sign-in attempts for this account or address.', 'Wait `retryAfterSeconds`, then retry.', true),
  SERVICE_BUSY: result('The service is at a capacity bound (e.g. password hashing); nothing was done.', 'Retry after `retryAfterSeconds` with backoff and jitter.', true),
  // Module refusals.
  NOT_APPROVED_MEMBER: result('Only approved members of the brand may do this.', 'Apply for membership, or wait for the curator\'s decision.'),
  INSUFFICIENT_SUPPLY: result('Not enough eligible supply for the order under the constraints (`shortfall`, `bindingConstraint`).', 'Relax the constraints or the quantity; retrying unchanged gives the same answer until supply changes.'),
  COMMITMENT_ALLOCATED: result('The commitment has weight allocated to orders.', 'Release it first (a shortfall on the line, or the order\'s cancellation), then retry.'),
  FULFILMENT_REFUSED: result('The line, lot or order does not allow this fulfilment or shortfall.', 'Read the message; choose another lot, or reload the line\'s state.'),
  LOADED_WEIGHT_MISMATCH: result('The containers\' loaded weight differs from the order\'s shipped lines, lot by lot (`lots`).', 'Correct the container lines and resend.'),
  EUDR_LIMIT_EXCEEDED: result('The EUDR package would exceed a limit of the EU Information System (producers, size).', 'Split the shipment.'),
  NOTHING_TO_SETTLE: result('No payment arrived since the last settlement run.', 'Record the payment first.'),
  SETTLEMENT_NOT_READY: result('Something the settlement needs is missing (the order has not shipped, an exchange rate is missing).', 'Complete the missing step named in the message, then settle.'),
  SETTLEMENT_WOULD_REDUCE: result('Costs recorded since the last run exceed what the new money leaves; earlier statements are never reduced.', 'Wait for more payment, or review the costs.'),
  PREMIUMS_EXCEED_NET: result('The premiums exceed what is left after fees and costs.', 'Lower the premium rules, or review fees and costs.'),
  SHU_YEAR_CLOSED: result('The fiscal year is closed: its SHU figures are final.', 'Do not retry.'),
  SHU_NOT_DISTRIBUTABLE: result('A members\' part of the SHU has nothing to be split by (no deliveries, or no capital, in the year).', 'Change the split for that year.'),
  // Request-level codes (in `errors`).
  BAD_USER_INPUT: request(400, 'GraphQL refused an input value before running anything (unknown enum value, bad scalar, missing or unknown input field); `extensions.path` is the input path.', 'Show the message next to the field at `extensions.path`; fix and resend.'),
  BAD_REQUEST: request(400, 'The request is not valid GraphQL for this schema (syntax, unknown field, a body that is not a GraphQL request).', 'Fix the client; do not retry unchanged.'),
  TOO_MANY_ALIASES: request(400, 'The document uses more aliases than allowed.', 'Split the request.'),
  QUERY_TOO_COMPLEX: request(400, 'The document\'s complexity is above the limit (`complexity`, `max`).', 'Ask for fewer fields or smaller pages.'),
  INSUFFICIENT_SCOPE: request(403, 'A machine client\'s token lacks the scope a field needs (`scope`).', 'Request a token with that scope.'),
  UNTRUSTED_DOCUMENT: request(403, 'The machine client may only run its trusted documents.', 'Register the document as trusted, or send its persisted hash.'),
  CSRF_PREVENTED: request(400, 'A browser request without the CSRF-safe header or content type.', 'Send `content-type: application/json` (or the apollo-require-preflight header).'),
  THROTTLED: request(429, 'The query cost budget is used up (`cost`).', 'Wait `retryAfterSeconds` (Retry-After), then retry; ask for less per request.', true),
  RATE_LIMITED: request(429, 'Too many requests from this client, user or address.', 'Wait for Retry-After, then retry with backoff.', true),
  SERVICE_UNAVAILABLE: request(503, 'The server is shedding load.', 'Retry after Retry-After with backoff and jitter.', true),
  INTERNAL: request(500, 'An unexpected failure; `requestId` finds it in the logs. Nothing a client sends should cause it.', 'Retry once later; report the requestId if it persists.'),
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isRetryable = (code: string): boolean => (ERROR_CODES as Record<string, ErrorCodeEntry>)[code]?.retryable ?? false;

/** The README table (npm run docs:errors). */
export function errorCodeTableMarkdown(): string {
  const rows = (Object.entries(ERROR_CODES) as Array<[string, ErrorCodeEntry]>).map(
    ([code, e]) => `| \`${code}\` | ${e.kind === 'result' ? 'result union' : `\`errors\`, HTTP ${e.status}`} | ${e.retryable ? 'yes' : 'no'} | ${e.meaning} | ${e.action} |`,
  );
  return ['| Code | Where | Retryable | Meaning | What the client does |', '|---|---|---|---|---|', ...rows].join('\n');
}
