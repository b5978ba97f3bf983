/**
 * An approved assessment for tests of settlement and its rules: every field an engine
 * decision has, defaults of an approved CNY claim of account `acme`, and `over` on top.
 */
import type { ApprovedAssessment } from '../../src/domain/assess/approved.ts';
import { blankAssessment } from '../../src/domain/assess/engine.ts';
import type { Assessment } from '../../src/domain/assess/types.ts';

/** Any assessment: the approved defaults with `over` on top (nulls included). */
export function assessmentWith(over: Partial<Assessment> = {}): Assessment {
  return {
    ...blankAssessment('Asia/Shanghai', null),
    type: 'compensation',
    decision: 'approved',
    account: 'acme',
    amount: '0.00',
    currency: 'CNY',
    ...over,
  };
}

/** The approved defaults with `over` on top, typed as settlement takes them. */
export function approvedAssessment(over: Partial<ApprovedAssessment> = {}): ApprovedAssessment {
  return assessmentWith(over) as ApprovedAssessment;
}
