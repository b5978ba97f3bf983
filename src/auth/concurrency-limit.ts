/**
 * A small semaphore: at most `limit` tasks run at once, at most `maxWaiting` wait in line
 * (first come, first served), and any more are refused at once with ConcurrencyLimitBusy.
 * Used for scrypt, where each running task holds 128 MiB: parallel sign-ins must queue,
 * not multiply the process's memory.
 */
export class ConcurrencyLimitBusy extends Error {
  readonly code = 'busy';
  constructor() {
    super('too much work waiting already');
    this.name = 'ConcurrencyLimitBusy';
  }
}

export interface ConcurrencyLimitOptions {
  /** Tasks running at once. */
  limit: number;
  /** Tasks waiting for a turn; more are refused. @defaultValue Infinity */
  maxWaiting?: number;
}

export class ConcurrencyLimit {
  readonly limit: number;
  readonly maxWaiting: number;
  private running = 0;
  private highest = 0;
  private readonly line: (() => void)[] = [];

  constructor({ limit, maxWaiting = Number.POSITIVE_INFINITY }: ConcurrencyLimitOptions) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('limit must be a whole number ≥ 1');
    if (
      maxWaiting !== Number.POSITIVE_INFINITY &&
      (!Number.isInteger(maxWaiting) || maxWaiting < 0)
    )
      throw new RangeError('maxWaiting must be a whole number ≥ 0');
    this.limit = limit;
    this.maxWaiting = maxWaiting;
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting now. */
  get waiting(): number {
    return this.line.length;
  }

  /** The most tasks that ever ran at once: what the limit actually held. */
  get peak(): number {
    return this.highest;
  }

  /** Runs `task` when a turn is free; rejects with ConcurrencyLimitBusy when the line is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.line.length >= this.maxWaiting) throw new ConcurrencyLimitBusy();
      // The finishing task hands its turn over directly (running stays the same), so a
      // newcomer can never slip in between and overtake the line.
      await new Promise<void>((resolve) => this.line.push(resolve));
    } else {
      this.running++;
    }
    this.highest = Math.max(this.highest, this.running);
    try {
      return await task();
    } finally {
      const next = this.line.shift();
      if (next) next();
      else this.running--;
    }
  }
}
