import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../platform/auth.js';
import type { DB } from '../../platform/db-types.js';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { addDaysIso, EARLIEST_DATE, IsoDate, todayIso } from '../../platform/dates.js';
import type { KeysetPage } from '../../platform/graphql/pagination.js';
import { addIssue, parseInput, positiveWeight, zm } from '../../platform/validate.js';
import { gramsToKg } from '../../platform/weight.js';
import { audience, emit, globalId } from '../outbox/outbox.js';
import * as brandsRepo from '../brands/brands.repo.js';
import { PROCESSES } from '../brands/brands.service.js';
import { assertApprovedMember } from '../memberships/memberships.service.js';
import { assertCanManageProducer } from '../producers/access.js';
import * as plotsRepo from '../plots/plots.repo.js';
import * as provenance from '../provenance/provenance.repo.js';
import * as repo from './lots.repo.js';
import { inTransaction } from '../../platform/transaction.js';
import { ISSUES } from '../../platform/issue-messages.js';

/**
 * Lots: physical batches a producer declares. Rules (each a ValidationError naming the field):
 * - net weight > 0 and at most 1,000 t (a lot is one warehouse batch; 1,000 t is ~50 containers);
 * - harvest end ≥ harvest start; harvest dates between 2000-01-01 and one year from today;
 * - at least one plot, no plot twice, every plot the producer's own;
 * - process defaults to the product's and must match it (a washed product has washed lots);
 * - the producer must be an APPROVED member of the product's brand — the same rule as for
 *   commitments: only approved members supply the brand (an applicant or a suspended member
 *   cannot add supply; they can still see what they declared before).
 * The lot copies brand (from the product) and regency (from the producer), and is EUDR-ready when
 * every plot of origin is. Lot, lot_plots and the DECLARED provenance event are one transaction.
 */

export const MAX_PLOTS_PER_LOT = 100;
const DeclareLotInput = z
  .object({
    producerId: z.number().int(),
    productId: z.number().int(),
    harvestStart: IsoDate,
    harvestEnd: IsoDate,
    plotIds: z
      .array(z.number().int())
      .min(1, zm({ en: 'must name at least one plot of origin', id: 'sebutkan paling sedikit satu lahan asal' }))
      .max(MAX_PLOTS_PER_LOT, zm(ISSUES.atMostItems({ max: MAX_PLOTS_PER_LOT, what: { en: 'plots', id: 'lahan' } }))),
    process: z.enum(PROCESSES).nullish(),
    netWeight: positiveWeight(),
    storageLocation: z.string().trim().min(1, zm(ISSUES.notEmpty)).max(200, zm(ISSUES.maxChars({ max: 200 }))),
  })
  .superRefine((v, ctx) => {
    const latest = addDaysIso(todayIso(), 366);
    if (v.harvestStart < EARLIEST_DATE) addIssue(ctx, ['harvestStart'], ISSUES.onOrAfterDate({ date: EARLIEST_DATE }));
    if (v.harvestEnd < v.harvestStart) addIssue(ctx, ['harvestEnd'], ISSUES.onOrAfter({ field: 'harvestStart', value: v.harvestStart }));
    if (v.harvestEnd > latest) addIssue(ctx, ['harvestEnd'], ISSUES.notLaterThanDate({ date: latest }));
    const seen = new Map<number, number>();
    v.plotIds.forEach((id, i) => {
      const first = seen.get(id);
      if (first !== undefined) addIssue(ctx, ['plotIds', i], { en: `is the same plot as plotIds.${first}`, id: `lahan yang sama dengan plotIds.${first}` });
      else seen.set(id, i);
    });
  });

export type DeclareLotInput = z.input<typeof DeclareLotInput>;

export async function declareLot(db: Kysely<DB>, actor: Principal | null, input: DeclareLotInput) {
  if (!actor) throw new UnauthenticatedError();
  const parsed = parseInput(DeclareLotInput, input);
  return inTransaction(db, async (trx) => {
    await assertCanManageProducer(trx, actor, parsed.producerId, 'input.producerId');
    const producer = await repo.findProducer(trx, parsed.producerId);
    if (!producer) throw new NotFoundError('Producer', 'input.producerId');
    const product = await brandsRepo.findProduct(trx, parsed.productId);
    if (!product) throw new NotFoundError('Product', 'input.productId');
    await assertApprovedMember(trx, parsed.producerId, product.brand_id, 'input.producerId');
    const process = parsed.process ?? product.process;
    if (process !== product.process) {
      throw ValidationError.field('input.process', {
        en: `must be ${product.process}, the process of the product "${product.name}"`,
        id: `harus ${product.process}, sesuai proses produk "${product.name}"`,
      });
    }

    const plots = await plotsRepo.findPlots(trx, parsed.plotIds);
    const byId = new Map(plots.map((p) => [p.id, p]));
    // Another producer's plot is answered exactly like an unknown plot: it must not reveal that it exists.
    for (const [i, id] of parsed.plotIds.entries()) {
      const plot = byId.get(id);
      if (!plot || plot.producer_id !== parsed.producerId) throw new NotFoundError('Plot', `input.plotIds.${i}`);
    }

    const lot = await repo.insertLot(trx, {
      producer_id: parsed.producerId,
      product_id: product.id,
      brand_id: product.brand_id,
      regency: producer.regency,
      harvest_start: parsed.harvestStart,
      harvest_end: parsed.harvestEnd,
      process,
      net_g: parsed.netWeight,
      storage_location: parsed.storageLocation,
      eudr_ready: plots.every((p) => p.eudr_ready),
      latest_assessment_id: null,
      grade_code: null,
      grade_rank: null,
    });
    await repo.insertLotPlots(trx, lot.id, parsed.plotIds);
    await provenance.appendEvent(trx, {
      kind: 'DECLARED',
      lotId: lot.id,
      actorUserId: actor.userId,
      payload: {
        netG: lot.net_g,
        productId: lot.product_id,
        producerId: lot.producer_id,
        plotIds: parsed.plotIds,
        harvestStart: lot.harvest_start,
        harvestEnd: lot.harvest_end,
        process: lot.process,
        storageLocation: lot.storage_location,
        eudrReady: lot.eudr_ready,
      },
    });
    await emit(trx, {
      type: 'lot.declared',
      subject: { type: 'Lot', id: lot.id },
      audience: [audience.brand(lot.brand_id), audience.producer(lot.producer_id), audience.coop(producer.cooperative_id)],
      data: {
        lot: {
          id: globalId('Lot', lot.id), producer: globalId('Producer', lot.producer_id), product: globalId('Product', lot.product_id),
          netKg: gramsToKg(lot.net_g), harvestStart: lot.harvest_start, harvestEnd: lot.harvest_end, eudrReady: lot.eudr_ready,
        },
      },
    });
    return lot;
  });
}

/** Lots the caller may see, filtered in SQL (buyers and anonymous callers see none). */
export function listLots(db: Kysely<DB>, actor: Principal | null, filter: repo.LotFilter, page: KeysetPage) {
  if (!actor) throw new UnauthenticatedError();
  return repo.listLots(db, actor, filter, page);
}

/** A page of the lots the caller may see for each of many producers (one query). */
export function lotsPerProducer(db: Kysely<DB>, actor: Principal | null, producerIds: readonly number[], filter: repo.LotFilter, page: KeysetPage) {
  if (!actor) throw new UnauthenticatedError();
  return repo.lotsPerProducer(db, actor, producerIds, filter, page);
}
