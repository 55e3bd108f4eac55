import { AppError } from '../../platform/errors.js';
import { kg } from '../../platform/format.js';
import type { BindingConstraint } from './engine.js';

/** The supply cannot cover the order under the constraints; nothing was written. */
export class InsufficientSupplyError extends AppError {
  readonly code = 'INSUFFICIENT_SUPPLY';
  constructor(
    readonly requestedG: number,
    readonly availableG: number,
    readonly shortfallG: number,
    readonly binding: BindingConstraint,
    message?: string,
  ) {
    super(
      message ??
        `Only ${kg(availableG, 'en')} of the ${kg(requestedG, 'en')} can be allocated (short ${kg(shortfallG, 'en')}); binding constraint: ${binding}`,
    );
    this.name = 'InsufficientSupplyError';
  }

  override indonesian(): string {
    return `Hanya ${kg(this.availableG, 'id')} dari ${kg(this.requestedG, 'id')} yang dapat dialokasikan (kurang ${kg(this.shortfallG, 'id')}); batasan yang menentukan: ${this.binding}. Tidak ada yang disimpan.`;
  }
}

/** A lot or commitment whose allocated_g disagrees with what its ACTIVE lines (and fulfilments) hold, or exceeds its capacity. */
export interface InvariantViolation {
  kind: 'lot' | 'commitment';
  id: number;
  capacityG: number;
  allocatedG: number;
  activeG: number;
}

/** The allocation invariant failed after writing (a bug or a writer that bypassed the locks); rolled back. */
export class AllocationInvariantError extends Error {
  constructor(readonly violations: InvariantViolation[]) {
    super(
      `allocation invariant violated on ${violations
        .slice(0, 5)
        .map((v) => `${v.kind} ${v.id} (allocated ${v.allocatedG} g, active ${v.activeG} g, capacity ${v.capacityG} g)`)
        .join(', ')}`,
    );
    this.name = 'AllocationInvariantError';
  }
}
