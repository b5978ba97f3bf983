import { describe, expect, it } from 'vitest';
import { zip } from '../../src/domain/zip.ts';

describe('zip pairs two lists of one length item by item', () => {
  it('pairs in order', () => {
    expect(zip(['a', 'b'], [1n, 2n])).toEqual([
      ['a', 1n],
      ['b', 2n],
    ]);
  });

  it('pairs nothing with nothing', () => {
    expect(zip([], [])).toEqual([]);
  });

  it.each([
    ['shorter', ['a', 'b'], [1n], /shorter/],
    ['longer', ['a'], [1n, 2n], /longer/],
  ])(
    'throws when the second list is %s instead of pairing an item with nothing',
    (_, as, bs, message) => {
      expect(() => zip(as, bs)).toThrow(message);
    },
  );
});
