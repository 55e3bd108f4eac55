import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db-types.js';

/**
 * A digest of the demo data's key columns (no timestamps, no password hashes), to show that two
 * seeds gave the same data. Tables are read in id order.
 */
const QUERIES: Record<string, string> = {
  users: `select id, email, display_name from users order by id`,
  role_grants: `select user_id, role, brand_id, cooperative_id, producer_id, buyer_org_id from role_grants order by id`,
  brands: `select id, name, fee_pct from brands order by id`,
  products: `select id, brand_id, name, species, process, form from products order by id`,
  grades: `select s.product_id, s.version, g.code, g.rank, g.max_defect, g.max_moisture, g.min_cupping
           from grades g join grade_schemes s on s.id = g.scheme_id order by g.id`,
  cooperatives: `select id, name, regency from cooperatives order by id`,
  producers: `select id, cooperative_id, user_id, display_name, kind, village, district, regency, contact_phone from producers order by id`,
  memberships: `select id, producer_id, brand_id, status from memberships order by id`,
  membership_events: `select membership_id, from_status, to_status, actor_user_id, reason from membership_events order by id`,
  plots: `select id, producer_id, name, area_ha, altitude_m, geometry::text as geometry, computed_area_ha, eudr_ready from plots order by id`,
  lots: `select id, producer_id, product_id, regency, harvest_start, harvest_end, net_g, allocated_g, storage_location, eudr_ready,
                grade_code, grade_rank, off_grade, latest_assessment_id from lots order by id`,
  lot_plots: `select lot_id, plot_id from lot_plots order by lot_id, plot_id`,
  assessments: `select id, lot_id, scheme_id, curator_user_id, defect_counts::text as defect_counts, moisture_pct, foreign_matter_pct,
                       cupping_score, defect_value, grade_code, off_grade from assessments order by id`,
  commitments: `select id, producer_id, product_id, regency, min_grade_code, committed_g, window_start, window_end, status, eudr_ready
                from commitments order by id`,
  provenance_events: `select kind, lot_id, commitment_id, actor_user_id from provenance_events order by id`,
};

export async function seedDigest(db: Kysely<DB>): Promise<{ digest: string; rows: Record<string, number> }> {
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  for (const [table, query] of Object.entries(QUERIES)) {
    const result = await sql.raw<Record<string, unknown>>(query).execute(db);
    rows[table] = result.rows.length;
    hash.update(`${table}\n`);
    for (const row of result.rows) hash.update(`${JSON.stringify(Object.values(row))}\n`);
  }
  return { digest: hash.digest('hex'), rows };
}
