/**
 * Compensation rules 1–2 (required fields, the account and its contacts), the extraction
 * rules they depend on, and the decision order as it applies to compensation claims.
 */
import { describe, expect, it } from 'vitest';
import { contextOf, incident, run } from '../../support/builders.ts';
import { outputs, recordsWith, subjectOf } from './compensation-support.ts';

/** One hour of platform fault on demo-shop's ECS host: 200.00 with the default policy. */
const INC_1 = incident('INC-1', '2026-03-02T14:00:00+08:00', '2026-03-02T15:00:00+08:00');
const DEADLINE = '2026-03-11T23:59:59.999+08:00';
const PAID = {
  decision: 'approved',
  reasons: [],
  amount: '200.00',
  currency: 'CNY',
  incidents: ['INC-1'],
  deadline: DEADLINE,
};
const NEEDS_INFO = { decision: 'needs_info', amount: null, currency: null, incidents: [] };

describe('rule 1: account, fault time and number of occurrences are required', () => {
  const ctx = contextOf(recordsWith([INC_1]));

  it('a claim with none of them needs info and lists all three missing fields', () => {
    const a = run(ctx, {
      subject: 'Compensation request',
      text: 'Our server was down, please compensate.',
    });
    expect(a.type).toBe('compensation');
    expect(outputs(a)).toEqual({
      ...NEEDS_INFO,
      reasons: ['missing_account', 'missing_fault_time', 'missing_occurrences'],
      deadline: null,
    });
  });

  it('a claim without a fault time needs info with only missing_fault_time', () => {
    const a = run(ctx, { subject: 'Compensation claim, account: demo-shop, occurrences: 1' });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_fault_time'], deadline: null });
  });

  it('a claim without a count needs info with only missing_occurrences', () => {
    const a = run(ctx, {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05',
    });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_occurrences'], deadline: null });
    expect(a.faultTimes).toEqual(['2026-03-02T14:05:00+08:00']);
  });

  it('a claim without an account needs info with only missing_account', () => {
    const a = run(ctx, {
      subject: 'Compensation claim, fault time: 2026-03-02 14:05, occurrences: 1',
    });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_account'], deadline: null });
    expect(a.account).toBeNull();
  });

  it('a field found only in the body counts as given, so only the others are reported missing', () => {
    const a = run(ctx, {
      subject: 'Compensation claim, account: demo-shop',
      text: 'The host was unreachable at 2026-03-02 14:05.',
    });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_occurrences'], deadline: null });
  });

  it('missing fields are reported alone even when the account is unknown', () => {
    const a = run(ctx, { subject: 'Compensation claim, account: ghost-corp, occurrences: 1' });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_fault_time'], deadline: null });
  });

  it('missing fields are reported alone even when the sender is not a contact of the account', () => {
    const a = run(ctx, {
      from: 'someone@elsewhere.test',
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05',
    });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_occurrences'], deadline: null });
  });
});

describe('rule 2: an unknown account is rejected; a stranger writing for a known account goes to review', () => {
  const ctx = contextOf(recordsWith([INC_1]));

  it('an account the records do not know is rejected with account_unknown only', () => {
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05', 'occurrences: 1', 'ghost-corp') });
    expect(outputs(a)).toEqual({
      decision: 'rejected',
      reasons: ['account_unknown'],
      amount: null,
      currency: null,
      incidents: [],
      deadline: null,
    });
    expect(a.account).toBe('ghost-corp');
  });

  it('an unknown account given only in the body still yields account_unknown and nothing else', () => {
    const a = run(ctx, {
      from: 'someone@elsewhere.test',
      subject: 'Compensation claim',
      text: 'Account: ghost-corp\nFault time: 2026-03-02 14:05\nOccurrences: 1',
    });
    expect(outputs(a)).toMatchObject({ decision: 'rejected', reasons: ['account_unknown'] });
  });

  it('the account id is matched case-insensitively and reported as the records spell it', () => {
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05', 'occurrences: 1', 'DEMO-SHOP') });
    expect(outputs(a)).toEqual(PAID);
    expect(a.account).toBe('demo-shop');
  });

  it('a claim from any of the account contact emails is decided automatically', () => {
    const raw = recordsWith([INC_1]);
    raw.accounts[0]!.emails = ['it@demo-shop.test', 'ops@demo-shop.test'];
    const a = run(contextOf(raw), {
      from: 'ops@demo-shop.test',
      subject: subjectOf('2026-03-02 14:05'),
    });
    expect(outputs(a)).toEqual(PAID);
  });

  it('a sender who is not among the account contacts gets review with sender_not_account_contact', () => {
    const a = run(ctx, { from: 'someone@elsewhere.test', subject: subjectOf('2026-03-02 14:05') });
    expect(outputs(a)).toEqual({
      ...PAID,
      decision: 'review',
      reasons: ['sender_not_account_contact'],
    });
  });

  it('a stranger gets review even when a late claim would otherwise be rejected', () => {
    const a = run(
      ctx,
      { from: 'someone@elsewhere.test', subject: subjectOf('2026-03-02 14:05') },
      '2026-03-12T09:00:00+08:00',
    );
    // A rejecting reason leaves nothing owed, so no amount either (DESIGN v1.1).
    expect(outputs(a)).toEqual({
      ...PAID,
      decision: 'review',
      reasons: ['sender_not_account_contact', 'late_claim'],
      amount: null,
      currency: null,
    });
  });

  it('a stranger gets review even when no incident matches', () => {
    const a = run(ctx, { from: 'someone@elsewhere.test', subject: subjectOf('2026-03-05 14:05') });
    expect(outputs(a)).toEqual({
      decision: 'review',
      reasons: ['sender_not_account_contact', 'no_matching_incident'],
      amount: null,
      currency: null,
      incidents: [],
      deadline: null,
    });
  });
});

describe('extraction: the subject must hold the account, the fault time and the count', () => {
  const ctx = contextOf(recordsWith([INC_1]));

  it('fields written only in the body are used but add fields_outside_subject (review)', () => {
    const a = run(ctx, {
      subject: 'Compensation claim',
      text: 'Account: demo-shop\nFault time: 2026-03-02 14:05\nOccurrences: 1',
    });
    expect(outputs(a)).toEqual({
      ...PAID,
      decision: 'review',
      reasons: ['fields_outside_subject'],
    });
    expect(a.details.sources).toEqual({ account: 'body', faultTimes: 'body', occurrences: 'body' });
  });

  it('one field found only in the body is enough for fields_outside_subject', () => {
    const a = run(ctx, {
      subject: 'Compensation claim, account: demo-shop, fault time: 2026-03-02 14:05',
      text: 'It happened once.',
    });
    expect(outputs(a)).toEqual({
      ...PAID,
      decision: 'review',
      reasons: ['fields_outside_subject'],
    });
  });

  it('fields in the subject win over different ones in the body, and the claim is approved', () => {
    const a = run(ctx, {
      subject: subjectOf('2026-03-02 14:05'),
      text: 'Account: demo-shop. We also saw errors on 2026-02-20 10:00, 3 times in total.',
    });
    expect(outputs(a)).toEqual(PAID);
    expect(a.faultTimes).toEqual(['2026-03-02T14:05:00+08:00']);
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('a Chinese subject with 账号, 故障时间 and 次数 is read in full', () => {
    const a = run(ctx, {
      subject: '赔偿申请 账号：demo-shop 故障时间：2026年3月2日14时05分 次数：1次',
    });
    expect(a.type).toBe('compensation');
    expect(outputs(a)).toEqual(PAID);
    expect(a.account).toBe('demo-shop');
    expect(a.faultTimes).toEqual(['2026-03-02T14:05:00+08:00']);
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('a Chinese subject with labels without separators and 共1次 is read in full', () => {
    const a = run(ctx, { subject: '补偿申请 账号demo-shop 故障时间2026年3月2日 14:05 共1次' });
    expect(outputs(a)).toEqual(PAID);
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('a subject typed in full-width mode (digits, letters, hyphens, colons, spaces) is read in full', () => {
    const a = run(ctx, {
      subject:
        '赔偿申请 账号：ｄｅｍｏ－ｓｈｏｐ 故障时间：２０２６－０３－０２　１４：０５　次数：１',
    });
    expect(outputs(a)).toEqual(PAID);
    expect(a.account).toBe('demo-shop');
    expect(a.faultTimes).toEqual(['2026-03-02T14:05:00+08:00']);
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('full-width digits in an English subject are read as digits', () => {
    const a = run(ctx, {
      subject:
        'Compensation claim, account: demo-shop, fault time: ２０２６-０３-０２ １４:０５, occurrences: １',
    });
    expect(outputs(a)).toEqual(PAID);
  });

  it('"100 times compensation" in the subject is not a count of 100', () => {
    const a = run(ctx, {
      subject: '100 times compensation request, account: demo-shop, fault time: 2026-03-02 14:05',
    });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_occurrences'], deadline: null });
    expect(a.occurrencesClaimed).toBeNull();
  });

  it('"100 times compensation" next to a real count keeps the real count', () => {
    const a = run(ctx, {
      subject:
        '100 times compensation request, account: demo-shop, fault time: 2026-03-02 14:05, once',
    });
    expect(outputs(a)).toEqual(PAID);
    expect(a.occurrencesClaimed).toBe(1);
  });

  it('"100 times SLA compensation" and "100 times service credit" are multipliers, not counts', () => {
    for (const phrase of ['100 times SLA compensation', '100 times service credit']) {
      const a = run(ctx, { subject: `${phrase}: account demo-shop, fault time 2026-03-02 14:05` });
      expect(a.type).toBe('compensation');
      expect(outputs(a)).toEqual({
        ...NEEDS_INFO,
        reasons: ['missing_occurrences'],
        deadline: null,
      });
    }
  });

  it('"100倍赔偿" in a Chinese subject is not a count', () => {
    const a = run(ctx, { subject: '申请100倍赔偿 账号：demo-shop 故障时间：2026-03-02 14:05' });
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_occurrences'], deadline: null });
  });

  it('the minutes of a fault time written just before "Occurrences: 1" are not read as a count', () => {
    const a = run(ctx, {
      subject: 'Compensation Account: demo-shop Fault time: 2026-03-02 14:05 Occurrences: 1',
    });
    expect(a.occurrencesClaimed).toBe(1);
    expect(outputs(a)).toEqual(PAID);
  });

  it('a +0800 offset written just before "Occurrences: 1" is not read as a count of 800', () => {
    const a = run(ctx, {
      subject: 'Compensation Account: demo-shop Fault time: 2026-03-02 14:05+0800 Occurrences: 1',
    });
    expect(a.occurrencesClaimed).toBe(1);
    expect(outputs(a)).toEqual(PAID);
  });

  it('the day of a date-only claim written just before "times: 1" is not read as a count', () => {
    const a = run(ctx, {
      subject: 'Compensation Account: demo-shop Fault date: 2026-03-02 times: 1',
    });
    expect(a.occurrencesClaimed).toBe(1);
    expect(outputs(a)).toEqual(PAID);
  });
});

describe('decision order for compensation claims', () => {
  /** Incidents on 2026-02-20 and 2026-03-02: a one-time claim for two finds both. */
  const ctx = contextOf(
    recordsWith([
      incident('INC-0', '2026-02-20T10:00:00+08:00', '2026-02-20T11:00:00+08:00'),
      INC_1,
    ]),
  );

  it('needs_info comes before every other reason', () => {
    const a = run(
      ctx,
      {
        from: 'someone@elsewhere.test',
        subject: 'Compensation claim',
        text: 'account: demo-shop, twice',
      },
      '2026-04-30T09:00:00+08:00',
    );
    expect(outputs(a)).toEqual({ ...NEEDS_INFO, reasons: ['missing_fault_time'], deadline: null });
  });

  it('a rejecting reason wins over reasons needing review, and all of them are reported', () => {
    const a = run(
      ctx,
      { subject: 'Compensation claim', text: subjectOf('2026-03-02 14:05', '3 times') },
      '2026-03-12T00:00:00+08:00',
    );
    expect(outputs(a)).toEqual({
      decision: 'rejected',
      reasons: ['fields_outside_subject', 'late_claim', 'count_mismatch'],
      amount: null,
      currency: null,
      incidents: [],
      deadline: DEADLINE,
    });
  });

  it('reasons needing review without a rejecting one give review with the computed amount', () => {
    const a = run(ctx, { subject: subjectOf('2026-03-02 14:05', '3 times') });
    expect(outputs(a)).toEqual({
      decision: 'review',
      reasons: ['count_mismatch'],
      amount: '400.00',
      currency: 'CNY',
      incidents: ['INC-0', 'INC-1'],
      deadline: DEADLINE,
    });
  });

  it('a sender whose domain is not authenticated gets review with sender_unauthenticated', () => {
    const a = run(
      ctx,
      { subject: subjectOf('2026-03-02 14:05') },
      '2026-03-04T09:00:00+08:00',
      false,
    );
    expect(outputs(a)).toEqual({
      ...PAID,
      decision: 'review',
      reasons: ['sender_unauthenticated'],
    });
  });

  it('a claim with no reason at all is approved with its amount', () => {
    expect(outputs(run(ctx, { subject: subjectOf('2026-03-02 14:05') }))).toEqual(PAID);
  });
});
