/**
 * The ledger entries an approved claim pays, built from its assessment (no I/O): one
 * bonus-recharge credit per incident, one refund per order, one ICP reward.
 *
 * An amount an agent edited (DESIGN v1.1 "Agent decisions") is no longer the sum of the
 * computed parts, so it is split, never forced through the computed split:
 * - compensation: across the paid incidents in proportion to their computed shares;
 * - refund: across the refunded orders in proportion to their computed net amounts (order
 *   amount less any unrecoverable ICP reward), the same way;
 * - ICP reward: one entry of the edited amount.
 * Either way the parts add up to the edited amount exactly (largest remainder, to the minor
 * unit), and each entry says it was adjusted, what was computed for it and who edited it.
 */
import type { ApprovedAssessment } from '../assess/approved.ts';
import type { Assessment } from '../assess/types.ts';
import { ClaimIntakeError } from '../errors.ts';
import {
  addRatio,
  decimal,
  formatMinor,
  minorDigitsOf,
  mulRatio,
  parseDecimal,
  type Ratio,
  ratioOf,
  toMinor,
  ZERO,
} from '../money.ts';
import { allocate, splitProportional } from '../money-split.ts';
import { DAY_MS } from '../time.ts';
import { zip } from '../zip.ts';
import { icpRewardCreditBy, icpRewardValidUntil } from './credit-dates.ts';

/** One credit or refund, as the ledger writes it (src/store/ledger-store.ts). */
export interface LedgerEntry {
  kind: 'compensation' | 'refund' | 'icp_reward';
  incident?: string;
  order?: string;
  amount: string;
  details: Record<string, unknown>;
  creditBy?: Date;
  validUntil?: Date;
}

/**
 * What the entries take of an agent's decision (src/review/draft.ts `AgentSection`): who
 * edited, why, and the amount the engine had computed.
 */
export interface AgentEdit {
  actor: string;
  note: string | null;
  originalAmount: string | null;
}

/** An approved assessment, with the agent's decision when an agent approved it. */
export type SettlingAssessment = ApprovedAssessment & { agent?: AgentEdit };

/** The claim cannot be paid as decided (nothing to pay an edited amount across): an agent's call. */
export class SettleError extends ClaimIntakeError {
  constructor(message: string) {
    super('settle_impossible', message);
  }
}

/** An agent's edit, as each of the claim's ledger entries records it. */
interface Adjustment {
  edited: bigint;
  /** The engine's amount, in minor units; null when it had computed none. */
  computed: bigint | null;
  /** What every entry's details say of the edit, besides its own computed amount. */
  fields: Record<string, unknown>;
}

function adjustmentOf(a: SettlingAssessment): Adjustment | null {
  const agent = a.agent;
  if (!agent) return null;
  const digits = minorDigitsOf(a.currency);
  const edited = toMinor(decimal(a.amount), digits);
  const computed =
    agent.originalAmount === null ? null : toMinor(decimal(agent.originalAmount), digits);
  if (computed === edited) return null;
  return {
    edited,
    computed,
    fields: {
      agent_adjusted: true,
      computed_total: computed === null ? null : formatMinor(computed, digits),
      edited_total: formatMinor(edited, digits),
      edited_by: agent.actor,
      edit_note: agent.note,
    },
  };
}

/**
 * One credit per incident. Each paid stretch's exact value goes to the first incident it
 * covers; the rounded total is then split so the entries add up to it exactly.
 */
export function compensationEntries(a: SettlingAssessment): LedgerEntry[] {
  const digits = minorDigitsOf(a.currency);
  const byIncident = new Map<
    string,
    { share: Ratio; lines: Assessment['details']['compensation'] }
  >();
  for (const id of a.incidents) byIncident.set(id, { share: ZERO, lines: [] });
  for (const line of a.details.compensation) {
    const target =
      byIncident.get(line.incidents.find((i) => byIncident.has(i)) ?? '') ??
      byIncident.values().next().value;
    if (!target) continue;
    // daily fee × fault time × multiplier ÷ one day, exact (as domain/assess computed it).
    const ms = BigInt(Math.round(line.faultSeconds * 1000));
    const value = mulRatio(
      ratioOf(decimal(line.dailyFee)),
      ms * BigInt(line.multiplier),
      BigInt(DAY_MS),
    );
    target.share = addRatio(target.share, value);
    target.lines.push(line);
  }
  const incidents = [...byIncident];
  const shares = incidents.map(([, { share }]) => share);
  const base = (lines: Assessment['details']['compensation']) => ({
    method: 'bonus_recharge',
    formula: 'daily_fee × fault_seconds × multiplier / 86400',
    lines,
  });
  const adj = adjustmentOf(a);
  if (!adj) {
    const parts = allocate(toMinor(decimal(a.amount), digits), shares, digits);
    return zip(incidents, parts).map(([[id, { lines }], part]) => ({
      kind: 'compensation',
      incident: id,
      amount: formatMinor(part, digits),
      details: base(lines),
    }));
  }
  if (incidents.length === 0)
    throw new SettleError('the edited amount has no incident to be paid for; decide it again');
  const computed = adj.computed === null ? null : allocate(adj.computed, shares, digits);
  const parts = splitProportional(adj.edited, shares);
  return zip(zip(incidents, parts), computed ?? parts.map(() => null)).map(
    ([[[id, { lines }], part], computedPart]) => ({
      kind: 'compensation',
      incident: id,
      amount: formatMinor(part, digits),
      details: {
        ...base(lines),
        ...adj.fields,
        computed_amount: computedPart === null ? null : formatMinor(computedPart, digits),
      },
    }),
  );
}

/** One refund per order: its amount less the unrecoverable reward tied to it, never below zero. */
export function refundEntries(a: SettlingAssessment, receiptNo: string): LedgerEntry[] {
  const digits = minorDigitsOf(a.currency);
  const nets = a.details.refund.map((line) => {
    const net =
      toMinor(decimal(line.amount), digits) -
      toMinor(parseDecimal(line.deduction) ?? decimal('0'), digits);
    return net < 0n ? 0n : net;
  });
  const adj = adjustmentOf(a);
  if (adj && nets.length === 0)
    throw new SettleError('the edited amount has no order to be refunded for; decide it again');
  const parts = adj
    ? splitProportional(
        adj.edited,
        nets.map((n) => ({ num: n, den: 1n })),
      )
    : nets;
  return zip(zip(a.details.refund, parts), nets).map(([[line, part], net]) => ({
    kind: 'refund',
    order: line.order,
    amount: formatMinor(part, digits),
    details: {
      receipt_no: receiptNo,
      order_amount: line.amount,
      deduction: line.deduction,
      ...(adj ? { ...adj.fields, computed_amount: formatMinor(net, digits) } : {}),
    },
  }));
}

/** The ICP reward: one credit, due within a week of receipt and valid one year. */
export function icpRewardEntries(a: SettlingAssessment, receivedAt: Date): LedgerEntry[] {
  const adj = adjustmentOf(a);
  return [
    {
      kind: 'icp_reward',
      amount: a.amount,
      details: {
        rule: 'icp_reward',
        withdrawable: false,
        ...(adj ? { ...adj.fields, computed_amount: adj.fields.computed_total } : {}),
      },
      creditBy: icpRewardCreditBy(receivedAt),
      validUntil: icpRewardValidUntil(receivedAt),
    },
  ];
}
