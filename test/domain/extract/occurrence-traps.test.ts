import { describe, expect, it } from 'vitest';
import { findOccurrences } from '../../../src/domain/extract/occurrences.ts';

describe('a count in Chinese followed by 赔偿 is still a count', () => {
  it.each([
    ['故障2次赔偿', 2],
    ['2次赔偿申请', 2],
    ['两次补偿', 2],
  ])('%s → %i', (text, n) => {
    expect(findOccurrences(text)).toBe(n);
  });
});

describe('a number that multiplies compensation is not a count', () => {
  it.each([
    'compensation of 100 times',
    'we expect 100 times the daily fee',
    'please compensate by 100 times',
    '100 times SLA compensation',
  ])('%s', (text) => {
    expect(findOccurrences(text)).toBeNull();
  });

  it('the count after the multiplier is still found', () => {
    expect(findOccurrences('100 times compensation for 2 occurrences')).toBe(2);
  });
});

describe('"once" in idioms is not a count', () => {
  it.each(['once again the server failed', 'please fix this at once', 'once more'])(
    '%s',
    (text) => {
      expect(findOccurrences(text)).toBeNull();
    },
  );

  it('"it happened once" is', () => {
    expect(findOccurrences('it happened once')).toBe(1);
  });
});

describe('"1 time" is a count', () => {
  it('reads the singular', () => {
    expect(findOccurrences('Fault: 1 time')).toBe(1);
  });
});

describe('a labelled count is a count whatever the next line says', () => {
  it('Occurrences: 1, then "Compensation …" on the next line', () => {
    expect(findOccurrences('Occurrences: 1\nCompensation please')).toBe(1);
    expect(findOccurrences('Occurrences: 1; Compensation please')).toBe(1);
  });

  it('"2 times" at a line end is not read with the next line', () => {
    expect(findOccurrences('it failed 2 times\ncompensation please')).toBe(2);
  });
});

describe('the digits of a zone offset before a count label are not a count', () => {
  it.each([
    ['2026-11-20 10:15+0800 occurrences: 1', 1],
    ['2026-11-20 10:15 +0800 Occurrences: 2', 2],
    ['10:15 GMT+8 occurrences 2', 2],
    ['10:15 UTC+8 times: 3', 3],
    ['10:15 UTC−5 occurrences: 1', 1],
  ])('%s → %i', (text, n) => {
    expect(findOccurrences(text)).toBe(n);
  });
});
