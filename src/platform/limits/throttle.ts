import { AppError } from '../errors.js';
import type { CounterStore } from './stores.js';

/** Too many failed attempts for this account or address: slowed down, retry after the window. */
export class TooManyAttemptsError extends AppError {
  readonly code = 'TOO_MANY_ATTEMPTS';
  readonly retryable = true;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed attempts; retry in ${retryAfterSeconds} s`);
    this.name = 'TooManyAttemptsError';
  }
}

export interface ThrottleLimits {
  maxPerAccount: number;
  maxPerIp: number;
  windowSeconds: number;
}

/**
 * Brute-force slowing for login and the token endpoint: failures are counted per account and per
 * IP in a window; once either reaches its limit, attempts are refused before any password is
 * hashed, until the window ends. A success clears the account's count.
 */
export class FailureThrottle {
  constructor(private readonly store: CounterStore, private readonly limits: ThrottleLimits, private readonly name: string) {}

  private keys(account: string, ip: string) {
    return { account: `${this.name}:a:${account.toLowerCase()}`, ip: `${this.name}:ip:${ip}` };
  }

  /** Throws TooManyAttemptsError when the account or the IP is over its limit. */
  async check(account: string, ip: string): Promise<void> {
    const k = this.keys(account, ip);
    const [a, i] = await Promise.all([this.store.get(k.account), this.store.get(k.ip)]);
    const blocked = [
      a.count >= this.limits.maxPerAccount ? a.resetMs : 0,
      i.count >= this.limits.maxPerIp ? i.resetMs : 0,
    ];
    const wait = Math.max(...blocked);
    if (wait > 0) throw new TooManyAttemptsError(Math.max(1, Math.ceil(wait / 1000)));
  }

  async failed(account: string, ip: string): Promise<void> {
    const k = this.keys(account, ip);
    const windowMs = this.limits.windowSeconds * 1000;
    await Promise.all([this.store.increment(k.account, windowMs), this.store.increment(k.ip, windowMs)]);
  }

  async succeeded(account: string, ip: string): Promise<void> {
    await this.store.reset(this.keys(account, ip).account);
  }
}
