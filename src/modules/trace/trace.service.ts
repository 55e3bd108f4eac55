import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/auth.js';
import type { DB, Row } from '../../platform/db-types.js';
import { NotFoundError, UnauthenticatedError } from '../../platform/errors.js';
import { linesOfOrders } from '../allocation/allocation.repo.js';
import { fulfilmentsOfLines } from '../fulfilment/fulfilment.repo.js';
import { assessmentsOfLots } from '../grading/grading.repo.js';
import { disclosedNames } from '../consent/consent.service.js';
import { canSeeOrder, managesOrder } from '../orders/access.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { plotsOfLots } from '../plots/plots.repo.js';
import * as repo from './trace.repo.js';
import { buildTrace, type OrderTrace, type TraceRows } from './tree.js';

export * from './tree.js';

/**
 * The provenance of an order as one tree: order → lines → lots → plots, with the producer and the
 * assessments of each lot, the commitment behind each forward line, the order's provenance events
 * and an EUDR due-diligence summary.
 *
 * Who: the order's buyer, the brand managers of its brand, admins (the order visibility rule);
 * anyone else gets NotFoundError, as for an unknown order. The tree uses its own plain types, built here from a constant
 * number of queries (10, whatever the size of the order).
 *
 * Producers: a buyer learns where the coffee was grown (village, district, regency: the supplier
 * information EUDR due diligence asks for) and the producer's name only with the producer's consent
 * (NAME_TO_BUYERS, UU 27/2022; otherwise displayName is the label), never their contact data, and no
 * producer node ID: each producer gets an opaque per-order label ("Contributor 1", … in the order of their
 * first line), stable for the order and meaningless outside it. Brand managers and admins may also
 * read the producer's ID (TraceProducer.producerId).
 *
 * EUDR figures count the supply that currently serves the order: ACTIVE spot lines' lots and the
 * lots of ACTIVE fulfilments of ACTIVE forward lines. A forward line's undelivered weight, and any
 * lot without plots, is coffee of unknown origin; an order with any of it is not compliant
 * (mixing in unknown origin taints the whole consignment).
 */

/** The trace of an order (its buyer, its brand's managers, admins). */
export async function orderTrace(db: Kysely<DB>, actor: Principal | null, orderId: number): Promise<OrderTrace> {
  if (!actor) throw new UnauthenticatedError();
  const order = await ordersRepo.findOrder(db, orderId);
  // An order you may not see is answered exactly like an unknown one.
  if (!order || !canSeeOrder(actor, order)) throw new NotFoundError('Order', 'orderId');
  return buildTrace(order, await loadTraceRows(db, order, !managesOrder(actor, order)));
}

/** Everything the trace of an order is built from: 9 queries (10 with the order, 11 for a buyer: consent), whatever its size. */
async function loadTraceRows(db: Kysely<DB>, order: Row<'orders'>, consentGoverned: boolean): Promise<TraceRows> {
  const [header, lines, events] = await Promise.all([repo.orderHeader(db, order), linesOfOrders(db, [order.id]), repo.eventsOfOrder(db, order.id)]);
  const fulfilments = await fulfilmentsOfLines(db, lines.map((l) => l.id));
  const lotIds = [...new Set([...lines.flatMap((l) => (l.lot_id !== null ? [l.lot_id] : [])), ...fulfilments.map((f) => f.lot_id)])];
  const commitmentIds = [...new Set(lines.flatMap((l) => (l.commitment_id !== null ? [l.commitment_id] : [])))];
  const [lots, commitments, plots, assessments] = await Promise.all([
    repo.lotsByIds(db, lotIds),
    repo.commitmentsByIds(db, commitmentIds),
    plotsOfLots(db, lotIds),
    assessmentsOfLots(db, lotIds),
  ]);
  const producerIds = [...new Set([...lines.map((l) => l.producer_id), ...lots.map((l) => l.producer_id)])];
  const [producers, names] = await Promise.all([
    repo.producerPublicRows(db, producerIds),
    consentGoverned ? disclosedNames(db, producerIds, 'NAME_TO_BUYERS') : Promise.resolve(null),
  ]);
  return { header, lines, events, fulfilments, lots, commitments, plots, assessments, producers, disclosedNames: names };
}
