import { describe, expect, it } from 'vitest';
import type { ApprovedAssessment } from '../../../src/domain/assess/approved.ts';
import type { CompensationLine, RefundLine } from '../../../src/domain/assess/types.ts';
import {
  type AgentEdit,
  compensationEntries,
  icpRewardEntries,
  refundEntries,
  SettleError,
  type SettlingAssessment,
} from '../../../src/domain/settle/entries.ts';
import { approvedAssessment } from '../../support/assessments.ts';

const assessment = approvedAssessment;

/**
 * The engine's assessment with an agent's approval of `amount` on top; `original` is what the
 * engine had computed (its amount unless said otherwise).
 */
function edited(
  a: ApprovedAssessment,
  amount: string,
  original: string | null = a.amount,
): SettlingAssessment {
  const agent: AgentEdit = {
    actor: 'agent:ann@cloud.example',
    note: 'goodwill',
    originalAmount: original,
  };
  return { ...a, amount, agent };
}

/** 48.00 a day, unavailable (×100): 30 minutes is 100.00, 10 minutes 33.333…. */
function line(incident: string, minutes: number): CompensationLine {
  return {
    resource: 'ecs-1',
    dailyFee: '48.00',
    from: '2026-03-02T10:00:00+08:00',
    to: '2026-03-02T10:30:00+08:00',
    faultSeconds: minutes * 60,
    multiplier: 100,
    incidents: [incident],
  };
}

const twoIncidents = (amount: string) =>
  assessment({
    amount,
    incidents: ['INC-1', 'INC-2'],
    details: { ...assessment({}).details, compensation: [line('INC-1', 30), line('INC-2', 10)] },
  });

describe('compensation entries', () => {
  it('pay the computed split when nobody edited the amount', () => {
    const entries = compensationEntries(twoIncidents('133.33'));
    expect(entries.map((e) => [e.incident, e.amount])).toEqual([
      ['INC-1', '100.00'],
      ['INC-2', '33.33'],
    ]);
    expect(entries[0]!.details.agent_adjusted).toBeUndefined();
  });

  it('split an edited total in proportion to the computed shares (3 : 1), adding up exactly', () => {
    const entries = compensationEntries(edited(twoIncidents('133.33'), '100.01'));
    // 100.01 × ¾ = 75.0075 and × ¼ = 25.0025: 75.00 and 25.00, the cent left to the larger remainder.
    expect(entries.map((e) => [e.incident, e.amount])).toEqual([
      ['INC-1', '75.01'],
      ['INC-2', '25.00'],
    ]);
    expect(entries[0]!.details).toMatchObject({
      agent_adjusted: true,
      computed_amount: '100.00',
      computed_total: '133.33',
      edited_total: '100.01',
      edited_by: 'agent:ann@cloud.example',
      edit_note: 'goodwill',
      method: 'bonus_recharge',
    });
    expect(entries[1]!.details.computed_amount).toBe('33.33');
  });

  it('are not marked adjusted when an agent approved the computed amount as it was', () => {
    const entries = compensationEntries(edited(twoIncidents('133.33'), '133.33'));
    expect(entries.map((e) => e.amount)).toEqual(['100.00', '33.33']);
    expect(entries.every((e) => e.details.agent_adjusted === undefined)).toBe(true);
  });

  it('refuse an edited amount with no incident to pay it for (an agent decides again)', () => {
    expect(() => compensationEntries(edited(assessment({}), '50.00', null))).toThrow(SettleError);
  });
});

describe('refund entries', () => {
  const refund = (lines: RefundLine[], amount: string) =>
    assessment({
      type: 'refund',
      amount,
      orders: lines.map((l) => l.order),
      details: { ...assessment({}).details, refund: lines },
    });
  const orders: RefundLine[] = [
    { order: 'ORD-1', amount: '199.00', deduction: '0.00' },
    { order: 'ORD-2', amount: '100.00', deduction: '50.00' },
  ];

  it('refund each order less its deduction when nobody edited the total', () => {
    expect(refundEntries(refund(orders, '249.00'), 'RF-1').map((e) => e.amount)).toEqual([
      '199.00',
      '50.00',
    ]);
  });

  it('split an edited total across the orders in proportion to their net amounts', () => {
    const entries = refundEntries(edited(refund(orders, '249.00'), '200.00'), 'RF-1');
    // 200 × 199/249 = 159.839… and 200 × 50/249 = 40.160…: 159.83 + 40.16, one cent left.
    expect(entries.map((e) => [e.order, e.amount])).toEqual([
      ['ORD-1', '159.84'],
      ['ORD-2', '40.16'],
    ]);
    expect(entries[1]!.details).toMatchObject({
      receipt_no: 'RF-1',
      order_amount: '100.00',
      deduction: '50.00',
      agent_adjusted: true,
      computed_amount: '50.00',
    });
  });
});

describe('the ICP reward', () => {
  it.each([
    ['2026-03-04T01:00:00.000Z', '2026-03-11T01:00:00.000Z', '2027-03-04T01:00:00.000Z'],
    ['2028-02-29T08:00:00.000Z', '2028-03-07T08:00:00.000Z', '2029-03-01T08:00:00.000Z'],
  ])('received at %s is due by %s and valid until %s', (at, by, until) => {
    const a = assessment({ type: 'icp_reward', amount: '200.00' });
    const [entry] = icpRewardEntries(a, new Date(at));
    expect(entry).toMatchObject({ kind: 'icp_reward', amount: '200.00' });
    expect(entry!.creditBy?.toISOString()).toBe(by);
    expect(entry!.validUntil?.toISOString()).toBe(until);
    expect(entry!.details.agent_adjusted).toBeUndefined();
  });

  it('is one entry of the edited amount, recording the computed one', () => {
    const a = edited(assessment({ type: 'icp_reward', amount: '200.00' }), '150.00');
    const [entry, ...rest] = icpRewardEntries(a, new Date('2026-03-04T01:00:00Z'));
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({ kind: 'icp_reward', amount: '150.00' });
    expect(entry!.details).toMatchObject({
      withdrawable: false,
      agent_adjusted: true,
      computed_amount: '200.00',
      edited_by: 'agent:ann@cloud.example',
    });
  });
});
