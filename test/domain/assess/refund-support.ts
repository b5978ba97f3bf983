/**
 * What the refund tests share: demo-shop's base records with another account, other-co, and
 * the orders a case names; the request most rows make; and a refund decision as the fields
 * it fixes.
 */
import type { Decision } from '../../../src/domain/assess/types.ts';
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import { type Expected, otherCo, paid, unpaid } from '../../support/assess-cases.ts';
import { baseRecords, type RawRecords } from '../../support/builders.ts';

/** The request most rows make: demo-shop's one order ORD-1001. */
export const ONE = 'Refund, account demo-shop, order ORD-1001';

/** demo-shop's base records plus another account, `other-co`, and these orders. */
export function records(orders: Record<string, unknown>[], extra: RawRecords = {}): RawRecords {
  const base = baseRecords();
  return { ...base, accounts: [...base.accounts, otherCo()], orders, ...extra };
}

/** A refund decision that pays nothing: no amount, no currency, no orders. */
export function noRefund(decision: Decision, ...reasons: ReasonCode[]): Expected {
  return { type: 'refund', ...unpaid(decision, ...reasons), orders: [] };
}

/** A refund decision that pays `amount` CNY for `orders`. */
export function refundOf(
  decision: Decision,
  amount: string,
  orders: string[],
  ...reasons: ReasonCode[]
): Expected {
  return { type: 'refund', ...paid(decision, amount, ...reasons), orders };
}
