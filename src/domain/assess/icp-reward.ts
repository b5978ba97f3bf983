/**
 * The ICP-licence reward: an active monthly or yearly cloud host, a first filing
 * approved by the authority within 10 days of submission, accumulated recharge above the
 * minimum and no reward before. Any failure rejects. 100 for common users, 200 for VIP.
 */
import { compareRatio, decimal, ratioOf } from '../money.ts';
import type { IcpFiling, Resource } from '../records.ts';
import { DAY_MS } from '../time.ts';
import { type Claim, type Outcome, outcome } from './claim.ts';

export function assessIcpReward(claim: Claim): Outcome {
  const out = outcome();
  if (claim.accountId === null) out.missing.push('missing_account');
  if (out.missing.length > 0 || !claim.account) return out;
  const { ctx } = claim;
  const account = claim.account;
  const { policy } = ctx;
  const reject = (code: Parameters<typeof out.reasons.push>[0]['code']) =>
    out.reasons.push({ code, effect: 'reject' });

  const subscriptionHosts = ctx.index.resourcesOf(account.id).filter(isSubscriptionHost);
  if (!subscriptionHosts.some((r) => r.status === 'active')) {
    reject(subscriptionHosts.length > 0 ? 'service_terminated' : 'no_subscription_host');
  }

  const filing = chooseFiling(ctx.index.filingsOf(account.id));
  if (!filing) reject('filing_not_found');
  else {
    if (!filing.firstTime) reject('not_first_filing');
    const approved = filing.status === 'approved' && filing.approvedAt !== null;
    if (!approved) reject('filing_incomplete');
    // Not approved within the days allowed counts as abandoned; a pending filing is
    // abandoned once that many days have passed by the time the claim arrives.
    const settledAt = approved ? filing.approvedAt! : claim.input.receivedAt;
    if (
      filing.status !== 'rejected' &&
      settledAt - filing.submittedAt > policy.icpAbandonDays * DAY_MS
    ) {
      reject('filing_abandoned');
    }
  }

  if (
    compareRatio(ratioOf(decimal(account.accumulatedRecharge)), ratioOf(policy.icpMinRecharge)) <= 0
  ) {
    reject('recharge_below_minimum');
  }
  if (account.icpRewarded) reject('reward_already_granted');
  out.amount = ratioOf(account.vip ? policy.icpRewardVip : policy.icpRewardCommon);
  return out;
}

/** A cloud host on a monthly or yearly subscription: what the reward requires (if active). */
export function isSubscriptionHost(r: Resource): boolean {
  return r.host && (r.billing === 'monthly' || r.billing === 'yearly');
}

/** The filing that decides: the first-time one when there is one, else the latest. */
function chooseFiling(filings: IcpFiling[]): IcpFiling | undefined {
  const first = filings.filter((f) => f.firstTime).sort((x, y) => y.submittedAt - x.submittedAt);
  if (first.length > 0) return first[0];
  return [...filings].sort((x, y) => y.submittedAt - x.submittedAt)[0];
}
