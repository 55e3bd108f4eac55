import { AppError } from '../../platform/errors.js';

export interface LotWeightMismatch {
  lotId: number;
  /** Grams loaded into the shipment's containers. */
  loadedG: number;
  /** Grams of the lot the order ships (its active lines and fulfilments). */
  shippedG: number;
}

/** The containers' loaded weight differs from the order's shipped lines, lot by lot; nothing was written. */
export class LoadedWeightMismatchError extends AppError {
  readonly code = 'LOADED_WEIGHT_MISMATCH';
  constructor(readonly lots: LotWeightMismatch[], message: string) {
    super(message);
  }
}
