import { type Kysely, sql } from 'kysely';

// EPCIS identifiers of a brand (issue 10 §4): the brand's own domain for URIs, an optional GS1
// company prefix with the syntax to use (EPC URN LGTIN or GS1 Digital Link), and the GTIN of each
// product that has one. A brand without a row uses the platform's default namespace.
// Frozen in time: never import src/.
const statements = [
  `CREATE TABLE epcis_brand_settings (
      brand_id           int8 PRIMARY KEY REFERENCES brands(id),
      identifier_domain  text CHECK (identifier_domain ~ '^[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63})+$' AND length(identifier_domain) <= 253),
      gs1_company_prefix text CHECK (gs1_company_prefix ~ '^[0-9]{6,12}$'),
      identifier_syntax  text NOT NULL DEFAULT 'URN' CHECK (identifier_syntax IN ('URN', 'DIGITAL_LINK')),
      updated_by         int8 NOT NULL REFERENCES users(id),
      updated_at         timestamptz NOT NULL DEFAULT now(),
      CHECK (identifier_syntax = 'URN' OR gs1_company_prefix IS NOT NULL)
    )`,
  `CREATE TABLE epcis_product_gtins (
      product_id int8 PRIMARY KEY REFERENCES products(id),
      gtin       text NOT NULL CHECK (gtin ~ '^[0-9]{14}$')
    )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['epcis_product_gtins', 'epcis_brand_settings']) await sql.raw(`DROP TABLE ${table}`).execute(db);
}
