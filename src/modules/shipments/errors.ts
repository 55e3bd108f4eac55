import { AppError } from '../../platform/errors.js';
import { kg } from '../../platform/format.js';

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

  override indonesian(): string {
    const lots = this.lots.map((l) => `lot ${l.lotId}: dimuat ${kg(l.loadedG, 'id')}, dikirim ${kg(l.shippedG, 'id')}`).join('; ');
    return `Isi kontainer tidak sama dengan baris pesanan yang dikirim: ${lots}. Tidak ada yang disimpan.`;
  }
}
