import { AppError } from '../../platform/errors.js';

/** The net left after fees and costs does not cover the premiums: an error, never a negative base rate. */
export class PremiumsExceedNetError extends AppError {
  readonly code = 'PREMIUMS_EXCEED_NET';
  constructor(
    /** Figures in IDR, decimal text with 2 decimals (sen). */
    readonly received: string,
    readonly brandFee: string,
    readonly costs: string,
    readonly net: string,
    readonly premiums: string,
  ) {
    super(
      `The premiums (IDR ${premiums}) exceed the net (IDR ${net} = received IDR ${received} − brand fee IDR ${brandFee} − costs IDR ${costs}); ` +
        'record the rest of the payment or review the premium rules before settling',
    );
    this.name = 'PremiumsExceedNetError';
  }
}

/** There is nothing new to settle: no payment received since the last settlement run. */
export class NothingToSettleError extends AppError {
  readonly code = 'NOTHING_TO_SETTLE';
  constructor(message: string) {
    super(message);
    this.name = 'NothingToSettleError';
  }
}

/**
 * Costs recorded since the last run take more than the new money brings: settling would take back
 * part of what earlier statements paid out. Nothing was written.
 */
export class SettlementWouldReduceError extends AppError {
  readonly code = 'SETTLEMENT_WOULD_REDUCE';
  constructor(readonly newReceived: string, readonly newCosts: string) {
    super(
      `The costs recorded since the last settlement (IDR ${newCosts}) take more than the new payments leave after fees ` +
        `(received IDR ${newReceived}); earlier statements are never reduced: record the further payment first`,
    );
    this.name = 'SettlementWouldReduceError';
  }
}

/** A figure the settlement needs is missing (an exchange rate, an invoice, a snapshot). */
export class SettlementNotReadyError extends AppError {
  readonly code = 'SETTLEMENT_NOT_READY';
  constructor(message: string, readonly path: string | null = null) {
    super(message);
    this.name = 'SettlementNotReadyError';
  }
}
