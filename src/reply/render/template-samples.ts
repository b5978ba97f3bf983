/**
 * Realistic sample replies every template is rendered against at start-up. Between them
 * they take every branch a template has (a name and none, a receipt and none, deductions,
 * notes, items), because a variable misspelt inside an `{{#if}}` only shows when that
 * branch runs. Built from assessments like the engine's, through `buildReplyData`, so the
 * samples have exactly the shape real replies have.
 */
import { blankAssessment } from '../../domain/assess/engine.ts';
import type { Assessment } from '../../domain/assess/types.ts';
import { emptyEmail, type ParsedEmail } from '../../domain/email.ts';
import { formatInstant } from '../../domain/time.ts';
import type { ReplyLang } from './language.ts';
import { buildReplyData, type ReplyData } from './reply-data.ts';

export const SAMPLE_CLAIM_REF = 'CLM-000123';
const RECEIVED = Date.parse('2026-03-04T01:00:00Z');

type SampleAssessment = Partial<Omit<Assessment, 'details'>> & {
  details?: Partial<Assessment['details']>;
};

function assessment(partial: SampleAssessment): Assessment {
  const blank = blankAssessment('Asia/Shanghai', null);
  return {
    ...blank,
    type: 'compensation',
    decision: 'approved',
    account: 'demo-shop',
    ...partial,
    details: { ...blank.details, ...partial.details },
  };
}

const SUBJECTS: Record<Assessment['type'], string> = {
  compensation:
    'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:15; Occurrences: 2',
  refund: 'Refund request - Account: demo-shop; Orders: ORD-1001, ORD-1002',
  icp_reward: 'ICP reward application - Account: demo-shop',
  complaint: 'Complaint about repeated outages',
  inquiry: 'Question about invoices',
  unknown: 'Hello',
};

/** A named sender with a subject, or the barest mail: no name, no address, no subject. */
function email(named: boolean, type: Assessment['type']): ParsedEmail {
  return {
    ...emptyEmail(null),
    from: named ? 'it@demo-shop.test' : null,
    fromName: named ? 'Li Wei' : null,
    to: ['claims@cloud.example'],
    subject: named ? SUBJECTS[type] : '',
    messageId: 'sample@demo-shop.test',
  };
}

const ASSESSMENTS: { named: boolean; a: Assessment; receipt?: string }[] = [
  {
    named: true,
    a: assessment({
      amount: '250.00',
      currency: 'CNY',
      incidents: ['INC-2026-031', 'INC-2026-044'],
      reasons: ['already_compensated'],
      details: {
        compensation: [
          line('ecs-s1', '48.00', '2026-02-20T09:00:00+08:00', 1800, ['INC-2026-031']),
          line('ecs-s1', '48.00', '2026-03-02T10:00:00+08:00', 1800, ['INC-2026-044']),
          line('evs-d1', '12.00', '2026-03-02T10:00:00+08:00', 1800, ['INC-2026-044']),
        ],
        perItem: { 'INC-2026-012': ['already_compensated'] },
      },
    }),
  },
  {
    named: false,
    a: assessment({
      amount: '200.00',
      currency: 'CNY',
      details: {
        compensation: [line('ecs-s1', '48.00', '2026-03-02T10:00:00+08:00', 3600, ['INC-9'])],
      },
    }),
  },
  {
    named: true,
    receipt: 'RF-20260304-000123',
    a: assessment({
      type: 'refund',
      amount: '500.00',
      currency: 'CNY',
      orders: ['ORD-1001', 'ORD-1002'],
      reasons: ['reward_deducted'],
      details: {
        refund: [
          { order: 'ORD-1001', amount: '300.00', deduction: '100.00' },
          { order: 'ORD-1002', amount: '300.00', deduction: '0' },
        ],
      },
    }),
  },
  {
    named: false,
    a: assessment({
      type: 'refund',
      amount: '300.00',
      currency: 'CNY',
      details: {
        refund: [{ order: 'ORD-1003', amount: '300.00', deduction: '0' }],
      },
    }),
  },
  { named: true, a: assessment({ type: 'icp_reward', amount: '200.00', currency: 'CNY' }) },
  { named: false, a: assessment({ type: 'icp_reward', amount: '100.00', currency: 'CNY' }) },
  {
    named: true,
    a: assessment({
      type: 'refund',
      decision: 'rejected',
      reasons: ['not_refundable_billing', 'refund_window_expired'],
      details: {
        perItem: { 'ORD-2001': ['not_refundable_billing'], 'ORD-2002': ['refund_window_expired'] },
      },
    }),
  },
  {
    named: false,
    a: assessment({ decision: 'rejected', reasons: ['late_claim'] }),
  },
  {
    named: true,
    a: assessment({
      decision: 'needs_info',
      account: null,
      reasons: ['missing_account', 'missing_fault_time', 'missing_occurrences'],
    }),
  },
  {
    named: false,
    a: assessment({ type: 'refund', decision: 'needs_info', reasons: ['missing_order'] }),
  },
  { named: true, a: assessment({ decision: 'review', reasons: ['count_mismatch'] }) },
  { named: false, a: assessment({ type: 'unknown', decision: 'review', account: null }) },
  { named: true, a: assessment({ type: 'complaint', decision: 'review', account: null }) },
  { named: false, a: assessment({ type: 'complaint', decision: 'review', account: null }) },
];

function line(resource: string, dailyFee: string, from: string, seconds: number, ids: string[]) {
  const to = formatInstant(Date.parse(from) + seconds * 1000, 'Asia/Shanghai');
  return { resource, dailyFee, from, to, faultSeconds: seconds, multiplier: 100, incidents: ids };
}

/** Every sample reply in one language; each kind appears at least twice. */
export function sampleReplies(lang: ReplyLang): ReplyData[] {
  return ASSESSMENTS.map(({ named, a, receipt }) =>
    buildReplyData({
      claimRef: SAMPLE_CLAIM_REF,
      assessment: a,
      email: email(named, a.type),
      lang,
      receivedAt: RECEIVED,
      ...(receipt === undefined ? {} : { receipt }),
      // The unnamed samples also stand for replies to non-contacts: nothing of theirs repeated.
      contact: named,
    }),
  );
}
