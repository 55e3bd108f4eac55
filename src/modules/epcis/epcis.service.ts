import { Decimal } from 'decimal.js';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { isAdmin, hasRole, type Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, issueAt, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { parseInput, zm } from '../../platform/validate.js';
import { findBrand } from '../brands/brands.repo.js';
import { assessmentsOfLots } from '../grading/grading.repo.js';
import { contributorLabel } from '../consent/consent.service.js';
import { invoiceNumberOf } from '../settlement/settlement.service.js';
import { shipmentForExport, type ShipmentExport } from '../shipments/shipments.service.js';
import { buildEpcisDocument, type ChainInspection, type ChainOrderBinding, type EpcisDocument, type ShipmentChain } from './document.js';
import { COMPANY_PREFIX, DOMAIN_TOO_LONG, GTIN_DIGITS, settingsIssues, type BrandIdentity, type IdentifierSyntax } from './identifiers.js';
import * as repo from './epcis.repo.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * EPCIS 2.0 for a shipment: the brand's identifier settings and the JSON-LD document of the
 * shipment's whole chain, read from the provenance log.
 *
 * Who sees a document: whoever sees the shipment (its order's buyer, the brand's managers, admins;
 * shipmentForExport decides, and anyone else gets the same NotFoundError as for an unknown id).
 * Producers appear by name only with their consent to NAME_IN_EXPORT_DOCUMENTS, otherwise by the
 * same "Contributor n" label as in the EUDR package and the buyer's trace.
 */

// Settings ---------------------------------------------------------------------------------------

export interface EpcisSettings {
  brandId: number;
  identifierDomain: string | null;
  gs1CompanyPrefix: string | null;
  identifierSyntax: IdentifierSyntax;
  productGtins: Array<{ productId: number; gtin: string }>;
  updatedAt: Date | null;
}

/** The identity EPCIS documents use for many brands (a brand without a settings row gets the defaults). */
export async function identitiesOf(db: Kysely<DB>, brands: ReadonlyArray<{ id: number; name: string }>): Promise<Map<number, BrandIdentity>> {
  const ids = brands.map((b) => b.id);
  const [settings, gtins] = await Promise.all([repo.settingsOfBrands(db, ids), repo.gtinsOfBrands(db, ids)]);
  const settingsOf = new Map(settings.map((s) => [s.brand_id, s]));
  return new Map(
    brands.map((b) => {
      const s = settingsOf.get(b.id);
      return [
        b.id,
        {
          brandId: b.id,
          brandName: b.name,
          domain: s?.identifier_domain ?? null,
          gs1CompanyPrefix: s?.gs1_company_prefix ?? null,
          syntax: s?.identifier_syntax ?? 'URN',
          productGtins: new Map(gtins.filter((g) => g.brand_id === b.id).map((g) => [g.product_id, g.gtin])),
        },
      ];
    }),
  );
}

export function settingsOf(identity: BrandIdentity, updatedAt: Date | null = null): EpcisSettings {
  return {
    brandId: identity.brandId,
    identifierDomain: identity.domain,
    gs1CompanyPrefix: identity.gs1CompanyPrefix,
    identifierSyntax: identity.syntax,
    productGtins: [...identity.productGtins].map(([productId, gtin]) => ({ productId, gtin })),
    updatedAt,
  };
}

/** Settings of many brands (for Brand.epcisIdentifiers), in the order asked. */
export async function settingsOfBrands(db: Kysely<DB>, brands: ReadonlyArray<{ id: number; name: string }>): Promise<EpcisSettings[]> {
  const [identities, rows] = await Promise.all([identitiesOf(db, brands), repo.settingsOfBrands(db, brands.map((b) => b.id))]);
  const updated = new Map(rows.map((r) => [r.brand_id, r.updated_at]));
  return brands.map((b) => settingsOf(identities.get(b.id) as BrandIdentity, updated.get(b.id) ?? null));
}

const SettingsInput = z.object({
  brandId: z.number().int().positive(),
  identifierDomain: z.string().trim().max(253, zm(DOMAIN_TOO_LONG)).nullable().optional(),
  gs1CompanyPrefix: z.string().trim().max(12, zm(COMPANY_PREFIX)).nullable().optional(),
  identifierSyntax: z.enum(['URN', 'DIGITAL_LINK']).default('URN'),
  productGtins: z
    .array(z.object({ productId: z.number().int().positive(), gtin: z.string().trim().max(14, zm(GTIN_DIGITS)) }))
    .max(1000, zm(ISSUES.atMostItems({ max: 1000, what: { en: 'products', id: 'produk' } })))
    .default([]),
});
export type SettingsInput = z.input<typeof SettingsInput>;

/**
 * Set a brand's EPCIS identifiers (its brand managers, admins): the brand's own domain for URIs,
 * an optional GS1 company prefix and syntax (URN LGTIN or GS1 Digital Link), and the GTINs of its
 * products. The whole setting is replaced; every problem is reported at once and nothing is written.
 */
export async function setEpcisIdentifiers(db: Kysely<DB>, actor: Principal | null, input: SettingsInput): Promise<EpcisSettings> {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(SettingsInput, input);
  if (!isAdmin(actor) && !hasRole(actor, 'BRAND_MANAGER', parsed.brandId)) {
    throw new ForbiddenError('Only the brand\'s managers set its EPCIS identifiers');
  }
  const settings = {
    domain: parsed.identifierDomain || null,
    gs1CompanyPrefix: parsed.gs1CompanyPrefix || null,
    syntax: parsed.identifierSyntax,
    productGtins: parsed.productGtins,
  };
  const { issues, gtins } = settingsIssues(settings);
  return db.transaction().execute(async (trx) => {
    const brand = await repo.lockBrand(trx, parsed.brandId);
    if (!brand) throw new NotFoundError('Brand', 'input.brandId');
    const owned = new Set((await repo.productsOfBrand(trx, brand.id, parsed.productGtins.map((g) => g.productId))).map((p) => p.id));
    parsed.productGtins.forEach((g, i) => {
      if (!owned.has(g.productId)) issues.push(issueAt(`input.productGtins.${i}.productId`, { en: 'not a product of this brand', id: 'bukan produk merek ini' }));
    });
    const byGtin = new Map<string, number>();
    gtins.forEach((g) => {
      const i = parsed.productGtins.findIndex((p) => p.productId === g.productId);
      if (byGtin.has(g.gtin14)) issues.push(issueAt(`input.productGtins.${i}.gtin`, { en: 'two products cannot share a GTIN', id: 'dua produk tidak boleh memakai GTIN yang sama' }));
      byGtin.set(g.gtin14, g.productId);
    });
    if (issues.length > 0) throw new ValidationError(issues);
    const row = await repo.replaceSettings(trx, brand.id, { ...settings, userId: actor.userId }, gtins);
    return {
      brandId: brand.id,
      identifierDomain: row.identifier_domain,
      gs1CompanyPrefix: row.gs1_company_prefix,
      identifierSyntax: row.identifier_syntax,
      productGtins: gtins.map((g) => ({ productId: g.productId, gtin: g.gtin14 })).sort((a, b) => a.productId - b.productId),
      updatedAt: row.updated_at,
    };
  });
}

// The document ------------------------------------------------------------------------------------

/** numeric text → shortest exact decimal ("11.80" → "11.8", "1.2500" → "1.25"). */
const plain = (value: string) => new Decimal(value).toFixed();

const BINDING_KINDS = new Set(['ALLOCATED', 'REALLOCATED', 'FULFILLED']);

/** Everything the document needs, as plain data, from a constant number of queries. */
export async function shipmentChain(db: Kysely<DB>, ex: ShipmentExport): Promise<ShipmentChain> {
  const { shipment, order } = ex;
  const lotIds = [...new Set(ex.containers.flatMap((c) => c.lots.map((l) => l.lotId)))].sort((a, b) => a - b);
  const [brand, lots, plots, assessments, events, serving, invoiceNumber] = await Promise.all([
    findBrand(db, shipment.brand_id),
    repo.lotsByIds(db, lotIds),
    repo.plotsOfLots(db, lotIds),
    assessmentsOfLots(db, lotIds),
    repo.eventsOfLots(db, lotIds),
    repo.servingOfOrder(db, order.id),
    invoiceNumberOf(db, order.id),
  ]);
  if (!brand) throw new NotFoundError('Brand');
  const identity = (await identitiesOf(db, [brand])).get(brand.id) as BrandIdentity;

  // Producers: consented name, else the shipment's stable label; a lot's producer without a line
  // of their own (not expected) gets the next label.
  const contributors = new Map(ex.contributors.map((c) => [c.producerId, c]));
  let extra = ex.contributors.length;
  const labelOf = new Map<number, string>();
  const producerLabel = (producerId: number) => {
    let label = labelOf.get(producerId);
    if (label === undefined) {
      const c = contributors.get(producerId);
      label = c ? (c.name ?? c.label) : contributorLabel(++extra);
      labelOf.set(producerId, label);
    }
    return label;
  };

  const plotsOf = new Map<number, Array<{ plotId: number; areaHa: string; altitudeM: number | null }>>();
  for (const p of plots) {
    const list = plotsOf.get(p.lot_id) ?? [];
    list.push({ plotId: p.id, areaHa: plain(p.area_ha), altitudeM: p.altitude_m });
    plotsOf.set(p.lot_id, list);
  }
  const declaredAt = new Map<number, { at: Date; offset: string | null }>();
  const inspections: ChainInspection[] = [];
  const bindings: ChainOrderBinding[] = [];
  const assessmentById = new Map(assessments.map((a) => [a.id, a]));
  const { lineIds: activeLines, fulfilmentIds: activeFulfilments } = serving;
  let shippedAt: Date | null = null;
  for (const e of events) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    const offset = typeof p.timeZoneOffset === 'string' ? p.timeZoneOffset : null;
    const lotId = e.lot_id as number;
    if (e.kind === 'DECLARED' && !declaredAt.has(lotId)) declaredAt.set(lotId, { at: e.at, offset });
    else if (e.kind === 'ASSESSED') {
      const a = typeof p.assessmentId === 'number' ? assessmentById.get(p.assessmentId) : undefined;
      if (!a) continue;
      inspections.push({
        eventKey: e.id, lotId, at: e.at, timeZoneOffset: offset,
        schemeVersion: typeof p.schemeVersion === 'number' ? p.schemeVersion : null,
        gradeCode: a.grade_code, gradeRank: a.grade_rank, offGrade: a.off_grade,
        defectValue: plain(a.defect_value), moisturePct: plain(a.moisture_pct), foreignMatterPct: plain(a.foreign_matter_pct),
        cuppingScore: a.cupping_score === null ? null : plain(a.cupping_score),
        liveInsects: a.live_insects, foulOdour: a.foul_odour, sampleG: a.sample_g,
        failedRequirements: (a.failed_requirements ?? []).map((f) => f.code),
      });
    } else if (BINDING_KINDS.has(e.kind) && e.order_id === order.id && typeof p.weightG === 'number') {
      const serves = e.kind === 'FULFILLED' ? activeFulfilments.has(p.fulfilmentId as number) : activeLines.has(p.lineId as number);
      if (serves) bindings.push({ eventKey: e.id, kind: e.kind, lotId, weightG: p.weightG, at: e.at, timeZoneOffset: offset });
    } else if (e.kind === 'SHIPPED' && e.order_id === order.id) {
      if (shippedAt === null || e.at > shippedAt) shippedAt = e.at;
    }
  }

  return {
    identity,
    lots: lots.map((l) => {
      const c = contributors.get(l.producer_id);
      const declared = declaredAt.get(l.id);
      return {
        lotId: l.id, productId: l.product_id, producerId: l.producer_id, producerLabel: producerLabel(l.producer_id),
        village: c?.village ?? '', district: c?.district ?? '', regency: c?.regency ?? l.regency,
        netG: l.net_g, harvestStart: l.harvest_start, harvestEnd: l.harvest_end, process: l.process,
        plots: plotsOf.get(l.id) ?? [],
        declaredAt: declared?.at ?? l.created_at, timeZoneOffset: declared?.offset ?? null,
      };
    }),
    inspections,
    bindings,
    shipment: {
      shipmentId: shipment.id,
      orderId: order.id,
      buyerOrgId: order.buyer_org_id,
      billOfLading: shipment.bill_of_lading,
      portOfLoading: shipment.port_of_loading,
      portOfDischarge: shipment.port_of_discharge,
      departureDate: shipment.departure_date,
      loadedAt: shipment.created_at,
      shippedAt: shippedAt ?? shipment.created_at,
      // The settlement invoice, written when the order shipped: the shipping event's `inv` transaction.
      invoiceNumber,
      dds: shipment.dds_reference && shipment.dds_verification
        ? { referenceNumber: shipment.dds_reference, verificationNumber: shipment.dds_verification }
        : null,
      containers: ex.containers.map((c) => ({ containerNumber: c.containerNumber, sealNumber: c.sealNumber, bagCount: c.bagCount, lots: c.lots })),
    },
  };
}

/** The EPCIS 2.0 JSON-LD document of a shipment the caller may see; NotFoundError otherwise. */
export async function shipmentEpcis(
  db: Kysely<DB>,
  actor: Principal | null,
  shipmentId: number,
  path = 'shipmentId',
  now: Date = new Date(),
): Promise<EpcisDocument> {
  const ex = await shipmentForExport(db, actor, shipmentId, path);
  return buildEpcisDocument(await shipmentChain(db, ex), now);
}
