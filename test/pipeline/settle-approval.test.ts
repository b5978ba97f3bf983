import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/domain/assess/types.ts';
import { SettleError } from '../../src/domain/settle/entries.ts';
import { settleLocked } from '../../src/pipeline/settle.ts';
import { failureKind } from '../../src/pipeline/stage-failures.ts';
import { assessmentWith } from '../support/assessments.ts';

/** A connection that must not be used: nothing is written for a claim that cannot be paid. */
const untouched = {
  query: () => {
    throw new Error('no query expected');
  },
} as unknown as pg.PoolClient;

const approved = (over: Partial<Assessment>) =>
  assessmentWith({ type: 'icp_reward', amount: '200.00', ...over });

const claim = (assessment: Assessment) => ({
  state: 'assessed' as const,
  decision: 'approved',
  assessment,
  receivedAt: new Date('2026-03-04T01:00:00Z'),
});

describe('settling an approval', () => {
  it.each([
    ['an account', { account: null }],
    ['an amount', { amount: null }],
    ['a currency', { currency: null }],
  ] as [string, Partial<Assessment>][])(
    'without %s pays nothing and fails permanently (an agent decides)',
    async (_, over) => {
      const error = await settleLocked(untouched, 7, claim(approved(over))).catch((e) => e);
      expect(error).toBeInstanceOf(SettleError);
      expect(failureKind(error)).toBe('permanent');
    },
  );

  it('of a type that pays nothing settles nothing, whatever it lacks', async () => {
    const a = approved({ type: 'inquiry', amount: null, currency: null });
    expect(await settleLocked(untouched, 7, claim(a))).toEqual({
      settled: false,
      entries: 0,
      skipped: [],
    });
  });
});
