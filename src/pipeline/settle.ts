/**
 * Settlement of an approved claim, in one transaction with the claim row locked:
 * compensation as bonus-recharge credits per (account, incident) with the formula's inputs,
 * a refund through its steps with a receipt and one entry per order, the ICP reward as a
 * credit valid one year and due within a week. The ledger's unique indexes make each
 * credit happen once whatever the queue does; an entry that already exists is skipped and
 * audited, never paid again.
 */
import type pg from 'pg';
import { decimal, formatMinor, parseDecimal, toMinor } from '../domain/money.ts';
import type { ReviewedAssessment } from '../review/draft.ts';
import { withTransaction } from '../store/database.ts';
import {
  compensationEntries,
  type Entry,
  icpRewardEntries,
  refundEntries,
} from './settle-entries.ts';

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
const ALREADY_PAID: Record<Entry['kind'], string> = {
  compensation: 'already_compensated',
  refund: 'already_refunded',
  icp_reward: 'reward_already_granted',
};

export async function settleClaim(pool: pg.Pool, claimId: number): Promise<SettleResult> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      state: string;
      decision: string;
      assessment: ReviewedAssessment;
      received_at: Date;
    }>('SELECT state, decision, assessment, received_at FROM claims WHERE id = $1 FOR UPDATE', [
      claimId,
    ]);
    const claim = rows[0];
    if (
      !claim ||
      claim.state !== 'assessed' ||
      claim.decision !== 'approved' ||
      !claim.assessment
    ) {
      return { settled: false, entries: 0, skipped: [] };
    }
    const a = claim.assessment;
    const account = a.account!;
    const currency = a.currency!;
    let receiptNo: string | undefined;
    let entries: Entry[];
    if (a.type === 'compensation') entries = compensationEntries(a);
    else if (a.type === 'refund') {
      receiptNo = `RF-${claim.received_at.toISOString().slice(0, 10).replace(/-/g, '')}-${String(claimId).padStart(6, '0')}`;
      entries = refundEntries(a, receiptNo);
    } else if (a.type === 'icp_reward') {
      entries = icpRewardEntries(a, claim.received_at);
    } else {
      return { settled: false, entries: 0, skipped: [] };
    }
    // Everything this claim pays, or nothing: see below.
    await client.query('SAVEPOINT settle_entries');
    if (receiptNo) await recordRefundSteps(client, claimId, a, receiptNo);
    const skipped: string[] = [];
    let written = 0;
    for (const e of entries) {
      const inserted = await client.query(
        `INSERT INTO ledger_entries (claim_id, account, kind, incident, order_id, amount, currency, details, credit_by, valid_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT DO NOTHING`,
        [
          claimId,
          account,
          e.kind,
          e.incident ?? null,
          e.order ?? null,
          e.amount,
          currency,
          e.details,
          e.creditBy ?? null,
          e.validUntil ?? null,
        ],
      );
      if (inserted.rowCount === 1) written++;
      else skipped.push(e.incident ?? e.order ?? e.kind);
    }
    if (skipped.length > 0) {
      // Paid already, by another claim: one the engine's records did not know of yet, or one
      // settled at the same moment. The assessed amount is no longer what this claim would
      // pay, and an approval reply would promise it again: pay nothing, let an agent decide
      // (the customer gets an acknowledgement).
      await client.query('ROLLBACK TO SAVEPOINT settle_entries');
      const code = ALREADY_PAID[entries[0]!.kind];
      await client.query(
        `UPDATE claims SET state = 'review', decision = 'review',
                reasons = array_append(array_remove(reasons, $2), $2), updated_at = now()
          WHERE id = $1`,
        [claimId, code],
      );
      await client.query(
        `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:settle', 'claim.to_review', $1, $2)`,
        [claimId, { reason: code, skipped_already_paid: skipped, amount: a.amount, currency }],
      );
      return { settled: false, toReview: true, entries: 0, skipped };
    }
    await client.query(`UPDATE claims SET state = 'settled', updated_at = now() WHERE id = $1`, [
      claimId,
    ]);
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:settle', 'claim.settled', $1, $2)`,
      [
        claimId,
        {
          entries: written,
          skipped_already_paid: skipped,
          receipt_no: receiptNo ?? null,
          amount: a.amount,
          currency,
          agent_adjusted: entries.some((e) => e.details.agent_adjusted === true),
        },
      ],
    );
    return { settled: true, entries: written, skipped, ...(receiptNo ? { receiptNo } : {}) };
  });
}

/** The refund's steps, each with its time: submitted → confirmed → receipt generated → completed. */
async function recordRefundSteps(
  client: pg.PoolClient,
  claimId: number,
  a: ReviewedAssessment,
  receiptNo: string,
): Promise<void> {
  const deduction = a.details.refund.reduce(
    (sum, l) => sum + toMinor(parseDecimal(l.deduction) ?? decimal('0'), 4),
    0n,
  );
  await client.query(
    `INSERT INTO refund_settlements (claim_id, account, state, lines, deduction, amount, currency)
     VALUES ($1, $2, 'submitted', $3, $4, $5, $6) ON CONFLICT (claim_id) DO NOTHING`,
    [
      claimId,
      a.account,
      JSON.stringify(a.details.refund),
      formatMinor(deduction, 4),
      a.amount,
      a.currency,
    ],
  );
  for (const [state, column, extra] of [
    ['confirmed', 'confirmed_at', ''],
    ['receipt_generated', 'receipt_at', ', receipt_no = $2'],
    ['completed', 'completed_at', ''],
  ] as const) {
    await client.query(
      `UPDATE refund_settlements SET state = '${state}', ${column} = now()${extra} WHERE claim_id = $1`,
      extra ? [claimId, receiptNo] : [claimId],
    );
    await client.query(
      `INSERT INTO audit_log (actor, action, claim_id, details) VALUES ('system:settle', 'refund.step', $1, $2)`,
      [
        claimId,
        { step: state, ...(state === 'receipt_generated' ? { receipt_no: receiptNo } : {}) },
      ],
    );
  }
}
