/**
 * Groups messages into intake batches bounded by count and by bytes, in arrival order, so
 * a mailbox of large messages is never downloaded (or read from disk) a count's worth at a
 * time: 200 messages of 20 MiB would be 4 GiB in memory at once.
 */

export interface BatchLimits {
  /** Messages per batch at most. */
  count: number;
  /** Bytes per batch at most; a single message larger than this makes a batch of its own. */
  bytes: number;
}

/**
 * Consecutive groups of `items`, each at most `limits.count` items and at most `limits.bytes`
 * by `sizeOf`, except that an item larger than `limits.bytes` alone forms a group (it must be
 * stored some time; it is then the only one held). Items of size 0 (a message too large to
 * download, quarantined by its metadata) cost nothing.
 */
export function byteBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: BatchLimits,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Math.max(0, sizeOf(item));
    if (current.length > 0 && (current.length >= limits.count || bytes + size > limits.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
