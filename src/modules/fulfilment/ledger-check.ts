import type { Transaction } from 'kysely';
import type { DB } from '../../platform/db-types.js';
import { assertSupplyInvariant, type SupplyIds } from '../allocation/allocation.service.js';
import * as repo from './fulfilment.repo.js';

/**
 * Both sides of the ledger after a fulfilment or a shortfall, in the same transaction (a violation
 * throws and rolls back): the supply side on the lots and commitments touched (allocation's
 * invariant), the demand side on the order (Σ ACTIVE lines + uncovered = quantity; fulfilled_g =
 * Σ ACTIVE fulfilments). See fulfilment.repo's ledgerViolations.
 */
export async function checkLedger(trx: Transaction<DB>, orderId: number, ...touched: SupplyIds[]): Promise<void> {
  await assertSupplyInvariant(trx, ...touched);
  const demand = await repo.ledgerViolations(trx, [orderId]);
  if (demand.length > 0) throw new Error(`fulfilment ledger violated: ${demand.map((v) => `${v.kind} ${v.id}: ${v.message}`).join('; ')}`);
}
