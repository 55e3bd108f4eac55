import type { Kysely, Transaction } from 'kysely';
import { kg } from '../../platform/format.js';
import { z } from 'zod';
import type { Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { ForbiddenError, InvalidTransitionError, NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { addIssue, parseInput, zm } from '../../platform/validate.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import { contributorLabel, disclosedNames } from '../consent/consent.service.js';
import { latestDeforestation } from '../deforestation/deforestation.service.js';
import { canSeeOrder, managesOrder, rolesOn } from '../orders/access.js';
import { onOrderTransition } from '../orders/hooks.js';
import * as ordersRepo from '../orders/orders.repo.js';
import { transitionInTransaction } from '../orders/orders.service.js';
import { canTransition, refusal } from '../orders/state.js';
import { inTransaction, type TxOptions } from '../../platform/transaction.js';
import { buildEudrPackage, type EudrPackage, type PackageInput } from './eudr-package.js';
import { LoadedWeightMismatchError, type LotWeightMismatch } from './errors.js';
import {
  containerNumberProblemText, DDS_REFERENCE, DDS_VERIFICATION_MAX, DDS_VERIFICATION_MIN, hsHeading, normaliseContainerNumber, UN_LOCODE,
} from './papers.js';
import * as repo from './shipments.repo.js';
import { ISSUES, kgId, nId } from '../../platform/issue-messages.js';

/**
 * Shipments: the export papers of an order, recorded when it ships.
 *
 * shipOrder (brand manager of the order's brand) moves an IN_FULFILLMENT order to SHIPPED and, in
 * the same transaction, records its shipment: one or more containers (ISO 6346 number with a
 * verified check digit, seal, count of 60 kg bags, the lots loaded with their kg), the bill of
 * lading, ports of loading and discharge (UN/LOCODE) and the departure date.
 *
 * - An export order (destination outside Indonesia) must carry a shipment; a domestic one may.
 *   installShipmentHandlers (wired in src/composition.ts) refuses SHIPPED for an export order by
 *   any other path.
 * - The loaded weight equals the order's shipped lines lot by lot (spot lines plus active
 *   fulfilments): any difference is a LoadedWeightMismatchError listing each lot, nothing written.
 * - Each container's bags hold its weight: (bags − 1) × 60 kg < loaded ≤ bags × 60 kg.
 * - The order's own guards run first (uncovered weight, undelivered forward lines).
 *
 * Visibility: a shipment is seen by whoever sees its order (its buyer, the brand's managers,
 * admins); anyone else gets NotFoundError, as for an id that does not exist.
 */

export const DOMESTIC_COUNTRY = 'ID';
export const MAX_CONTAINERS = 100;
export const MAX_BAGS_PER_CONTAINER = 1000;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, zm(ISSUES.dateYmd))
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), zm(ISSUES.notCalendarDate));

const port = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase().replace(/\s/g, ''))
  .pipe(z.string().regex(UN_LOCODE, zm({
    en: 'must be a UN/LOCODE: 2-letter country and 3 letters or digits 2–9, e.g. IDSUB',
    id: 'harus kode UN/LOCODE: 2 huruf kode negara dan 3 huruf atau angka 2–9, misalnya IDSUB',
  })));

const ContainerInput = z.object({
  containerNumber: z
    .string()
    .transform(normaliseContainerNumber)
    .superRefine((v, ctx) => {
      const problem = containerNumberProblemText(v);
      if (problem) addIssue(ctx, undefined, problem);
    }),
  sealNumber: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(35, zm(ISSUES.maxChars({ max: 35 }))),
  bagCount: z
    .number()
    .int(zm({ en: 'must be a whole number of bags', id: 'harus jumlah karung yang bulat' }))
    .min(1, zm(ISSUES.atLeast({ min: 1 })))
    .max(MAX_BAGS_PER_CONTAINER, zm(ISSUES.atMost({ max: MAX_BAGS_PER_CONTAINER }))),
  lots: z
    .array(z.object({ lotId: z.number().int(), weight: z.number().int(zm(ISSUES.wholeGrams)).positive(zm({ en: 'must be more than 0 kg', id: 'harus lebih dari 0 kg' })) }))
    .min(1, zm({ en: 'must list at least one lot', id: 'cantumkan paling sedikit satu lot' })),
});

const ShipmentInput = z
  .object({
    billOfLading: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(35, zm(ISSUES.maxChars({ max: 35 })))
      .regex(/^[A-Za-z0-9][A-Za-z0-9 /-]*$/, zm({ en: 'must be letters, digits, spaces, "/" or "-"', id: 'hanya boleh huruf, angka, spasi, "/" atau "-"' })),
    portOfLoading: port,
    portOfDischarge: port,
    departureDate: isoDate,
    containers: z
      .array(ContainerInput)
      .min(1, zm({ en: 'must list at least one container', id: 'cantumkan paling sedikit satu kontainer' }))
      .max(MAX_CONTAINERS, zm({ en: `must list at most ${MAX_CONTAINERS} containers`, id: `paling banyak ${MAX_CONTAINERS} kontainer` })),
  })
  .superRefine((v, ctx) => {
    if (v.portOfLoading === v.portOfDischarge) addIssue(ctx, ['portOfDischarge'], { en: 'must differ from portOfLoading', id: 'harus berbeda dari portOfLoading' });
    const seen = new Map<string, number>();
    v.containers.forEach((c, i) => {
      const earlier = seen.get(c.containerNumber);
      if (earlier !== undefined) addIssue(ctx, ['containers', i, 'containerNumber'], { en: `repeats container ${earlier + 1}`, id: `sama dengan kontainer ke-${earlier + 1}` });
      else seen.set(c.containerNumber, i);
      const lots = new Set<number>();
      let loaded = 0;
      c.lots.forEach((l, j) => {
        if (lots.has(l.lotId)) {
          addIssue(ctx, ['containers', i, 'lots', j, 'lotId'], { en: 'lists the same lot twice in one container', id: 'lot yang sama tercantum dua kali dalam satu kontainer' });
        }
        lots.add(l.lotId);
        loaded += l.weight;
      });
      if (loaded > c.bagCount * BAG_G || loaded <= (c.bagCount - 1) * BAG_G) {
        addIssue(ctx, ['containers', i, 'bagCount'], {
          en: `${c.bagCount} bags of 60 kg do not hold the ${kg(loaded, 'en')} loaded (that needs ${Math.ceil(loaded / BAG_G)} bags)`,
          id: `${nId(c.bagCount)} karung 60 kg tidak sesuai dengan muatan ${kgId(gramsToKg(loaded))} (muatan itu perlu ${nId(Math.ceil(loaded / BAG_G))} karung)`,
        });
      }
    });
  });

const ShipOrderInput = z.object({
  orderId: z.number().int(),
  reason: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
    z.string().trim().max(1000, zm(ISSUES.maxChars({ max: 1000 }))).nullish(),
  ),
  shipment: ShipmentInput.nullish(),
});
export type ShipOrderInput = z.input<typeof ShipOrderInput>;

/** Transactions in which shipOrder records the shipment itself (the hook lets those through). */
const recording = new WeakSet<object>();

let installed = false;

/**
 * Refuse SHIPPED for an export order by any path other than shipOrder here (which records the
 * papers in the same transaction). Installed once by src/composition.ts (composeModules).
 */
export function installShipmentHandlers(): void {
  if (installed) return;
  installed = true;
  onOrderTransition((trx, { order, to }) => {
    if (to === 'SHIPPED' && order.destination_country !== DOMESTIC_COUNTRY && !recording.has(trx)) {
      throw new InvalidTransitionError('Order', order.status, to, 'An export order ships with its shipment papers (shipOrder with input.shipment)');
    }
  });
}

/** Ship an order, recording its shipment (see the module comment). */
export async function shipOrder(db: Kysely<DB>, actor: Principal | null, input: ShipOrderInput, options: TxOptions = {}) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(ShipOrderInput, input);
  return inTransaction(
    db,
    async (trx) => {
      const order = await ordersRepo.lockOrder(trx, parsed.orderId);
      if (!order || !canSeeOrder(actor, order)) throw new NotFoundError('Order', 'input.orderId');
      const roles = rolesOn(actor, order);
      if (!roles.some((role) => canTransition(order.status, 'SHIPPED', role))) {
        const role = roles.includes('MANAGER') ? 'MANAGER' : (roles[0] ?? 'OTHER');
        throw new InvalidTransitionError('Order', order.status, 'SHIPPED', refusal(order.status, 'SHIPPED', role) ?? undefined);
      }
      // The order's own guards first (uncovered weight, undelivered forward lines), then the papers.
      recording.add(trx);
      const updated = await transitionInTransaction(trx, order, 'SHIPPED', actor, parsed.reason ?? null);
      const shipment = parsed.shipment ?? null;
      if (!shipment && order.destination_country !== DOMESTIC_COUNTRY) {
        throw ValidationError.field('input.shipment', {
          en: `is required: the order goes to ${order.destination_country}, so it ships with its containers, bill of lading and ports`,
          id: `wajib diisi: pesanan ini dikirim ke ${order.destination_country}, jadi pengirimannya perlu kontainer, bill of lading dan pelabuhan`,
        });
      }
      if (shipment) {
        await checkLoadedWeights(trx, order.id, shipment.containers);
        await repo.insertShipment(trx, {
          orderId: order.id, brandId: order.brand_id, billOfLading: shipment.billOfLading, portOfLoading: shipment.portOfLoading,
          portOfDischarge: shipment.portOfDischarge, departureDate: shipment.departureDate, createdBy: actor.userId,
          containers: shipment.containers.map((c) => ({
            containerNumber: c.containerNumber, sealNumber: c.sealNumber, bagCount: c.bagCount,
            lots: c.lots.map((l) => ({ lotId: l.lotId, weightG: l.weight })),
          })),
        });
      }
      return updated;
    },
    options,
  );
}

async function checkLoadedWeights(trx: Transaction<DB>, orderId: number, containers: { lots: { lotId: number; weight: number }[] }[]) {
  const shipped = new Map((await ordersRepo.shippedLots(trx, orderId)).map((l) => [Number(l.lot_id), Number(l.weight_g)]));
  const loaded = new Map<number, number>();
  for (const c of containers) for (const l of c.lots) loaded.set(l.lotId, (loaded.get(l.lotId) ?? 0) + l.weight);
  const mismatches: LotWeightMismatch[] = [];
  for (const lotId of [...new Set([...shipped.keys(), ...loaded.keys()])].sort((a, b) => a - b)) {
    const s = shipped.get(lotId) ?? 0;
    const l = loaded.get(lotId) ?? 0;
    if (s !== l) mismatches.push({ lotId, loadedG: l, shippedG: s });
  }
  if (mismatches.length > 0) {
    const text = mismatches
      .map((m) => (m.shippedG === 0
        ? `lot ${m.lotId}: ${kg(m.loadedG, 'en')} loaded but the order does not ship it`
        : `lot ${m.lotId}: ${kg(m.loadedG, 'en')} loaded, the order ships ${kg(m.shippedG, 'en')}`))
      .join('; ');
    throw new LoadedWeightMismatchError(mismatches, `The containers do not hold the order's shipped lines: ${text}`);
  }
}

// DDS numbers ------------------------------------------------------------------------------------

const DdsInput = z.object({
  shipmentId: z.number().int(),
  referenceNumber: z.string().trim().transform((v) => v.toUpperCase())
    .pipe(z.string().regex(DDS_REFERENCE, zm({
      en: 'must be the 14-character DDS reference: 2-digit year, 2-letter member state, 10 letters or digits, e.g. 26BE7XTVCZAQ2S',
      id: 'harus nomor referensi DDS 14 karakter: 2 angka tahun, 2 huruf negara anggota, 10 huruf atau angka, misalnya 26BE7XTVCZAQ2S',
    }))),
  verificationNumber: z.string().trim()
    .min(DDS_VERIFICATION_MIN, zm(ISSUES.charsBetween({ min: DDS_VERIFICATION_MIN, max: DDS_VERIFICATION_MAX })))
    .max(DDS_VERIFICATION_MAX, zm(ISSUES.charsBetween({ min: DDS_VERIFICATION_MIN, max: DDS_VERIFICATION_MAX })))
    .regex(/^[A-Za-z0-9]+$/, zm({ en: 'must be letters and digits', id: 'hanya boleh huruf dan angka' })),
});
export type DdsInput = z.input<typeof DdsInput>;

/** Record the DDS reference and verification numbers the EU importer got back (brand manager of the shipment's brand). */
export async function recordDdsNumbers(db: Kysely<DB>, actor: Principal | null, input: DdsInput) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(DdsInput, input);
  return inTransaction(db, async (trx) => {
    const shipment = await repo.lockShipment(trx, parsed.shipmentId);
    if (!shipment || !canSeeOrder(actor, shipment)) throw new NotFoundError('Shipment', 'input.shipmentId');
    if (!managesOrder(actor, shipment)) {
      throw new ForbiddenError('Only the brand manager records the DDS numbers');
    }
    const row = await repo.recordDds(trx, shipment.id, { reference: parsed.referenceNumber, verification: parsed.verificationNumber, userId: actor.userId });
    return { ...row, buyer_org_id: shipment.buyer_org_id };
  });
}

// Reading ------------------------------------------------------------------------------------------

/** One shipment the caller may see; NotFoundError otherwise (existence is not revealed). */
export async function getShipment(db: Kysely<DB>, actor: Principal | null, id: number, path = 'id'): Promise<repo.ShipmentRow> {
  if (!actor) throw new UnauthenticatedError();
  const shipment = await repo.findShipment(db, id);
  if (!shipment || !canSeeOrder(actor, shipment)) throw new NotFoundError('Shipment', path);
  return shipment;
}

export function listShipments(db: Kysely<DB>, actor: Principal | null, page: Parameters<typeof repo.listShipments>[2]) {
  if (!actor) throw new UnauthenticatedError();
  return repo.listShipments(db, actor, page);
}

export interface ShipmentContributor {
  producerId: number;
  /** "Contributor n", numbered by the producers' first allocation line in the order. */
  label: string;
  /** The display name when the producer consents to NAME_IN_EXPORT_DOCUMENTS, else null. */
  name: string | null;
  village: string;
  district: string;
  regency: string;
  cooperativeName: string | null;
}

export interface ShipmentExport {
  shipment: repo.ShipmentRow;
  order: NonNullable<Awaited<ReturnType<typeof ordersRepo.findOrder>>>;
  containers: { id: number; position: number; containerNumber: string; sealNumber: string; bagCount: number; lots: { lotId: number; weightG: number }[] }[];
  contributors: ShipmentContributor[];
}

/** A shipment with its containers, loaded lots and contributors (consent applied), for export documents. */
export async function shipmentForExport(db: Kysely<DB>, actor: Principal | null, shipmentId: number, path = 'shipmentId'): Promise<ShipmentExport> {
  const shipment = await getShipment(db, actor, shipmentId, path);
  const [order, containers, lineOrder] = await Promise.all([
    ordersRepo.findOrder(db, shipment.order_id),
    repo.containersOfShipments(db, [shipment.id]),
    repo.producersInLineOrder(db, shipment.order_id),
  ]);
  const loads = await repo.lotsOfContainers(db, containers.map((c) => c.id));
  const producerIds = lineOrder.map((l) => Number(l.producer_id));
  const [rows, names] = await Promise.all([
    repo.producersWithCooperative(db, producerIds),
    disclosedNames(db, producerIds, 'NAME_IN_EXPORT_DOCUMENTS'),
  ]);
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  return {
    shipment,
    order: order as ShipmentExport['order'],
    containers: containers.map((c) => ({
      id: c.id, position: c.position, containerNumber: c.container_number, sealNumber: c.seal_number, bagCount: c.bag_count,
      lots: loads.filter((l) => l.container_id === c.id).map((l) => ({ lotId: l.lot_id, weightG: l.weight_g })),
    })),
    contributors: producerIds.map((id, i) => {
      const r = rowOf.get(id);
      return {
        producerId: id, label: contributorLabel(i + 1), name: names.get(id) ?? null,
        village: r?.village ?? '', district: r?.district ?? '', regency: r?.regency ?? '', cooperativeName: r?.cooperative_name ?? null,
      };
    }),
  };
}

/** The internal reference of a shipment's DDS (≤ 35 characters). */
export const internalReference = (shipmentId: number, orderId: number) => `LUMBUNG-S${shipmentId}-O${orderId}`;

/** Load everything the EUDR package needs (a constant number of queries), as plain data. */
export async function eudrPackageInput(db: Kysely<DB>, ex: ShipmentExport): Promise<PackageInput> {
  const loaded = new Map<number, number>();
  for (const c of ex.containers) for (const l of c.lots) loaded.set(l.lotId, (loaded.get(l.lotId) ?? 0) + l.weightG);
  const lotIds = [...loaded.keys()].sort((a, b) => a - b);
  const [lots, header, undelivered] = await Promise.all([
    repo.lotsWithPlots(db, lotIds),
    repo.orderHeader(db, ex.order.id),
    repo.undeliveredForwardLines(db, ex.order.id),
  ]);
  const plotIds = [...new Set(lots.flatMap((l) => l.plot_ids ?? []))];
  const [plots, assessments] = await Promise.all([repo.plotsByIds(db, plotIds), latestDeforestation(db, plotIds)]);
  const hs = hsHeading(header);
  return {
    shipmentId: ex.shipment.id,
    internalReference: internalReference(ex.shipment.id, ex.order.id),
    product: {
      name: header.product_name, commodity: header.commodity, species: header.species, process: header.process, form: header.form,
      hsHeading: hs.code, hsDescription: hs.description,
    },
    supplier: {
      brandName: header.brand_name,
      cooperatives: [...new Set(ex.contributors.flatMap((c) => (c.cooperativeName ? [c.cooperativeName] : [])))].sort(),
    },
    customer: { name: header.buyer_name, country: header.buyer_country },
    shipment: {
      billOfLading: ex.shipment.bill_of_lading, portOfLoading: ex.shipment.port_of_loading, portOfDischarge: ex.shipment.port_of_discharge,
      departureDate: ex.shipment.departure_date,
      containers: ex.containers.map((c) => ({ containerNumber: c.containerNumber, sealNumber: c.sealNumber, bagCount: c.bagCount })),
      ddsReference: ex.shipment.dds_reference, ddsVerification: ex.shipment.dds_verification,
    },
    lots: lots
      .map((l) => ({
        lotId: l.id, producerId: l.producer_id, weightG: loaded.get(l.id) ?? 0, harvestStart: l.harvest_start, harvestEnd: l.harvest_end,
        plotIds: (l.plot_ids ?? []).map(Number),
      }))
      .sort((a, b) => a.lotId - b.lotId),
    undeliveredLines: undelivered.map((u) => ({ lineId: u.id, producerId: u.producer_id, undeliveredG: Number(u.undelivered_g) })),
    producers: ex.contributors.map((c) => ({
      producerId: c.producerId, label: c.label, consentedName: c.name, village: c.village, district: c.district, regency: c.regency,
    })),
    plots: plots.map((p) => ({
      plotId: p.id, producerId: p.producer_id, name: p.name, areaHa: p.area_ha, geometry: p.geometry, eudrReady: p.eudr_ready,
      deforestation: assessments.get(p.id)?.result ?? null,
    })),
  };
}

/** The EUDR due-diligence package of a shipment (same authorisation as the shipment). */
export async function eudrPackage(db: Kysely<DB>, actor: Principal | null, shipmentId: number, path = 'shipmentId'): Promise<EudrPackage> {
  const ex = await shipmentForExport(db, actor, shipmentId, path);
  return buildEudrPackage(await eudrPackageInput(db, ex));
}
