import { AppError } from '../errors.js';

/**
 * A retryable refusal: the service is at a capacity bound (concurrent password hashing, …).
 * Nothing was done; retry after `retryAfterSeconds` with backoff and jitter.
 */
export class ServiceBusyError extends AppError {
  readonly code = 'SERVICE_BUSY';
  readonly retryable = true;
  constructor(readonly retryAfterSeconds: number, message = 'The service is busy; nothing was done, retry shortly') {
    super(message);
    this.name = 'ServiceBusyError';
  }
}

/**
 * At most `concurrency` tasks at once and at most `queue` waiting, in arrival order; the rest are
 * refused at once (ServiceBusyError, or what `refuse` makes) instead of piling up (each scrypt hash
 * holds 32 MiB while it runs; each acceptance holds a connection and, briefly, supply row locks).
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Highest number of tasks running at once since creation (tests and benchmarks read it). */
  peak = 0;

  constructor(
    private concurrency: number,
    private queue: number,
    private readonly refuse: () => Error = () => new ServiceBusyError(1),
  ) {}

  configure(concurrency: number, queue: number): void {
    this.concurrency = concurrency;
    this.queue = queue;
  }

  get active(): number {
    return this.running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw this.refuse();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    this.peak = Math.max(this.peak, this.running);
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `running` never exceeds the bound.
      if (next) next();
      else this.running -= 1;
    }
  }
}
