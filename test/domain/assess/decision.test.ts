import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../../src/domain/assess/types.ts';
import { REASON_CODES } from '../../../src/domain/reasons.ts';
import { baseRecords, contextOf, incident, type RawRecords, run } from '../../support/builders.ts';

const RECEIVED = '2026-03-04T09:00:00+08:00';
/** After the deadline of INC-1 (the end of 2026-03-11, 7 working days after 2026-03-02). */
const LATE = '2026-03-12T09:00:00+08:00';
const STRANGER = 'someone@elsewhere.test';

/**
 * demo-shop with: INC-1, a one-hour platform outage on its ECS host (200.00 at 48.00/day
 * × 100); a refundable order ORD-1 (300.00) and an on-demand one ORD-2; a first-time
 * ICP filing approved in 5 days.
 */
function records(): Required<RawRecords> {
  return {
    ...baseRecords(),
    incidents: [incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00')],
    orders: [
      {
        id: 'ORD-1',
        account: 'demo-shop',
        product: 'ECS',
        billing: 'monthly',
        amount: '300.00',
        purchased_at: '2026-03-02T09:00:00+08:00',
        status: 'paid',
      },
      {
        id: 'ORD-2',
        account: 'demo-shop',
        product: 'ECS',
        billing: 'on_demand',
        amount: '12.00',
        purchased_at: '2026-03-02T09:00:00+08:00',
        status: 'paid',
      },
    ],
    icpFilings: [
      {
        account: 'demo-shop',
        submitted_at: '2026-02-20T10:00:00+08:00',
        approved_at: '2026-02-25T10:00:00+08:00',
        first_time: true,
        status: 'approved',
      },
    ],
  };
}

const COMPENSATION =
  'Compensation claim, account demo-shop, fault 2026-03-02 14:05, occurrences: 1';
const REFUND = 'Refund request, account demo-shop, order ORD-1';
const ICP = 'ICP reward, account demo-shop';
const COMPLAINT = 'Complaint about support, account demo-shop';
const INQUIRY = 'Question about billing, account demo-shop';

function assess(
  subject: string,
  options: {
    from?: string | null;
    text?: string;
    received?: string;
    authenticated?: boolean;
    headers?: Parameters<typeof run>[1]['headers'];
    raw?: RawRecords;
  } = {},
): Assessment {
  const email: Parameters<typeof run>[1] = { subject, text: options.text ?? '' };
  if (options.from !== undefined) email.from = options.from;
  if (options.headers) email.headers = options.headers;
  return run(
    contextOf(options.raw ?? records()),
    email,
    options.received ?? RECEIVED,
    options.authenticated,
  );
}

function summary(a: Assessment) {
  return {
    type: a.type,
    decision: a.decision,
    reasons: a.reasons,
    amount: a.amount,
    orders: a.orders,
    incidents: a.incidents,
  };
}

describe('the baseline: every rule passes', () => {
  it('approves a compensation claim that meets every rule', () => {
    expect(summary(assess(COMPENSATION))).toEqual({
      type: 'compensation',
      decision: 'approved',
      reasons: [],
      amount: '200.00',
      orders: [],
      incidents: ['INC-1'],
    });
  });

  it('approves a refund that meets every rule', () => {
    expect(summary(assess(REFUND))).toEqual({
      type: 'refund',
      decision: 'approved',
      reasons: [],
      amount: '300.00',
      orders: ['ORD-1'],
      incidents: [],
    });
  });

  it('approves an ICP reward that meets every rule', () => {
    expect(summary(assess(ICP))).toEqual({
      type: 'icp_reward',
      decision: 'approved',
      reasons: [],
      amount: '100.00',
      orders: [],
      incidents: [],
    });
  });
});

describe('1. auto-generated mail is ignored, before anything else', () => {
  it('ignores an auto-reply however complete a claim it holds, with auto_generated only', () => {
    const a = assess(COMPENSATION, { headers: { autoSubmitted: 'auto-replied' } });
    expect(summary(a)).toEqual({
      type: 'unknown',
      decision: 'ignored',
      reasons: ['auto_generated'],
      amount: null,
      orders: [],
      incidents: [],
    });
    expect(a.account).toBeNull();
    expect(a.currency).toBeNull();
  });

  it('ignores auto-generated mail that also lacks fields, comes from a stranger and is unauthenticated', () => {
    const a = assess('Compensation please', {
      from: 'mailer-daemon@relay.test',
      authenticated: false,
      headers: { contentType: 'multipart/report', returnPath: '<>' },
    });
    expect(summary(a)).toEqual({
      type: 'unknown',
      decision: 'ignored',
      reasons: ['auto_generated'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('ignores an auto-generated refund that would be rejected', () => {
    const a = assess('Refund, account demo-shop, order ORD-2', { headers: { precedence: 'bulk' } });
    expect(a.decision).toBe('ignored');
    expect(a.reasons).toEqual(['auto_generated']);
  });
});

describe('2. missing required fields ask for exactly what is missing', () => {
  it('reports only the missing_* reasons, not the stranger sender nor the failed authentication', () => {
    const a = assess('Compensation claim, account demo-shop', {
      from: STRANGER,
      authenticated: false,
    });
    expect(summary(a)).toEqual({
      type: 'compensation',
      decision: 'needs_info',
      reasons: ['missing_fault_time', 'missing_occurrences'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('reports the missing fields before an unknown account', () => {
    const a = assess('Compensation claim, account: ghost-1, 2026-03-02 14:05');
    expect(a.decision).toBe('needs_info');
    expect(a.reasons).toEqual(['missing_occurrences']);
  });

  it('reports every missing field of a compensation claim', () => {
    const a = assess('Compensation claim');
    expect(a.decision).toBe('needs_info');
    expect(a.reasons).toEqual(['missing_account', 'missing_fault_time', 'missing_occurrences']);
  });

  it('asks for a missing order before rejecting a refund for its late arrival', () => {
    const a = assess('Refund request, account demo-shop', { received: LATE });
    expect(a.decision).toBe('needs_info');
    expect(a.reasons).toEqual(['missing_order']);
  });
});

describe('an unknown account is rejected with account_unknown only', () => {
  it.each([
    [
      'compensation',
      'Compensation claim, account: ghost-1, fault 2026-03-02 14:05, occurrences: 1',
    ],
    ['refund', 'Refund request, account: ghost-1, order ORD-2'],
    ['icp_reward', 'ICP reward, account: ghost-1'],
  ])('rejects a %s claim for an unknown account with account_unknown alone', (type, subject) => {
    const a = assess(subject, { from: STRANGER, authenticated: false });
    expect(summary(a)).toEqual({
      type,
      decision: 'rejected',
      reasons: ['account_unknown'],
      amount: null,
      orders: [],
      incidents: [],
    });
    expect(a.account).toBe('ghost-1');
  });
});

describe('3. a known account’s mail from a stranger goes to review, for every claim type', () => {
  it('sends a stranger’s compensation claim to review, with the computed amount for the agent', () => {
    expect(summary(assess(COMPENSATION, { from: STRANGER }))).toEqual({
      type: 'compensation',
      decision: 'review',
      reasons: ['sender_not_account_contact'],
      amount: '200.00',
      orders: [],
      incidents: ['INC-1'],
    });
  });

  it('sends a stranger’s refund to review', () => {
    expect(summary(assess(REFUND, { from: STRANGER }))).toEqual({
      type: 'refund',
      decision: 'review',
      reasons: ['sender_not_account_contact'],
      amount: '300.00',
      orders: ['ORD-1'],
      incidents: [],
    });
  });

  it('sends a stranger’s ICP reward claim to review', () => {
    expect(summary(assess(ICP, { from: STRANGER }))).toEqual({
      type: 'icp_reward',
      decision: 'review',
      reasons: ['sender_not_account_contact'],
      amount: '100.00',
      orders: [],
      incidents: [],
    });
  });

  it('sends a stranger’s complaint to review with both reasons', () => {
    expect(summary(assess(COMPLAINT, { from: STRANGER }))).toEqual({
      type: 'complaint',
      decision: 'review',
      reasons: ['complaint', 'sender_not_account_contact'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('sends a stranger’s inquiry to review with both reasons', () => {
    const a = assess(INQUIRY, { from: STRANGER });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['inquiry', 'sender_not_account_contact']);
  });

  it('treats mail without a usable From address as a stranger’s', () => {
    const a = assess(COMPENSATION, { from: null });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['sender_not_account_contact']);
  });

  it('sends a stranger’s claim that would be rejected to review, never rejecting it to the stranger', () => {
    const a = assess(COMPENSATION, { from: STRANGER, received: LATE });
    // A rejecting reason leaves nothing owed: no amount for the agent (DESIGN v1.1).
    expect(summary(a)).toEqual({
      type: 'compensation',
      decision: 'review',
      reasons: ['sender_not_account_contact', 'late_claim'],
      amount: null,
      orders: [],
      incidents: ['INC-1'],
    });
  });

  it('sends a stranger’s ICP claim that fails every condition to review', () => {
    const raw = records();
    raw.icpFilings = [];
    const a = assess(ICP, { from: STRANGER, raw });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['sender_not_account_contact', 'filing_not_found']);
    // Nothing is owed when a rejecting reason applies, even in review (DESIGN v1.1).
    expect(a.amount).toBeNull();
  });

  it('matches the contact address whatever its case in the records', () => {
    const raw = records();
    raw.accounts = [{ ...raw.accounts[0], emails: ['IT@Demo-Shop.test'] }];
    expect(assess(COMPENSATION, { raw }).decision).toBe('approved');
  });
});

describe('4. any rejecting reason rejects, even next to reasons needing review', () => {
  it('rejects a late claim whose fault time is only in the body', () => {
    const a = assess('Compensation claim, account demo-shop, occurrences: 1', {
      text: 'The server was down at 2026-03-02 14:05.',
      received: LATE,
    });
    expect(summary(a)).toEqual({
      type: 'compensation',
      decision: 'rejected',
      reasons: ['fields_outside_subject', 'late_claim'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('rejects a refund over the order limit from an unauthenticated sender', () => {
    const raw = records();
    const a = assess('Refund request, account demo-shop, orders ORD-1, X-2, X-3, X-4', {
      raw,
      authenticated: false,
    });
    expect(summary(a)).toEqual({
      type: 'refund',
      decision: 'rejected',
      reasons: ['sender_unauthenticated', 'too_many_orders', 'order_unknown'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('rejects a claim whose count also differs from the records', () => {
    const a = assess(
      'Compensation claim, account demo-shop, fault 2026-03-02 14:05, occurrences: 3',
      {
        received: LATE,
      },
    );
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['late_claim', 'count_mismatch']);
  });
});

describe('5. reasons needing review send the claim to an agent', () => {
  it('sends a complaint to review with complaint', () => {
    expect(summary(assess(COMPLAINT))).toEqual({
      type: 'complaint',
      decision: 'review',
      reasons: ['complaint'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('sends an inquiry to review with inquiry', () => {
    expect(summary(assess(INQUIRY))).toEqual({
      type: 'inquiry',
      decision: 'review',
      reasons: ['inquiry'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('sends mail of no known type to review with unclassified', () => {
    expect(summary(assess('Hello there', { text: 'Just saying hi.' }))).toEqual({
      type: 'unknown',
      decision: 'review',
      reasons: ['unclassified'],
      amount: null,
      orders: [],
      incidents: [],
    });
  });

  it('sends a complaint without any account to review with complaint only', () => {
    const a = assess('投诉：客服响应太慢');
    expect(a.type).toBe('complaint');
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['complaint']);
    expect(a.account).toBeNull();
  });

  it('adds sender_unauthenticated for a sender that failed authentication and sends the claim to review', () => {
    expect(summary(assess(COMPENSATION, { authenticated: false }))).toEqual({
      type: 'compensation',
      decision: 'review',
      reasons: ['sender_unauthenticated'],
      amount: '200.00',
      orders: [],
      incidents: ['INC-1'],
    });
  });

  it('adds sender_unauthenticated to a refund and an ICP reward claim too', () => {
    const refund = assess(REFUND, { authenticated: false });
    expect(refund.decision).toBe('review');
    expect(refund.reasons).toEqual(['sender_unauthenticated']);
    expect(refund.orders).toEqual(['ORD-1']);
    const icp = assess(ICP, { authenticated: false });
    expect(icp.decision).toBe('review');
    expect(icp.reasons).toEqual(['sender_unauthenticated']);
  });

  it('adds sender_unauthenticated next to complaint', () => {
    const a = assess(COMPLAINT, { authenticated: false });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual(['complaint', 'sender_unauthenticated']);
  });

  it('approves when the sender is authenticated or its authentication cannot be known', () => {
    expect(assess(COMPENSATION, { authenticated: true }).decision).toBe('approved');
    expect(assess(COMPENSATION).decision).toBe('approved');
  });

  it('sends a claim with fields outside the subject to review', () => {
    const a = assess('Compensation claim, account demo-shop', {
      text: 'Fault at 2026-03-02 14:05, happened once.',
    });
    expect(summary(a)).toEqual({
      type: 'compensation',
      decision: 'review',
      reasons: ['fields_outside_subject'],
      amount: '200.00',
      orders: [],
      incidents: ['INC-1'],
    });
  });
});

describe('reported reasons: no duplicates, in contract order', () => {
  it('reports a per-order reason shared by several orders once', () => {
    const raw = records();
    raw.orders.push({ ...raw.orders[1], id: 'ORD-3' });
    const a = assess('Refund request, account demo-shop, orders ORD-2, ORD-3', { raw });
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['not_refundable_billing']);
    expect(a.details.perItem).toEqual({
      'ORD-2': ['not_refundable_billing'],
      'ORD-3': ['not_refundable_billing'],
    });
  });

  it('reports an excluded cause shared by several incidents once', () => {
    const raw = records();
    raw.incidents = [
      incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00', {
        cause: 'maintenance',
      }),
      incident('INC-2', '2026-03-03T14:00:00+08:00', '2026-03-03T15:00:00+08:00', {
        cause: 'carrier',
      }),
    ];
    const a = assess(
      'Compensation claim, account demo-shop, faults 2026-03-02 14:05 and 2026-03-03 14:05, occurrences: 2',
      { raw },
    );
    expect(a.decision).toBe('rejected');
    expect(a.reasons).toEqual(['excluded_cause']);
  });

  it('orders reasons as the contract lists them, whatever order the rules found them in', () => {
    const raw = records();
    raw.orders.push({ ...raw.orders[0], id: 'ORD-9', status: 'refunded' });
    const a = assess('Refund request, account demo-shop, orders ORD-9, X-1, ORD-2, ORD-1', {
      raw,
      from: STRANGER,
      authenticated: false,
    });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual([
      'sender_not_account_contact',
      'sender_unauthenticated',
      'too_many_orders',
      'order_unknown',
      'not_refundable_billing',
      'already_refunded',
    ]);
    const ranks = a.reasons.map((r) => REASON_CODES.indexOf(r));
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(new Set(a.reasons).size).toBe(a.reasons.length);
  });

  it('orders compensation reasons as the contract lists them', () => {
    const a = assess('Compensation claim, account demo-shop', {
      text: 'Fault at 2026-03-02 14:05, 2 times.',
      from: STRANGER,
      authenticated: false,
      received: LATE,
    });
    expect(a.decision).toBe('review');
    expect(a.reasons).toEqual([
      'sender_not_account_contact',
      'fields_outside_subject',
      'sender_unauthenticated',
      'late_claim',
      'count_mismatch',
    ]);
  });
});
