/**
 * The event catalogue: every event type a partner can receive (webhooks, subscriptions), who it
 * concerns and what its payload carries. Pure: no I/O. The README's catalogue is printed from this
 * file (`npm run docs:events`; test/events/catalogue.test.ts fails when the README drifts).
 *
 * Audience: an event names the organisations it concerns as keys ('brand:1', 'buyer:3', 'coop:2',
 * 'producer:5'), or '*' for every organisation. A receiver (a webhook endpoint's organisation, a
 * subscriber) sees an event only when its key is in the audience (the platform sees everything).
 *
 * Payloads are versioned (`version`) and split in two: `data` goes to everyone in the audience;
 * `restricted` only to the receiver kinds the type lists (e.g. the brand sees which producers an
 * allocation moved to, the buyer only the order's totals). A buyer never receives a producer's
 * identity: events that carry one (lots, commitments, payouts) do not have buyers in their
 * audience, and buyer-facing events keep producers out of `data`. The consent rule (UU 27/2022,
 * modules/consent) is applied where names are shown to buyers: the order trace.
 */

export type ReceiverKind = 'platform' | 'brand' | 'coop' | 'buyer' | 'producer';
export type AudienceKey = `${Exclude<ReceiverKind, 'platform'>}:${number}` | '*';
export type Receiver = { kind: 'platform' } | { kind: Exclude<ReceiverKind, 'platform'>; id: number };

export interface EventSpec {
  /** One line: when it is emitted. */
  when: string;
  /** Who it concerns (documentation of `audience`). */
  audience: string;
  /** The subject's GraphQL type (its global ID is `subject`). */
  subject: 'Order' | 'Lot' | 'Commitment' | 'Product' | 'PayoutStatement' | 'Settlement';
  /** Payload version; a change that removes or renames a field gets a new version. */
  version: number;
  /** Fields of `data`, documented. */
  data: string;
  /** Receiver kinds (beside the platform) that also get `restricted`, and what it holds. */
  restricted?: { to: ReadonlyArray<Exclude<ReceiverKind, 'platform'>>; fields: string };
}

const ORDER_DATA = 'order { id, status, previousStatus, product, brand, buyerOrganization, quantityKg, uncoveredKg, reason }';
const orderSpec = (when: string): EventSpec => ({
  when, audience: 'the buyer organisation and the brand', subject: 'Order', version: 1, data: ORDER_DATA,
});

export const EVENT_CATALOGUE = {
  'order.placed': orderSpec('a buyer placed an order (placeOrder)'),
  'order.accepted': orderSpec('the brand accepted and allocated an order (acceptOrder)'),
  'order.rejected': orderSpec('the brand rejected an order (rejectOrder)'),
  'order.cancelled': orderSpec('the buyer or the brand cancelled an order (cancelOrder)'),
  'order.shipped': orderSpec('the order shipped (shipOrder)'),
  'order.completed': orderSpec('the order was completed (completeOrder)'),
  'allocation.changed': {
    when: 'a shortfall or a failed grading moved allocated weight (declareShortfall, recordAssessment)',
    audience: 'the buyer organisation and the brand',
    subject: 'Order',
    version: 1,
    data: 'order { id, status, quantityKg, uncoveredKg }, cause (PRODUCER_DEFAULT | LOT_FAILED_GRADING), shortfallKg, coveredKg, uncoveredKg',
    restricted: { to: ['brand'], fields: 'lines [{ line, producer, lot, commitment, weightKg }] (the replacement lines), shortLine { line, producer, weightKg }' },
  },
  'lot.declared': {
    when: 'a lot was declared (declareLot)', audience: 'the brand, the producer and the producer\'s cooperative', subject: 'Lot', version: 1,
    data: 'lot { id, producer, product, netKg, harvestStart, harvestEnd, eudrReady }',
  },
  'lot.graded': {
    when: 'a lot was assessed (recordAssessment)', audience: 'the brand, the producer and the producer\'s cooperative', subject: 'Lot', version: 1,
    data: 'lot { id, producer, product }, grade (code or null), offGrade, previousGrade, defectValue',
  },
  'commitment.changed': {
    when: 'a forward commitment was made, amended or withdrawn (commitVolume, amendCommitment, withdrawCommitment)',
    audience: 'the brand, the producer and the producer\'s cooperative', subject: 'Commitment', version: 1,
    data: 'change (COMMITTED | AMENDED | WITHDRAWN), commitment { id, producer, product, committedKg, minGrade, windowStart, windowEnd, status }',
  },
  'settlement.settled': {
    when: 'an order\'s received money was settled into payout statements (settleOrder)',
    audience: 'the brand and every cooperative with a statement in the run', subject: 'Order', version: 1,
    data: 'order { id }, settlement { runNo, settledOn, receivedIdr, payoutsIdr, statementCount }',
  },
  'payout.paid': {
    when: 'a payout statement was paid out (markStatementPaid)', audience: 'the brand, the producer and the producer\'s cooperative',
    subject: 'PayoutStatement', version: 1, data: 'statement { id, order, producer, amountIdr, method, reference, paidAt }',
  },
  'availability.changed': {
    when: 'supply of a product changed (lots, grades, commitments, allocations); coalesced: at most one per product per window (AVAILABILITY_COALESCE_MS, 2 s)',
    audience: 'every organisation', subject: 'Product', version: 1,
    data: 'product { id }, spotKg, forwardKg, totalKg, byGrade [{ grade, rank, spotKg, forwardKg }] (all delivery windows, aggregates only)',
  },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];
export const isEventType = (s: string): s is EventType => Object.hasOwn(EVENT_CATALOGUE, s);

/** What an event row holds, as far as a receiver's view is concerned. */
export interface StoredEvent {
  publicId: string;
  type: string;
  version: number;
  subjectId: string;
  audience: readonly string[];
  payload: { data: Record<string, unknown>; restricted?: Record<string, unknown> };
  occurredAt: Date;
}

export const receiverKey = (r: Receiver): string | null => (r.kind === 'platform' ? null : `${r.kind}:${r.id}`);

/** May this receiver see the event at all? */
export function concerns(event: Pick<StoredEvent, 'audience'>, receiver: Receiver): boolean {
  if (receiver.kind === 'platform') return true;
  return event.audience.includes('*') || event.audience.includes(receiverKey(receiver)!);
}

/** The message a receiver gets (webhook body, subscription payload), or null when it is not theirs. */
export function viewFor(event: StoredEvent, receiver: Receiver): EventMessage | null {
  if (!concerns(event, receiver)) return null;
  const spec = isEventType(event.type) ? (EVENT_CATALOGUE[event.type] as EventSpec) : undefined;
  const restricted = spec?.restricted && (receiver.kind === 'platform' || (spec.restricted.to as readonly string[]).includes(receiver.kind))
    ? event.payload.restricted ?? {}
    : {};
  return {
    id: event.publicId,
    type: event.type,
    version: event.version,
    timestamp: event.occurredAt.toISOString(),
    subject: event.subjectId,
    data: { ...event.payload.data, ...restricted },
  };
}

export interface EventMessage {
  id: string;
  type: string;
  version: number;
  timestamp: string;
  subject: string;
  data: Record<string, unknown>;
}

/** The catalogue as a Markdown table (the README prints it). */
export function catalogueMarkdown(): string {
  const rows = EVENT_TYPES.map((type) => {
    const s = EVENT_CATALOGUE[type] as EventSpec;
    const restricted = s.restricted ? `<br>Only to ${s.restricted.to.join(', ')} (and the platform): ${s.restricted.fields}` : '';
    return `| \`${type}\` | ${s.when} | ${s.audience} | ${s.subject} | ${s.version} | ${s.data}${restricted} |`;
  });
  return ['| Type | Emitted when | Concerns | Subject | Version | `data` |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
