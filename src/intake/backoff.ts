/**
 * Capped exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): many pollers that failed together do not retry together.
 * The attempt count resets only after a run has stayed healthy for `stableAfterMs`,
 * so a connection that flaps right after connecting still backs off.
 */
export interface BackoffOptions {
  /** @defaultValue 500 */
  baseMs: number;
  /** @defaultValue 60000 */
  capMs: number;
  /** @defaultValue 60000 */
  stableAfterMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly options: Required<BackoffOptions>;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.options = {
      baseMs: 500,
      capMs: 60_000,
      stableAfterMs: 60_000,
      random: Math.random,
      ...options,
    };
    if (this.options.baseMs <= 0 || this.options.capMs < this.options.baseMs) {
      throw new RangeError('backoff needs 0 < baseMs ≤ capMs');
    }
  }

  /** The delay before the next try, after a failure of a run that lasted `ranForMs`. */
  next(ranForMs = 0): number {
    if (ranForMs >= this.options.stableAfterMs) this.attempt = 0;
    const ceiling = Math.min(
      this.options.capMs,
      this.options.baseMs * 2 ** Math.min(this.attempt, 30),
    );
    this.attempt++;
    return Math.floor(this.options.random() * ceiling);
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** Resolves after `ms`, or at once when the signal aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
