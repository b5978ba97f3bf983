/**
 * What this service has paid itself, added to the imported records so the engine sees it:
 * compensated incidents, completed refunds (as past refund requests) and granted ICP rewards.
 * Without it a second claim for something we already paid would be approved again (the
 * ledger's unique indexes would still refuse to pay it twice, but the customer would be
 * told "approved").
 */
import type pg from 'pg';
import type { Records } from '../domain/records.ts';

export async function withSettledHistory(pool: pg.Pool, records: Records): Promise<Records> {
  const [compensations, refunds, rewards] = await Promise.all([
    pool.query<{ account: string; incident: string; created_at: Date }>(
      `SELECT account, incident, min(created_at) AS created_at FROM ledger_entries
        WHERE kind = 'compensation' GROUP BY account, incident`,
    ),
    pool.query<{
      claim_id: string;
      account: string;
      submitted_at: Date;
      lines: { order: string }[];
    }>(`SELECT claim_id, account, submitted_at, lines FROM refund_settlements`),
    pool.query<{ account: string }>(
      `SELECT DISTINCT account FROM ledger_entries WHERE kind = 'icp_reward'`,
    ),
  ]);
  const known = new Set(records.compensations.map((c) => `${c.account}\u0000${c.incident}`));
  const rewarded = new Set(rewards.rows.map((r) => r.account));
  return {
    ...records,
    accounts: records.accounts.map((a) =>
      rewarded.has(a.id) && !a.icpRewarded ? { ...a, icpRewarded: true } : a,
    ),
    compensations: [
      ...records.compensations,
      ...compensations.rows
        .filter((c) => !known.has(`${c.account}\u0000${c.incident}`))
        .map((c) => ({ account: c.account, incident: c.incident, at: c.created_at.getTime() })),
    ],
    refunds: [
      ...records.refunds,
      ...refunds.rows.map((r) => ({
        id: `claim-${r.claim_id}`,
        account: r.account,
        at: r.submitted_at.getTime(),
        orders: r.lines.map((l) => l.order),
      })),
    ],
  };
}
