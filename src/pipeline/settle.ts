/**
 * Settlement of an approved claim, in one transaction with the claim row locked:
 * compensation as bonus-recharge credits per (account, incident) with the formula's inputs,
 * a refund through its steps with a receipt and one entry per order, the ICP reward as a
 * credit valid one year and due within a week. The ledger's unique indexes make each
 * credit happen once whatever the queue does; an entry that already exists is skipped and
 * audited, never paid again.
 */
import type pg from 'pg';
import { isApprovedAssessment } from '../domain/assess/approved.ts';
import {
  compensationEntries,
  icpRewardEntries,
  type LedgerEntry,
  refundEntries,
  SettleError,
} from '../domain/settle/entries.ts';
import { receiptNumber } from '../domain/settle/receipt.ts';
import { refundDeduction } from '../domain/settle/refund-deduction.ts';
import type { ReviewedAssessment } from '../review/draft.ts';
import {
  type ClaimToSettle,
  lockClaimForSettlement,
  markSettled,
  sendToReview,
} from '../store/claims-store.ts';
import { withTransaction } from '../store/database.ts';
import { payOnce, type RefundSettlement } from '../store/ledger-store.ts';

export interface SettleResult {
  /** False when the claim was not (or no longer) an approved, unsettled claim. */
  settled: boolean;
  /**
   * True when something the claim would pay was paid already (the ledger's once-only
   * indexes refused it): nothing was paid and the claim went to review.
   */
  toReview?: boolean;
  entries: number;
  skipped: string[];
  receiptNo?: string;
}

/** The reason a claim goes to review with when its ledger entries exist already. */
const ALREADY_PAID: Record<LedgerEntry['kind'], string> = {
  compensation: 'already_compensated',
  refund: 'already_refunded',
  icp_reward: 'reward_already_granted',
};

export async function settleClaim(pool: pg.Pool, claimId: number): Promise<SettleResult> {
  return withTransaction(pool, async (client) =>
    settleLocked(
      client,
      claimId,
      await lockClaimForSettlement<ReviewedAssessment>(client, claimId),
    ),
  );
}

/**
 * Settles `claim`, whose row the caller's transaction holds locked (FOR UPDATE): the settle
 * stage's, or the assessment's own when it approved the claim just now.
 */
export async function settleLocked(
  client: pg.PoolClient,
  claimId: number,
  claim: ClaimToSettle<ReviewedAssessment> | null,
): Promise<SettleResult> {
  if (claim?.state !== 'assessed' || claim.decision !== 'approved' || !claim.assessment) {
    return { settled: false, entries: 0, skipped: [] };
  }
  const a = claim.assessment;
  const kind = a.type;
  if (kind !== 'compensation' && kind !== 'refund' && kind !== 'icp_reward') {
    return { settled: false, entries: 0, skipped: [] };
  }
  // The row says approved; an assessment without what an approval pays (account, amount,
  // currency) cannot be paid however often it is tried: permanent, an agent's call.
  if (!isApprovedAssessment(a))
    throw new SettleError(
      'the approval has no account, amount or currency to pay; decide it again',
    );
  const { account, amount, currency } = a;
  let refund: RefundSettlement | undefined;
  let entries: LedgerEntry[];
  if (kind === 'refund') {
    const receiptNo = receiptNumber(claimId, claim.receivedAt);
    entries = refundEntries(a, receiptNo);
    refund = { lines: a.details.refund, deduction: refundDeduction(a.details.refund), receiptNo };
  } else if (kind === 'icp_reward') {
    entries = icpRewardEntries(a, claim.receivedAt);
  } else {
    entries = compensationEntries(a);
  }
  const { written, skipped } = await payOnce(client, {
    claimId,
    account,
    amount,
    currency,
    entries,
    ...(refund ? { refund } : {}),
  });
  if (skipped.length > 0) {
    // Paid already, by another claim: one the engine's records did not know of yet, or one
    // settled at the same moment. The assessed amount is no longer what this claim would
    // pay, and an approval reply would promise it again: pay nothing, let an agent decide
    // (the customer gets an acknowledgement).
    const code = ALREADY_PAID[kind];
    await sendToReview(client, claimId, {
      actor: 'system:settle',
      code,
      decision: true,
      details: { reason: code, skipped_already_paid: skipped, amount, currency },
    });
    return { settled: false, toReview: true, entries: 0, skipped };
  }
  await markSettled(client, claimId, {
    entries: written,
    skipped_already_paid: skipped,
    receipt_no: refund?.receiptNo ?? null,
    amount,
    currency,
    agent_adjusted: entries.some((e) => e.details.agent_adjusted === true),
  });
  return {
    settled: true,
    entries: written,
    skipped,
    ...(refund ? { receiptNo: refund.receiptNo } : {}),
  };
}
