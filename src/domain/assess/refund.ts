/**
 * "5-day full refund" of prepaid subscriptions: at most 3 orders a request and 3
 * requests an account; each order must be known, owned, prepaid, not yet refunded and
 * within 120 hours of purchase. An unrecoverable ICP reward tied to an order is deducted.
 */
import { findOrders } from '../extract/orders.ts';
import { addRatio, decimal, type Ratio, ratioOf, ZERO } from '../money.ts';
import type { Reason } from '../reasons.ts';
import type { Billing } from '../records.ts';
import { type Claim, locate, type Outcome, outcome } from './claim.ts';

const HOUR_MS = 3_600_000;
const REFUNDABLE: ReadonlySet<Billing> = new Set(['hourly_package', 'monthly', 'yearly']);

export function assessRefund(claim: Claim): Outcome {
  const { ctx, result: a } = claim;
  const out = outcome();
  const found = locate(claim.subject, claim.body, (t) => {
    const ids = findOrders(t, ctx.index);
    return ids.length > 0 ? ids : null;
  });
  const requested = found?.value ?? [];
  if (found) a.details.sources.orders = found.source;
  if (claim.accountId === null) out.missing.push('missing_account');
  if (requested.length === 0) out.missing.push('missing_order');
  if (out.missing.length > 0 || !claim.account) return out;
  const account = claim.account;
  const { policy } = ctx;

  if (requested.length > policy.refundMaxOrders)
    out.reasons.push({ code: 'too_many_orders', effect: 'reject' });
  if (ctx.index.refundRequestsOf(account.id).length >= policy.refundMaxRequests) {
    out.reasons.push({ code: 'refund_limit_reached', effect: 'reject' });
  }

  const perOrder: Reason[] = [];
  const eligible: string[] = [];
  let total: Ratio = ZERO;
  let deducted: Ratio = ZERO;
  for (const id of requested) {
    const order = ctx.index.order(id);
    const problems: Reason['code'][] = [];
    if (!order) problems.push('order_unknown');
    // Another account's order says nothing more (DESIGN v1.1): its billing, status and
    // purchase time are that account's business, not this sender's.
    else if (order.account !== account.id) problems.push('order_not_owned');
    else {
      if (!REFUNDABLE.has(order.billing)) problems.push('not_refundable_billing');
      if (order.status === 'refunded' || ctx.index.wasRefundRequested(order.id))
        problems.push('already_refunded');
      if (claim.input.receivedAt > order.purchasedAt + policy.refundWindowHours * HOUR_MS) {
        problems.push('refund_window_expired');
      }
    }
    if (problems.length > 0 || !order) {
      for (const code of problems) perOrder.push({ code, effect: 'review', subject: id });
      continue;
    }
    eligible.push(order.id);
    total = addRatio(total, ratioOf(decimal(order.amount)));
    const deduction =
      order.icpReward && !order.icpReward.recoverable ? order.icpReward.amount : '0';
    if (order.icpReward && !order.icpReward.recoverable)
      deducted = addRatio(deducted, ratioOf(decimal(deduction)));
    a.details.refund.push({ order: order.id, amount: order.amount, deduction });
  }
  // Per-order problems need a person when some orders are fine, and reject when none is.
  const effect = eligible.length === 0 ? 'reject' : 'review';
  for (const r of perOrder) out.reasons.push({ ...r, effect });
  if (deducted.num > 0n) out.reasons.push({ code: 'reward_deducted', effect: 'inform' });

  a.orders = eligible;
  if (eligible.length > 0) {
    const net = addRatio(total, { num: -deducted.num, den: deducted.den });
    out.amount = net.num < 0n ? ZERO : net;
  }
  return out;
}
