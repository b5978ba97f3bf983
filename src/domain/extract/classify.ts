/**
 * Claim type by keywords, English and Chinese: the subject first, then the body; within
 * each, the first type in priority order whose keywords appear. The text comes in with
 * Traditional Chinese read as Simplified (script.ts), so Chinese keywords are written once.
 * Japanese customers (the Tokyo region) write 補償 or 賠償 (read as 补偿, 赔偿), 返金, 苦情
 * and お問い合わせ (問 read as 问).
 */
export type ClaimType =
  | 'compensation'
  | 'refund'
  | 'icp_reward'
  | 'complaint'
  | 'inquiry'
  | 'unknown';

interface Rule {
  type: Exclude<ClaimType, 'unknown'>;
  test: (lowered: string) => boolean;
}

const any =
  (...re: RegExp[]) =>
  (s: string): boolean =>
    re.some((r) => r.test(s));

/** Priority order is the order of this list. */
const RULES: Rule[] = [
  {
    type: 'icp_reward',
    test: (s) =>
      (/\bicp\b/.test(s) && /reward/.test(s)) || (s.includes('备案') && s.includes('奖励')),
  },
  { type: 'refund', test: any(/refund/, /退款|退订|返金/) },
  {
    type: 'compensation',
    test: any(/compensat(?:ion|e)/, /\b(?:sla|service) credit/, /赔偿|补偿|赔付/),
  },
  { type: 'complaint', test: any(/complain/, /投诉|苦情/) },
  { type: 'inquiry', test: any(/question/, /consult/, /how to/, /咨询|请问|[问問]い合わせ/) },
];

export function classify(subject: string, body: string): ClaimType {
  for (const text of [subject, body]) {
    const lowered = text.toLowerCase();
    for (const rule of RULES) if (rule.test(lowered)) return rule.type;
  }
  return 'unknown';
}
