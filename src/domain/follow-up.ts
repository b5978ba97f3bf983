/**
 * A customer's answer to a needs-info reply, read together with the claim it answers:
 * the service assesses this combined email again, and a replay rebuilds it the same way.
 */
import type { ParsedEmail } from './email.ts';
import { mainBody } from './extract/body.ts';

/**
 * The answer first (its fields win), then the original. The ';' ends a phrase: joined by a
 * space, "Occurrences: 1" + "Compensation please" read as "1 compensation" (a multiplier,
 * not a count), and the answer's count was lost.
 */
export function combineFollowUp(answer: ParsedEmail, original: ParsedEmail): ParsedEmail {
  return {
    ...original,
    subject: [answer.subject, original.subject].filter((s) => s.trim() !== '').join('; '),
    text: `${mainBody(answer.text)}\n;\n${mainBody(original.text)}`,
  };
}
