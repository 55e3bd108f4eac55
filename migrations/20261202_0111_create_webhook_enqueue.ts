import { type Kysely, sql } from 'kysely';

// Webhooks (issue 12): one function that enqueues a delivery attempt with graphile-worker when its
// schema is installed (PostgreSQL with a worker) and does nothing otherwise (the embedded poller finds
// due deliveries itself). Called in the transaction that creates or reschedules the delivery.
// Frozen in time: never import src/.
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`CREATE FUNCTION webhook_enqueue_delivery(delivery_id int8, run_at timestamptz) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF to_regnamespace('graphile_worker') IS NOT NULL THEN
        PERFORM graphile_worker.add_job('lumbung_deliver', json_build_object('deliveryId', delivery_id),
          run_at => run_at, job_key => 'delivery:' || delivery_id, max_attempts => 3);
      END IF;
    END $$`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION webhook_enqueue_delivery(int8, timestamptz)`.execute(db);
}
