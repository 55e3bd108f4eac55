import { installFulfilmentHandlers } from './modules/fulfilment/handlers.js';
import { installSettlementHandlers } from './modules/settlement/settlement.service.js';
import { installShipmentHandlers } from './modules/shipments/shipments.service.js';

/**
 * The explicit wiring between modules that cannot import each other without a cycle: a lower module
 * (grading, orders) announces an event through a hook, a higher one (fulfilment) handles it.
 * Installed here, in one place, and not as a side effect of importing a GraphQL file, so every
 * entry point that calls the services gets the same behaviour:
 * - a lot that fails grading (recordAssessment) turns its spot lines and fulfilments into
 *   shortfalls and reallocates them (fulfilment's regrade handler);
 * - an order cancelled while it holds supply releases its fulfilments (fulfilment's cancellation
 *   handler; the allocation lines are released by orders itself);
 * - an order accepted snapshots its settlement terms (premium rule version, every cooperative's fee),
 *   and an order shipped gets its invoice (settlement's order-transition handler);
 * - an export order moves to SHIPPED only through shipOrder, which records its shipment papers
 *   (shipments' handler refuses every other path).
 *
 * Call `composeModules()` before using the services: buildApp, the seed, scripts and workers do.
 * It is idempotent (each handler is installed once per process).
 */
export function composeModules(): void {
  installFulfilmentHandlers();
  installSettlementHandlers();
  installShipmentHandlers();
}
