import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/**
 * Table types, matching migrations/. JS types follow db.ts's normalisation:
 * int8 → number (grams, minor units, ids), numeric → string, date → 'YYYY-MM-DD', timestamptz → Date.
 */

type Id = Generated<number>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type RoleName = 'ADMIN' | 'BRAND_MANAGER' | 'CURATOR' | 'COOP_MANAGER' | 'PRODUCER' | 'BUYER';

export interface UsersTable {
  id: Id; email: string; display_name: string; password_hash: string; preferred_language: 'en' | 'id' | null; created_at: CreatedAt;
}
export interface BrandsTable {
  id: Id; name: string; commodity: string; fee_pct: string; default_strategy: WithDefault<string>; created_at: CreatedAt;
}
export interface CooperativesTable { id: Id; name: string; regency: string; created_at: CreatedAt }
export interface ProducersTable {
  id: Id; cooperative_id: number | null; user_id: number | null; display_name: string;
  kind: WithDefault<'SMALLHOLDER' | 'UMKM'>; village: string; district: string; regency: string;
  contact_phone: string | null; contact_email: string | null; contact_address: string | null; created_at: CreatedAt;
}
export interface BuyerOrgsTable { id: Id; name: string; country: string; created_at: CreatedAt }
export interface RoleGrantsTable {
  id: Id; user_id: number; role: RoleName; brand_id: number | null; cooperative_id: number | null;
  producer_id: number | null; buyer_org_id: number | null; granted_by: number | null; granted_at: CreatedAt;
  /** A buyer organisation's administrator (registers its machine clients). */
  org_admin: WithDefault<boolean>;
}

export interface ProductsTable {
  id: Id; brand_id: number; name: string; commodity: string; species: 'ARABICA' | 'ROBUSTA';
  process: 'WASHED' | 'NATURAL' | 'HONEY' | 'WET_HULLED'; form: 'CHERRY' | 'PARCHMENT' | 'GREEN'; created_at: CreatedAt;
}
export interface GradeSchemesTable {
  id: Id; product_id: number; version: number; preset: string | null; created_by: number | null; created_at: CreatedAt;
}
export interface GradesTable {
  id: Id; scheme_id: number; code: string; label: string; rank: number; max_defect: string; max_moisture: string;
  min_cupping: string | null;
}
export type MembershipStatus = 'APPLIED' | 'APPROVED' | 'REJECTED' | 'SUSPENDED';
export interface MembershipsTable {
  id: Id; producer_id: number; brand_id: number; status: MembershipStatus; created_at: CreatedAt; updated_at: Timestamp;
}
export interface MembershipEventsTable {
  id: Id; membership_id: number; from_status: MembershipStatus | null; to_status: MembershipStatus;
  actor_user_id: number | null; reason: string | null; at: CreatedAt;
}
export interface PlotsTable {
  id: Id; producer_id: number; name: string; area_ha: string; altitude_m: number | null; geometry: Json<unknown>;
  computed_area_ha: string | null; eudr_ready: boolean; created_at: CreatedAt;
}
export interface LotsTable {
  id: Id; producer_id: number; product_id: number; brand_id: number; regency: string; harvest_start: string;
  harvest_end: string; process: ProductsTable['process']; net_g: number; allocated_g: WithDefault<number>;
  storage_location: string; eudr_ready: boolean; grade_rank: number | null; grade_code: string | null;
  off_grade: WithDefault<boolean>; latest_assessment_id: number | null; created_at: CreatedAt;
}
export interface LotPlotsTable { lot_id: number; plot_id: number }
export interface AssessmentsTable {
  id: Id; lot_id: number; scheme_id: number; curator_user_id: number; sample_g: number;
  defect_counts: Json<Record<string, number>>; moisture_pct: string; foreign_matter_pct: string; live_insects: boolean;
  foul_odour: boolean; cupping_score: string | null; defect_value: string; grade_code: string | null;
  grade_rank: number | null; off_grade: boolean; failed_requirements: Json<Array<{ code: string; message: string }>>;
  created_at: CreatedAt;
}
export interface CommitmentsTable {
  id: Id; producer_id: number; product_id: number; brand_id: number; regency: string; min_grade_rank: number;
  min_grade_code: string; committed_g: number; allocated_g: WithDefault<number>; window_start: string; window_end: string;
  status: WithDefault<'OPEN' | 'WITHDRAWN'>; eudr_ready: WithDefault<boolean>; created_at: CreatedAt; updated_at: Timestamp;
}
export interface ProvenanceEventsTable {
  id: Id; kind: string; lot_id: number | null; commitment_id: number | null; order_id: number | null;
  actor_user_id: number | null; payload: Json<Record<string, unknown>>; at: CreatedAt;
}

export type OrderStatus = 'REQUESTED' | 'ACCEPTED' | 'REJECTED' | 'IN_FULFILLMENT' | 'SHIPPED' | 'COMPLETED' | 'CANCELLED';
export interface OrdersTable {
  id: Id; buyer_org_id: number; brand_id: number; product_id: number; min_grade_rank: number; min_grade_code: string;
  quantity_g: number; whole_bags: WithDefault<boolean>; window_start: string; window_end: string;
  destination_country: string; incoterm: string; price_minor_per_kg: number; currency: string; notes: string | null;
  status: WithDefault<OrderStatus>; strategy: string | null; constraints: Json<Record<string, unknown> | null> | null;
  fee_pct: string | null; uncovered_g: WithDefault<number>; placed_by: number; created_at: CreatedAt; updated_at: Timestamp;
}
export interface OrderEventsTable {
  id: Id; order_id: number; from_status: OrderStatus | null; to_status: OrderStatus; actor_user_id: number | null;
  reason: string | null;
  /** The reason in Indonesian when the system wrote it (acceptance); null when a person wrote it (shown as written). */
  reason_id: string | null; at: CreatedAt;
}
export interface AllocationLinesTable {
  id: Id; order_id: number; producer_id: number; lot_id: number | null; commitment_id: number | null; weight_g: number;
  fulfilled_g: WithDefault<number>; status: WithDefault<'ACTIVE' | 'RELEASED' | 'SHORTFALL'>; reason: string;
  /** The reason in Indonesian; null for lines written before it was stored (read falls back to `reason`). */
  reason_id: string | null;
  replaces_line_id: number | null; created_at: CreatedAt;
}
export interface FulfilmentsTable {
  id: Id; line_id: number; lot_id: number; weight_g: number; status: WithDefault<'ACTIVE' | 'FAILED' | 'RELEASED'>;
  created_by: number | null; created_at: CreatedAt;
}
export interface IdempotencyKeysTable {
  user_id: number; operation: string; key: string; request_hash: string; response: Json<unknown> | null;
  created_at: CreatedAt; completed_at: Date | null;
}

export type ConsentPurpose = 'NAME_TO_BUYERS' | 'NAME_IN_EXPORT_DOCUMENTS';
export interface ShipmentsTable {
  id: Id; order_id: number; brand_id: number; bill_of_lading: string; port_of_loading: string; port_of_discharge: string;
  departure_date: string; dds_reference: string | null; dds_verification: string | null; dds_recorded_by: number | null;
  dds_recorded_at: Date | null; created_by: number; created_at: CreatedAt;
}
export interface ShipmentContainersTable {
  id: Id; shipment_id: number; position: number; container_number: string; seal_number: string; bag_count: number;
}
export interface ContainerLotsTable { container_id: number; lot_id: number; weight_g: number }
export interface ConsentEventsTable {
  id: Id; producer_id: number; purpose: ConsentPurpose; action: 'GIVEN' | 'WITHDRAWN';
  given_by: 'PRODUCER' | 'COOPERATIVE_MANAGER' | 'ADMIN'; actor_user_id: number; evidence: string | null; at: CreatedAt;
}
export type DeforestationResult = 'NOT_ASSESSED' | 'NEGLIGIBLE_RISK' | 'NEEDS_REVIEW' | 'HIGH_RISK';
export type LandUseAtCutoff =
  | 'COFFEE_AGROFORESTRY' | 'COFFEE_PLANTATION' | 'OTHER_AGRICULTURE' | 'FOREST' | 'SHRUB_OR_GRASSLAND' | 'SETTLEMENT' | 'OTHER';
export interface PlotDeforestationAssessmentsTable {
  id: Id; plot_id: number; land_use_at_cutoff: LandUseAtCutoff; result: DeforestationResult;
  evidence_refs: Json<string[]>; notes: string | null; assessed_by: number; assessed_at: CreatedAt;
}

export interface EpcisBrandSettingsTable {
  brand_id: number; identifier_domain: string | null; gs1_company_prefix: string | null;
  identifier_syntax: WithDefault<'URN' | 'DIGITAL_LINK'>; updated_by: number; updated_at: Timestamp;
}
export interface EpcisProductGtinsTable { product_id: number; gtin: string }
export type ClientRole = 'ADMIN' | 'BRAND_MANAGER' | 'COOP_MANAGER' | 'BUYER';
export interface OauthClientsTable {
  id: Id; client_id: string; name: string; owner_user_id: number; role: ClientRole; brand_id: number | null;
  cooperative_id: number | null; buyer_org_id: number | null; scopes: string[]; disabled_at: Date | null;
  last_used_at: Date | null; trusted_documents_only: WithDefault<boolean>; created_at: CreatedAt;
}
export interface ClientTrustedDocumentsTable { client_id: number; hash: string }
export interface OauthClientSecretsTable {
  id: Id; client_id: number; secret_hash: string; last4: string; created_by: number | null; created_at: CreatedAt;
  last_used_at: Date | null; revoked_at: Date | null;
}
export interface AuditEventsTable {
  id: Id; action: string; actor_user_id: number | null; client_id: number | null; details: Json<Record<string, unknown>>; at: CreatedAt;
}
export interface PersistedQueriesTable { hash: string; query: string; created_at: CreatedAt }

export interface EventsTable {
  id: Id; public_id: string; type: string; version: number; subject_id: string; audience: ColumnType<string[], unknown, unknown>;
  payload: Json<Record<string, unknown>>; occurred_at: CreatedAt; dispatched_at: Date | null;
}
export interface AvailabilityMarksTable { id: Id; product_id: number; at: CreatedAt }
export type WebhookOwnerKind = 'platform' | 'brand' | 'coop' | 'buyer';
export interface WebhookEndpointsTable {
  id: Id; owner_kind: WebhookOwnerKind; owner_id: number | null; url: string; event_types: ColumnType<string[], unknown, unknown>;
  description: string | null; created_by: number; created_at: CreatedAt; disabled_at: Date | null; disabled_reason: string | null;
  failing_since: Date | null;
}
export interface WebhookSecretsTable { id: Id; endpoint_id: number; secret: string; last4: string; created_at: CreatedAt; revoked_at: Date | null }
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED' | 'CANCELLED';
export interface WebhookDeliveriesTable {
  id: Id; endpoint_id: number; event_id: number; kind: WithDefault<'EVENT' | 'REPLAY' | 'PING'>; status: WithDefault<DeliveryStatus>;
  attempts: WithDefault<number>; next_attempt_at: Timestamp; leased_until: Date | null; created_at: CreatedAt; finished_at: Date | null;
}
export interface WebhookAttemptsTable {
  id: Id; delivery_id: number; attempt_no: number; at: CreatedAt; status_code: number | null; error: string | null; latency_ms: number;
  response_excerpt: string | null;
}
export interface AvailabilityCounterColumns {
  product_id: number; gran: 'A' | 'M' | 'D' | 'G'; d1: string; metric: number; rank_lo: number; rank_hi: number; regency: string; d2: string; value: number;
}
export type AvailabilityCountersTable = AvailabilityCounterColumns;
export interface AvailabilityContributionsTable extends AvailabilityCounterColumns { producer_id: number }
export interface AvailabilityLiveTable { product_id: number; producer_id: number }
export interface AvailabilityDirtyTable { id: Id; producer_id: number }

export interface DB {
  users: UsersTable;
  brands: BrandsTable;
  cooperatives: CooperativesTable;
  producers: ProducersTable;
  buyer_orgs: BuyerOrgsTable;
  role_grants: RoleGrantsTable;
  products: ProductsTable;
  grade_schemes: GradeSchemesTable;
  grades: GradesTable;
  memberships: MembershipsTable;
  membership_events: MembershipEventsTable;
  plots: PlotsTable;
  lots: LotsTable;
  lot_plots: LotPlotsTable;
  assessments: AssessmentsTable;
  commitments: CommitmentsTable;
  provenance_events: ProvenanceEventsTable;
  orders: OrdersTable;
  order_events: OrderEventsTable;
  allocation_lines: AllocationLinesTable;
  fulfilments: FulfilmentsTable;
  idempotency_keys: IdempotencyKeysTable;
  shipments: ShipmentsTable;
  shipment_containers: ShipmentContainersTable;
  container_lots: ContainerLotsTable;
  consent_events: ConsentEventsTable;
  plot_deforestation_assessments: PlotDeforestationAssessmentsTable;
  epcis_brand_settings: EpcisBrandSettingsTable;
  epcis_product_gtins: EpcisProductGtinsTable;
  oauth_clients: OauthClientsTable;
  oauth_client_secrets: OauthClientSecretsTable;
  client_trusted_documents: ClientTrustedDocumentsTable;
  audit_events: AuditEventsTable;
  persisted_queries: PersistedQueriesTable;
  events: EventsTable;
  availability_marks: AvailabilityMarksTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_secrets: WebhookSecretsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  availability_counters: AvailabilityCountersTable;
  availability_contributions: AvailabilityContributionsTable;
  availability_live: AvailabilityLiveTable;
  availability_dirty: AvailabilityDirtyTable;
}

export type Row<T extends keyof DB> = Selectable<DB[T]>;
export type NewRow<T extends keyof DB> = Insertable<DB[T]>;
export type RowUpdate<T extends keyof DB> = Updateable<DB[T]>;

/**
 * What a repo function reads or writes through: the database or an open transaction. A function
 * that must run inside a transaction takes `Transaction<DB>` instead.
 */
export type Db = Kysely<DB> | Transaction<DB>;
