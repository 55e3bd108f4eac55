import type { Row } from '../../platform/db-types.js';
import { kg } from '../../platform/format.js';
import { type AppError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { BAG_G, gramsToKg } from '../../platform/weight.js';
import { HOLDS_ALLOCATION } from '../orders/state.js';
import { FulfilmentRefusedError } from './errors.js';
import { kgId } from '../../platform/issue-messages.js';

/**
 * When fulfilling a forward line or declaring a shortfall is refused (pure): each check is one
 * FulfilmentRefusedError (or ValidationError, NotFoundError) naming the input field; the first that
 * applies wins, in the order below, and nothing is written. Only orders that hold supply
 * (ACCEPTED, IN_FULFILLMENT) have lines that are fulfilled or fall short.
 */

type Order = Pick<Row<'orders'>, 'status' | 'whole_bags' | 'product_id' | 'min_grade_rank' | 'min_grade_code'>;
type Line = Pick<Row<'allocation_lines'>, 'status' | 'commitment_id' | 'producer_id' | 'weight_g' | 'fulfilled_g'>;
type Lot = Pick<Row<'lots'>, 'producer_id' | 'product_id' | 'off_grade' | 'grade_rank' | 'grade_code' | 'net_g' | 'allocated_g'>;

const orderNotOpen = (order: Order) =>
  HOLDS_ALLOCATION.has(order.status)
    ? null
    : new FulfilmentRefusedError(
        'ORDER_NOT_IN_FULFILMENT',
        'input.lineId',
        `The line's order is ${order.status}; only ACCEPTED or IN_FULFILLMENT orders are fulfilled or fall short`,
      );

const lineNotActive = (line: Line) =>
  line.status === 'ACTIVE' ? null : new FulfilmentRefusedError('LINE_NOT_ACTIVE', 'input.lineId', `The line is ${line.status}`);

/** With whole bags, every line (and so every fulfilment and shortfall) is a multiple of 60 kg. */
const notWholeBags = (order: Order, weightG: number) =>
  order.whole_bags && weightG % BAG_G !== 0
    ? ValidationError.field('input.weight', {
        en: `must be a whole number of 60 kg bags: the order asks for whole bags (got ${kg(weightG, 'en')})`,
        id: `harus kelipatan karung 60 kg: pesanan ini meminta karung utuh (yang diisi ${kgId(gramsToKg(weightG))})`,
      })
    : null;

/** More than the line has open (weight − fulfilled); `open` says what that is ("left to fulfil", "not yet delivered"). */
const exceedsLine = (line: Line, weightG: number, open: string) => {
  const openG = line.weight_g - line.fulfilled_g;
  return weightG > openG
    ? new FulfilmentRefusedError('EXCEEDS_LINE_REMAINING', 'input.weight', `The line has ${kg(openG, 'en')} ${open} (asked ${kg(weightG, 'en')})`)
    : null;
};

/**
 * Why `weightG` of `lot` may not be linked to forward `line` of `order` (null: it may). `lot` is
 * undefined when no lot has the given id. In order: the order is open, the line is forward and
 * ACTIVE, the lot exists, is the line's producer's, of the order's product, not off-grade, graded,
 * at the order's minimum grade or better; the weight is whole bags when the order asks, at most
 * what the line has left to fulfil and at most what the lot has available.
 */
export function fulfilmentRefusal(order: Order, line: Line, lot: Lot | undefined, weightG: number): AppError | null {
  const early = orderNotOpen(order) ??
    (line.commitment_id === null
      ? new FulfilmentRefusedError('LINE_NOT_FORWARD', 'input.lineId', 'Only forward lines (on a commitment) are fulfilled; a spot line is its lot')
      : null) ??
    lineNotActive(line);
  if (early) return early;
  if (!lot) return new NotFoundError('Lot', 'input.lotId');
  if (lot.producer_id !== line.producer_id) {
    return new FulfilmentRefusedError('LOT_OF_ANOTHER_PRODUCER', 'input.lotId', 'The lot belongs to another producer than the line\'s');
  }
  if (lot.product_id !== order.product_id) return new FulfilmentRefusedError('WRONG_PRODUCT', 'input.lotId', 'The lot is of another product than the order\'s');
  if (lot.off_grade) return new FulfilmentRefusedError('LOT_OFF_GRADE', 'input.lotId', 'The lot is off-grade');
  if (lot.grade_rank === null) return new FulfilmentRefusedError('LOT_NOT_GRADED', 'input.lotId', 'The lot has not been graded yet');
  if (lot.grade_rank > order.min_grade_rank) {
    return new FulfilmentRefusedError(
      'GRADE_BELOW_MINIMUM',
      'input.lotId',
      `The lot is grade ${lot.grade_code}, below the order's minimum grade ${order.min_grade_code}`,
    );
  }
  const bags = notWholeBags(order, weightG);
  if (bags) return bags;
  const exceeds = exceedsLine(line, weightG, 'left to fulfil');
  if (exceeds) return exceeds;
  const available = lot.net_g - lot.allocated_g;
  if (weightG > available) {
    return new FulfilmentRefusedError(
      'EXCEEDS_LOT_AVAILABLE',
      'input.weight',
      `The lot has ${kg(available, 'en')} available (asked ${kg(weightG, 'en')})`,
    );
  }
  return null;
}

/**
 * Why the line's producer may not declare `weightG` of `line` short (null: they may). In order: the
 * order is open, the line ACTIVE, the weight whole bags when the order asks and at most what is
 * not yet delivered.
 */
export function shortfallRefusal(order: Order, line: Line, weightG: number): AppError | null {
  return orderNotOpen(order) ?? lineNotActive(line) ?? notWholeBags(order, weightG) ?? exceedsLine(line, weightG, 'not yet delivered');
}
