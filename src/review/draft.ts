/**
 * An agent's decision applied to the engine's assessment. The actions store the result and
 * the reply preview renders it, so the preview is exactly the reply the action leads to.
 */
import type { Assessment } from '../domain/assess/types.ts';
import { parseEditedAmount } from '../domain/edited-amount.ts';
import { REASON_CODES, type ReasonCode } from '../domain/reasons.ts';
import { ReviewError } from './errors.ts';

export const MISSING_CODES = [
  'missing_account',
  'missing_fault_time',
  'missing_occurrences',
  'missing_order',
] as const;
export type MissingCode = (typeof MISSING_CODES)[number];

export type DecisionDraft =
  | { decision: 'approved'; amount?: string; note?: string }
  | { decision: 'rejected'; reasons: string[]; note?: string }
  | { decision: 'needs_info'; missing: string[]; note?: string };

/** What the agent did, kept in the assessment beside what the engine found. */
export interface AgentSection {
  actor: string;
  at: string;
  decision: DecisionDraft['decision'];
  note: string | null;
  originalDecision: string;
  originalAmount: string | null;
  originalReasons: string[];
}

export type ReviewedAssessment = Assessment & { agent?: AgentSection };

/**
 * Reasons that only inform (DESIGN "Decisions"): they stay on an approval. The review
 * reasons were the agent's to resolve; repeated in the approval reply they would read
 * as if the claim were still in doubt.
 */
const INFORMING: ReadonlySet<string> = new Set([
  'reward_deducted',
  'excluded_cause',
  'already_compensated',
]);

const PAYING_TYPES: ReadonlySet<string> = new Set(['compensation', 'refund', 'icp_reward']);
const KNOWN: ReadonlySet<string> = new Set(REASON_CODES);

/** The assessment after the draft; throws ReviewError('invalid_input') on a bad draft. */
export function applyDraft(
  a: Assessment,
  draft: DecisionDraft,
  actor: string,
  now: Date,
): ReviewedAssessment {
  const note = draft.note?.trim() ? draft.note.trim() : null;
  const agent: AgentSection = {
    actor,
    at: now.toISOString(),
    decision: draft.decision,
    note,
    originalDecision: a.decision,
    originalAmount: a.amount,
    originalReasons: [...a.reasons],
  };
  switch (draft.decision) {
    case 'approved': {
      const amount = approvedAmount(a, draft.amount, note);
      const reasons = a.reasons.filter((r) => INFORMING.has(r));
      return { ...a, decision: 'approved', amount, reasons, agent };
    }
    case 'rejected': {
      const reasons = knownReasons(draft.reasons);
      return { ...a, decision: 'rejected', reasons, agent };
    }
    case 'needs_info': {
      const missing = [...new Set(draft.missing)];
      if (missing.length === 0 || !missing.every((m) => MISSING_CODES.includes(m as MissingCode)))
        throw new ReviewError(
          'invalid_input',
          `missing must be some of ${MISSING_CODES.join(', ')}`,
        );
      return { ...a, decision: 'needs_info', reasons: canonical(missing as ReasonCode[]), agent };
    }
  }
}

function approvedAmount(a: Assessment, edited: string | undefined, note: string | null): string {
  if (!PAYING_TYPES.has(a.type))
    throw new ReviewError('invalid_input', `a ${a.type} claim pays nothing and cannot be approved`);
  if (!a.currency) throw new ReviewError('invalid_input', 'the claim has no currency to pay in');
  if (edited === undefined || edited.trim() === a.amount) {
    if (a.amount === null) throw new ReviewError('invalid_input', 'an amount is required');
    return a.amount;
  }
  // A refund's edited total is split across its orders like a compensation's across its
  // incidents (settle.ts); the ICP reward is one entry of the edited amount.
  if (note === null) throw new ReviewError('invalid_input', 'an edited amount needs a note');
  const parsed = parseEditedAmount(edited, a.currency);
  if (!parsed.ok) throw new ReviewError('invalid_input', parsed.problem);
  // Normalised to the currency's digits, as the engine writes amounts ('100' → '100.00').
  return parsed.text;
}

function knownReasons(reasons: string[]): ReasonCode[] {
  const unknown = reasons.filter((r) => !KNOWN.has(r));
  if (reasons.length === 0 || unknown.length > 0)
    throw new ReviewError(
      'invalid_input',
      unknown.length > 0 ? `unknown reasons: ${unknown.join(', ')}` : 'a rejection needs a reason',
    );
  return canonical(reasons as ReasonCode[]);
}

/** Without repeats, in the order reasons are always reported in. */
function canonical(codes: ReasonCode[]): ReasonCode[] {
  const set = new Set(codes);
  return REASON_CODES.filter((c) => set.has(c));
}
