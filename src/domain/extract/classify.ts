/**
 * Claim type by keywords, English and Chinese: the subject first, then the body; within
 * each, the first type in priority order whose keywords appear.
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
  { type: 'refund', test: any(/refund/, /退款|退订/) },
  {
    type: 'compensation',
    test: any(/compensat(?:ion|e)/, /\b(?:sla|service) credit/, /赔偿|补偿|赔付/),
  },
  { type: 'complaint', test: any(/complain/, /投诉/) },
  { type: 'inquiry', test: any(/question/, /consult/, /how to/, /咨询|请问/) },
];

export function classify(subject: string, body: string): ClaimType {
  for (const text of [subject, body]) {
    const lowered = text.toLowerCase();
    for (const rule of RULES) if (rule.test(lowered)) return rule.type;
  }
  return 'unknown';
}
