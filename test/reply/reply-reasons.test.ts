/**
 * Replies a customer would be glad to get (issue #14): the cause that applied, with its
 * incident; a late claim's deadline and received time; a question's acknowledgement with
 * what the support desk covers; no machine-format subject quoted back; in English and both
 * Chinese scripts.
 */
import { describe, expect, it } from 'vitest';
import { baseRecords } from '../support/builders.ts';
import {
  CLAIM_REF,
  EN_CLAIM,
  expectBoth,
  ONE_HOUR,
  realTemplates,
  ZH_CLAIM,
} from './templates-support.ts';

const { reply } = realTemplates();

const HANT_CLAIM = '賠償申請 帳號：demo-shop 故障時間：2026年3月2日 10:15 次數：1次';

describe('a rejection for an excluded cause', () => {
  it.each([
    ['force_majeure', EN_CLAIM, 'The fault INC-7 was caused by force majeure'],
    ['maintenance', EN_CLAIM, 'The fault INC-7 was caused by planned maintenance'],
    ['carrier', ZH_CLAIM, '故障 INC-7 的原因是电信运营商故障'],
    ['attack', HANT_CLAIM, '故障 INC-7 的原因是網路攻擊'],
  ])('names the one cause that applied (%s), with its incident', (cause, subject, told) => {
    const { a, kind, out } = reply(
      { ...baseRecords(), incidents: [{ ...ONE_HOUR, cause }] },
      { subject },
    );
    expect(kind).toBe('rejected');
    expect(a.reasons).toContain('excluded_cause');
    expect(a.details.excludedCauses).toEqual({ 'INC-7': cause });
    expectBoth(out, [CLAIM_REF, told]);
    // Not the list of every excluded cause.
    for (const other of ['backbone', 'the customer’s side', '骨干网络', '骨幹網路'])
      expect(out.text).not.toContain(other);
  });
});

describe('a late claim', () => {
  it('gives the time it arrived and the deadline it missed', () => {
    const { a, out } = reply(
      { ...baseRecords(), incidents: [ONE_HOUR] },
      { subject: EN_CLAIM },
      { received: '2026-03-20T09:00:00+08:00' },
    );
    expect(a.reasons).toContain('late_claim');
    expect(a.deadline).toMatch(/^2026-03-11T23:59:59/);
    expectBoth(out, [
      'The claim arrived on 2026-03-20 09:00, after the deadline',
      'here by the end of 2026-03-11',
    ]);
  });
});

describe('the subject is not quoted back', () => {
  it.each([EN_CLAIM, ZH_CLAIM, HANT_CLAIM])('%s', (subject) => {
    const { out } = reply({ ...baseRecords(), incidents: [ONE_HOUR] }, { subject });
    expect(out.text).not.toContain(subject);
    expect(out.text).not.toContain('Fault time:');
    expect(out.html).not.toContain('Fault time:');
  });
});

describe('the acknowledgement of a question', () => {
  it.each([
    [
      'Question about invoices',
      ['Product', 'product features', 'code development', 'routine operation and maintenance'],
      ['4000-955-988', 'work order'],
    ],
    [
      '咨询：如何开发票',
      ['产品功能咨询', '代码开发', '日常运维服务'],
      ['4000-955-988', '提交工单'],
    ],
  ])(
    '%s: says what the 24/7 desk covers and not, and the other channels',
    (subject, scope, channels) => {
      const { a, kind, out } = reply(baseRecords(), { subject });
      expect([a.type, kind]).toEqual(['inquiry', 'review_ack']);
      expect(out.text).toMatch(new RegExp(scope[0]!, 'i'));
      expectBoth(out, [...scope.slice(1), ...channels]);
    },
  );

  it('is not added to other acknowledgements', () => {
    const { kind, out } = reply(baseRecords(), { subject: 'Complaint about repeated outages' });
    expect(kind).toBe('complaint_ack');
    expect(out.text).not.toContain('4000-955-988');
  });
});
