import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from '../../src/intake/backoff.ts';
import { uidRanges } from '../../src/intake/uid-ranges.ts';

describe('capped exponential backoff with full jitter', () => {
  it('doubles the ceiling each failure up to the cap', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it('jitters across the whole range', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect(b.next()).toBe(0);
  });

  it('resets only after a run that stayed up long enough', () => {
    const b = new Backoff({
      baseMs: 100,
      capMs: 10_000,
      stableAfterMs: 5000,
      random: () => 0.999999,
    });
    b.next();
    b.next();
    expect(b.next(4999)).toBe(399);
    expect(b.next(5000)).toBe(99);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ baseMs: 100, capMs: 10 })).toThrow(RangeError);
  });

  it('sleep ends at once when aborted', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});

describe('UID sets', () => {
  it('compresses runs and keeps singles', () => {
    expect(uidRanges([5, 1, 2, 3, 7, 8, 8])).toBe('1:3,5,7:8');
    expect(uidRanges([42])).toBe('42');
    expect(uidRanges([])).toBe('');
  });
});
