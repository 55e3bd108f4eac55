import { AppError } from '../../platform/errors.js';
import { decimal } from '../../platform/format.js';

const rp = (idr: string) => `Rp ${decimal(idr, 'id')}`;

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

  override indonesian(): string {
    return `Premi (${rp(this.premiums)}) melebihi dana bersih (${rp(this.net)} = diterima ${rp(this.received)} − biaya merek ${rp(this.brandFee)} − biaya lain ${rp(this.costs)}); ` +
      'catat sisa pembayaran atau tinjau aturan premi sebelum penyelesaian. Tidak ada yang disimpan.';
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

  override indonesian(): string {
    return `Biaya yang dicatat sejak penyelesaian terakhir (${rp(this.newCosts)}) melebihi sisa pembayaran baru setelah biaya (diterima ${rp(this.newReceived)}); ` +
      'slip yang sudah terbit tidak pernah dikurangi: catat pembayaran berikutnya terlebih dahulu. Tidak ada yang disimpan.';
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
