import { AppError } from '../../platform/errors.js';

/** Why a fulfilment or a shortfall declaration was refused (the client can switch on it). */
export const FULFILMENT_REFUSALS = [
  'LINE_NOT_ACTIVE',
  'LINE_NOT_FORWARD',
  'ORDER_NOT_IN_FULFILMENT',
  'LOT_OF_ANOTHER_PRODUCER',
  'WRONG_PRODUCT',
  'LOT_NOT_GRADED',
  'LOT_OFF_GRADE',
  'GRADE_BELOW_MINIMUM',
  'EXCEEDS_LINE_REMAINING',
  'EXCEEDS_LOT_AVAILABLE',
] as const;
export type FulfilmentRefusal = (typeof FULFILMENT_REFUSALS)[number];

/**
 * The line, the lot or the order does not allow this fulfilment or shortfall; nothing was written.
 * `path` names the input field at fault (input.lineId, input.lotId or input.weight).
 */
export class FulfilmentRefusedError extends AppError {
  readonly code = 'FULFILMENT_REFUSED';
  constructor(
    readonly reason: FulfilmentRefusal,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FulfilmentRefusedError';
  }
}
