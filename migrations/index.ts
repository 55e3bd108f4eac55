import type { Migration } from 'kysely';
import * as createAccounts from './20261122_0001_create_accounts.js';
import * as createSupply from './20261122_0002_create_supply.js';
import * as createOrders from './20261122_0003_create_orders.js';
import * as addAvailabilityIndexes from './20261123_0007_add_availability_indexes.js';
import * as allowReleasedFulfilments from './20261123_0010_allow_released_fulfilments.js';
import * as createSettlement from './20261201_0020_create_settlement.js';
import * as createShu from './20261201_0030_create_shu.js';
import * as createShipments from './20261201_0040_create_shipments.js';
import * as createEpcisIdentifiers from './20261201_0050_create_epcis_identifiers.js';
import * as createPartnerClients from './20261201_0100_create_partner_clients.js';
import * as createEvents from './20261202_0110_create_events.js';
import * as createWebhookEnqueue from './20261202_0111_create_webhook_enqueue.js';
import * as createAvailabilityAggregates from './20261202_0200_create_availability_aggregates.js';
import * as addUserPreferredLanguage from './20261203_0300_add_user_preferred_language.js';
import * as addAllocationReasonId from './20261203_0320_add_allocation_reason_id.js';
import * as addActiveLineIndexes from './20261204_0400_add_active_line_indexes.js';

/**
 * Every migration, by name, in order. Imported statically so the same list works under tsx,
 * vitest and the compiled build. Add new files here; never edit an applied one.
 */
export const migrations: Record<string, Migration> = {
  '20261122_0001_create_accounts': createAccounts,
  '20261122_0002_create_supply': createSupply,
  '20261122_0003_create_orders': createOrders,
  '20261123_0007_add_availability_indexes': addAvailabilityIndexes,
  '20261123_0010_allow_released_fulfilments': allowReleasedFulfilments,
  '20261201_0020_create_settlement': createSettlement,
  '20261201_0030_create_shu': createShu,
  '20261201_0040_create_shipments': createShipments,
  '20261201_0050_create_epcis_identifiers': createEpcisIdentifiers,
  '20261201_0100_create_partner_clients': createPartnerClients,
  '20261202_0110_create_events': createEvents,
  '20261202_0111_create_webhook_enqueue': createWebhookEnqueue,
  '20261202_0200_create_availability_aggregates': createAvailabilityAggregates,
  '20261203_0300_add_user_preferred_language': addUserPreferredLanguage,
  '20261203_0320_add_allocation_reason_id': addAllocationReasonId,
  '20261204_0400_add_active_line_indexes': addActiveLineIndexes,
};
