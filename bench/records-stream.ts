/**
 * The streaming pieces of the records generator: a file writer that never holds more than
 * a megabyte, counts per account that add up to a given total, and a fixed-size random
 * sample of a stream.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { Random } from './records-shape.ts';

const FLUSH_CHARS = 1 << 20;

/** One records file, written record by record: JSON Lines, or one JSON array. */
export class RecordWriter {
  readonly file: string;
  count = 0;
  private readonly fd: number;
  private pending: string[] = [];
  private size = 0;

  constructor(
    path: string,
    private readonly format: 'jsonl' | 'json',
  ) {
    this.file = basename(path);
    this.fd = openSync(path, 'w');
    if (format === 'json') this.push('[');
  }

  write(record: object): void {
    const json = JSON.stringify(record);
    if (this.format === 'jsonl') this.push(`${json}\n`);
    else this.push(`${this.count === 0 ? '\n' : ',\n'}${json}`);
    this.count++;
  }

  close(): void {
    if (this.format === 'json') this.push('\n]\n');
    this.flush();
    closeSync(this.fd);
  }

  private push(text: string): void {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length > 0) writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
}

/**
 * Counts for `parts` accounts in turn that add up to exactly `total`: exponentially spread
 * around the running mean (many small, a few large; 0 or 1 when the mean is one or less),
 * the last account taking what is left.
 */
export class Spread {
  private left: number;
  private parts: number;

  constructor(
    total: number,
    parts: number,
    private readonly random: Random,
  ) {
    this.left = total;
    this.parts = parts;
  }

  /** The next account's count; `fixed` instead of a draw (a whale's share). */
  next(fixed?: number): number {
    if (this.parts <= 0) return 0;
    const mean = this.left / this.parts;
    let n: number;
    if (fixed !== undefined) n = fixed;
    else if (this.parts === 1) n = this.left;
    else if (mean <= 1) n = this.random() < mean ? 1 : 0;
    else n = Math.round(-mean * Math.log(1 - this.random()));
    n = Math.min(n, this.left);
    this.parts--;
    this.left -= n;
    return n;
  }

  /** What an account could not use, left for the ones after it. */
  giveBack(n: number): void {
    this.left += n;
  }
}

/** A uniform random sample of `size` items of a stream (Algorithm R). */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;

  constructor(
    private readonly size: number,
    private readonly random: Random,
  ) {}

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.size) this.items.push(item);
    else {
      const at = Math.floor(this.random() * this.seen);
      if (at < this.size) this.items[at] = item;
    }
  }
}
