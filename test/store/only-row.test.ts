import { describe, expect, it } from 'vitest';
import { onlyRow } from '../../src/store/only-row.ts';

describe('the row of a statement that returns one', () => {
  it('is the first row', () => {
    expect(onlyRow([{ id: '7' }])).toEqual({ id: '7' });
  });

  it('is a clear error when the statement returned none, not an undefined read later', () => {
    expect(() => onlyRow([])).toThrow('a statement that returns one row returned none');
  });
});
