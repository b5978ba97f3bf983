import { describe, expect, it } from 'vitest';
import { isApprovedAssessment } from '../../../src/domain/assess/approved.ts';
import type { Assessment } from '../../../src/domain/assess/types.ts';
import { assessmentWith } from '../../support/assessments.ts';

const assessment = (over: Partial<Assessment>) =>
  assessmentWith({ type: 'refund', amount: '249.00', orders: ['ORD-1'], ...over });

describe('an approved assessment, as settlement pays it', () => {
  it('is approved with an account, an amount and a currency', () => {
    expect(isApprovedAssessment(assessment({}))).toBe(true);
  });

  it.each([
    ['rejected', { decision: 'rejected' }],
    ['needs_info', { decision: 'needs_info' }],
    ['review', { decision: 'review' }],
    ['ignored', { decision: 'ignored' }],
    ['approved without an account', { account: null }],
    ['approved without an amount', { amount: null }],
    ['approved without a currency', { currency: null }],
  ] as [string, Partial<Assessment>][])('is not an assessment %s', (_, over) => {
    expect(isApprovedAssessment(assessment(over))).toBe(false);
  });

  it('is not one whose stored JSON lacks a field altogether', () => {
    const { currency: _, ...stored } = assessment({});
    expect(isApprovedAssessment(stored as Assessment)).toBe(false);
  });

  it('keeps what else the assessment carries (an agent’s decision) when narrowed', () => {
    const a = { ...assessment({}), agent: { actor: 'agent:ann@cloud.example' } };
    if (!isApprovedAssessment(a)) throw new Error('expected an approval');
    expect(a.agent.actor).toBe('agent:ann@cloud.example');
    expect(a.amount.length).toBeGreaterThan(0);
  });
});
