// The 100,000 producers / ~1,000,000 lots / ~200,000 commitments dataset of the availability scripts
// (explain-availability, bench-availability), generated in SQL (INSERT … SELECT generate_series,
// deterministic: setseed) into a freshly migrated database. Bulk loaded with the triggers off
// (session_replication_role = replica), so the maintained aggregates are NOT filled: run
// repairAvailability afterwards to read them.

export interface DatasetSize {
  producers: number;
  lots: number;
  commitments: number;
}

type Query = (text: string, params?: unknown[]) => Promise<{ rows: any[] }>;

export async function generateAvailabilityDataset(q: Query, n: DatasetSize, lap: (label: string, since: number) => void): Promise<void> {
  console.log(`generating ${n.producers} producers, ${n.lots} lots, ${n.commitments} commitments …`);
  let t = Date.now();
  await q(`SET synchronous_commit = off`);
  // Bulk load without the availability triggers (superuser only); the caller repairs the aggregates if it reads them.
  await q(`SET session_replication_role = replica`);
  await q(`SET maintenance_work_mem = '256MB'`);
  await q(`SELECT setseed(0.2027)`);
  await q(`INSERT INTO brands (name, commodity, fee_pct) VALUES ('Java Ijen-Raung Arabica (explain)', 'COFFEE', 5), ('Robusta (explain)', 'COFFEE', 5)`);
  await q(`INSERT INTO products (brand_id, name, commodity, species, process, form)
           VALUES (1, 'Arabica green, fully washed', 'COFFEE', 'ARABICA', 'WASHED', 'GREEN'),
                  (1, 'Arabica green, natural', 'COFFEE', 'ARABICA', 'NATURAL', 'GREEN'),
                  (1, 'Arabica green, honey', 'COFFEE', 'ARABICA', 'HONEY', 'GREEN'),
                  (2, 'Robusta green', 'COFFEE', 'ROBUSTA', 'NATURAL', 'GREEN')`);
  await q(`INSERT INTO grade_schemes (product_id, version, preset) SELECT id, 1, 'SNI_ARABICA' FROM products`);
  await q(`INSERT INTO grades (scheme_id, code, label, rank, max_defect, max_moisture)
           SELECT s.id, g.code, 'Mutu ' || g.code, g.rank, g.max_defect, 12.5
           FROM grade_schemes s CROSS JOIN (VALUES ('1', 1, 11), ('2', 2, 25), ('3', 3, 44), ('4', 4, 80), ('5', 5, 150), ('6', 6, 225)) g(code, rank, max_defect)`);
  await q(`INSERT INTO cooperatives (name, regency) SELECT 'Koperasi ' || i, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + i % 5] FROM generate_series(1, 100) i`);
  // Regency of producer i is regencies[1 + i % 5]; lots and commitments copy it the same way.
  await q(`INSERT INTO producers (cooperative_id, display_name, village, district, regency)
           SELECT 1 + i % 100, 'Petani ' || i, 'Desa ' || (i % 400), 'Kecamatan ' || (i % 40), (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + i % 5]
           FROM generate_series(1, $1::int) i`, [n.producers]);
  // 90 % approved, 5 % applied, 3 % suspended, 2 % rejected; every 10th producer is also in the Robusta brand.
  await q(`INSERT INTO memberships (producer_id, brand_id, status)
           SELECT i, 1, CASE WHEN i % 100 < 90 THEN 'APPROVED' WHEN i % 100 < 95 THEN 'APPLIED' WHEN i % 100 < 98 THEN 'SUSPENDED' ELSE 'REJECTED' END
           FROM generate_series(1, $1::int) i
           UNION ALL SELECT i, 2, 'APPROVED' FROM generate_series(10, $1::int, 10) i`, [n.producers]);
  lap('brands, products, producers, memberships', t);

  // Bulk load: drop the secondary indexes of lots and commitments, load, and build them again.
  const indexes = (
    await q(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('lots', 'commitments') AND indexname NOT LIKE '%_pkey'`)
  ).rows as Array<{ indexname: string; indexdef: string }>;
  for (const ix of indexes) await q(`DROP INDEX ${ix.indexname}`);

  t = Date.now();
  // Lots: 60 % product 1, 25 % product 2, 15 % product 3. Grades 1–6 (10/20/30/15/8/5 %), 7 % not yet
  // assessed, 5 % off-grade. 70 % unallocated, 15 % partly, 15 % fully allocated. 60 kg – 3 t each.
  await q(`INSERT INTO lots (producer_id, product_id, brand_id, regency, harvest_start, harvest_end, process, net_g, allocated_g,
                             storage_location, eudr_ready, grade_rank, grade_code, off_grade)
           SELECT p, product, 1, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + p % 5],
                  date '2026-05-01' + (r3 * 120)::int, date '2026-05-01' + (r3 * 120)::int + 30,
                  (ARRAY['WASHED','NATURAL','HONEY'])[product], net,
                  CASE WHEN r4 < 0.70 THEN 0 WHEN r4 < 0.85 THEN (net * r5)::int8 ELSE net END,
                  'Gudang ' || (p % 100), r5 < 0.9,
                  rank, rank::text, r2 >= 0.95
           FROM (
             SELECT p, net, r2, r3, r4, r5,
                    CASE WHEN r1 < 0.60 THEN 1 WHEN r1 < 0.85 THEN 2 ELSE 3 END AS product,
                    CASE WHEN r2 < 0.10 THEN 1 WHEN r2 < 0.30 THEN 2 WHEN r2 < 0.60 THEN 3 WHEN r2 < 0.75 THEN 4
                         WHEN r2 < 0.83 THEN 5 WHEN r2 < 0.88 THEN 6 ELSE NULL END AS rank
             FROM (
               SELECT 1 + (random() * ($2::int - 1))::int AS p, 60000 + (random() * 2940000)::int8 AS net,
                      random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
               FROM generate_series(1, $1::int)
             ) raw
           ) x`, [n.lots, n.producers]);
  lap(`lots (${n.lots})`, t);

  t = Date.now();
  // Commitments: windows starting anywhere in 2026-01 … 2028-09, 30–180 days long; minimum grade 1–4;
  // 90 % open; 75 % unallocated, 15 % partly, 10 % fully allocated. 0.5–12 t each.
  await q(`INSERT INTO commitments (producer_id, product_id, brand_id, regency, min_grade_rank, min_grade_code, committed_g, allocated_g,
                                    window_start, window_end, status, eudr_ready)
           SELECT p, product, 1, (ARRAY['Bondowoso','Situbondo','Banyuwangi','Lumajang','Probolinggo'])[1 + p % 5], rank, rank::text, g,
                  CASE WHEN r4 < 0.75 THEN 0 WHEN r4 < 0.90 THEN (g * r5)::int8 ELSE g END,
                  start, start + 30 + (r3 * 150)::int, CASE WHEN r5 < 0.9 THEN 'OPEN' ELSE 'WITHDRAWN' END, r3 < 0.8
           FROM (
             SELECT 1 + (random() * ($2::int - 1))::int AS p, 500000 + (random() * 11500000)::int8 AS g,
                    CASE WHEN r1 < 0.60 THEN 1 WHEN r1 < 0.85 THEN 2 ELSE 3 END AS product,
                    1 + floor(random() * 4)::int AS rank, date '2026-01-01' + (random() * 1000)::int AS start,
                    random() AS r3, random() AS r4, random() AS r5
             FROM (SELECT random() AS r1 FROM generate_series(1, $1::int)) s
           ) x`, [n.commitments, n.producers]);
  lap(`commitments (${n.commitments})`, t);

  t = Date.now();
  for (const ix of indexes) await q(ix.indexdef);
  lap(`rebuild ${indexes.length} indexes of lots and commitments`, t);

  t = Date.now();
  for (const table of ['producers', 'memberships', 'lots', 'commitments', 'grades', 'grade_schemes', 'products']) {
    await q(`VACUUM (ANALYZE) ${table}`);
  }
  lap('VACUUM (ANALYZE)', t);

  await q(`SET session_replication_role = DEFAULT`);
}
