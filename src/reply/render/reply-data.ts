/**
 * What a reply says, as plain strings for the templates: which kind of reply a decision
 * gets, and exactly the variables that kind's templates use. Templates render in strict
 * mode, so a field named here and missing from a template's data stops start-up.
 */
import type { Assessment } from '../../domain/assess/types.ts';
import type { ParsedEmail } from '../../domain/email.ts';
import { ClaimIntakeError } from '../../domain/errors.ts';
import type { ReasonCode } from '../../domain/reasons.ts';
import { formatInstant } from '../../domain/time.ts';
import type { ReplyLang } from './language.ts';
import {
  faultMinutes,
  formatMoney,
  formulaOf,
  localTime,
  longDate,
  oneLine,
  oneYearAfter,
} from './template-format.ts';
import {
  exampleSubject,
  excludedCauseText,
  isMissingCode,
  lateClaimText,
  MISSING_FIELD,
  REQUEST_NAME,
  reasonText,
} from './template-words.ts';

export const REPLY_KINDS = [
  'compensation_approved',
  'refund_approved',
  'icp_reward_approved',
  'rejected',
  'needs_info',
  'review_ack',
  'complaint_ack',
] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** A reason in the customer's language, with the orders or incidents it concerns. */
export interface ReasonLine {
  code: ReasonCode;
  text: string;
  /** 'ORD-1, ORD-2', or '' when the reason concerns the claim as a whole. */
  items: string;
}

interface Common<K extends ReplyKind> {
  kind: K;
  lang: ReplyLang;
  /** The claim reference without brackets, e.g. 'CLM-000123'. */
  claimRef: string;
  /**
   * Whom the greeting names: a contact's display name, else the account; '' (a neutral
   * greeting) for anyone else. Never a bare address.
   */
  customerName: string;
  /** What the request is called: 'compensation claim', '赔偿申请', '賠償申請', … */
  request: string;
  /** The account id as found, or ''. */
  account: string;
}

/** One stretch of paid fault time, in the account's local time. */
export interface FaultLine {
  incidents: string;
  start: string;
  end: string;
  minutes: string;
}

export interface FormulaLine {
  resource: string;
  /** The stretch of fault time this line pays, local time. */
  start: string;
  end: string;
  /** '48.00 × 60 ÷ 1440 × 100 = 200.00' */
  formula: string;
}

export interface RefundOrderLine {
  order: string;
  amount: string;
  /** The unrecoverable ICP reward deducted, formatted, or '' when nothing was deducted. */
  deduction: string;
}

export interface CompensationReplyData extends Common<'compensation_approved'> {
  amount: string;
  /** IANA zone the times are in. */
  timezone: string;
  faults: FaultLine[];
  lines: FormulaLine[];
  /** Incidents left out (already compensated, excluded cause). */
  notes: ReasonLine[];
}

export interface RefundReplyData extends Common<'refund_approved'> {
  amount: string;
  orders: RefundOrderLine[];
  /** The receipt number once settlement generated it, else ''. */
  receipt: string;
  notes: ReasonLine[];
}

export interface IcpRewardReplyData extends Common<'icp_reward_approved'> {
  amount: string;
  /** Last day of validity, one year after receipt: '4 March 2027' / '2027年3月4日'. */
  validUntil: string;
}

export interface RejectedReplyData extends Common<'rejected'> {
  reasons: ReasonLine[];
}

export interface NeedsInfoReplyData extends Common<'needs_info'> {
  missing: { code: ReasonCode; text: string }[];
  exampleSubject: string;
}

export interface ReviewAckReplyData extends Common<'review_ack'> {
  /** A question (type inquiry): the acknowledgement also says what the support desk covers. */
  inquiry: boolean;
}
export type ComplaintAckReplyData = Common<'complaint_ack'>;

export type ReplyData =
  | CompensationReplyData
  | RefundReplyData
  | IcpRewardReplyData
  | RejectedReplyData
  | NeedsInfoReplyData
  | ReviewAckReplyData
  | ComplaintAckReplyData;

export interface ReplyInput {
  claimRef: string;
  assessment: Assessment;
  /** The customer's message: only its sender and subject are repeated. */
  email: Pick<ParsedEmail, 'from' | 'fromName' | 'subject'>;
  lang: ReplyLang;
  /** The claim's receipt time (IMAP INTERNALDATE), epoch ms: the ICP reward is valid a year from it. */
  receivedAt: number;
  /** The refund receipt number from settlement (`SettleResult.receiptNo`), when there is one. */
  receipt?: string;
  /**
   * The reply goes to a contact of a known account. Otherwise it repeats none of the sender's
   * own words (DESIGN "Automatic replies (v1.1)"): no display name, subject, account id as
   * written or order ids, any of which could carry text planted to be relayed by us.
   */
  contact: boolean;
}

const APPROVED_KIND: Partial<Record<Assessment['type'], ReplyKind>> = {
  compensation: 'compensation_approved',
  refund: 'refund_approved',
  icp_reward: 'icp_reward_approved',
};

/** The reply a decision gets; null for mail that is never answered (auto-generated). */
export function replyKind(a: Assessment): ReplyKind | null {
  switch (a.decision) {
    case 'ignored':
      return null;
    case 'needs_info':
      return 'needs_info';
    case 'rejected':
      return 'rejected';
    case 'review':
      return a.type === 'complaint' ? 'complaint_ack' : 'review_ack';
    case 'approved':
      // Only the three paying types can be approved; anything else is a bug upstream,
      // and an acknowledgement promises nothing.
      return APPROVED_KIND[a.type] ?? 'review_ack';
  }
}

/** The variables of the reply to this decision, in the reply's language. */
export function buildReplyData(input: ReplyInput): ReplyData {
  const { assessment: a, lang } = input;
  const kind = replyKind(a);
  if (kind === null) {
    throw new ClaimIntakeError('reply_not_sent', 'ignored mail gets no reply');
  }
  const own = input.contact;
  const common = {
    lang,
    claimRef: input.claimRef,
    customerName: own ? customerName(input.email, a.account) : '',
    request: REQUEST_NAME[a.type][lang],
    // An approval names an account of the records; any other decision may name one as written.
    account: own || a.decision === 'approved' ? (a.account ?? '') : '',
  };
  switch (kind) {
    case 'compensation_approved':
      return {
        ...common,
        kind,
        amount: money(a, lang),
        timezone: a.details.timezone,
        faults: faultLines(a),
        lines: a.details.compensation.map((line) => ({
          resource: line.resource,
          start: localTime(line.from),
          end: localTime(line.to),
          formula: formulaOf(line, currencyOf(a)),
        })),
        notes: reasonLines(a, lang, own, input.receivedAt),
      };
    case 'refund_approved':
      return {
        ...common,
        kind,
        amount: money(a, lang),
        orders: a.details.refund.map((line) => ({
          order: line.order,
          amount: formatMoney(line.amount, currencyOf(a), lang),
          deduction: isZero(line.deduction) ? '' : formatMoney(line.deduction, currencyOf(a), lang),
        })),
        receipt: input.receipt ?? '',
        notes: reasonLines(a, lang, own, input.receivedAt),
      };
    case 'icp_reward_approved':
      return {
        ...common,
        kind,
        amount: money(a, lang),
        validUntil: longDate(oneYearAfter(input.receivedAt), a.details.timezone, lang),
      };
    case 'rejected':
      return { ...common, kind, reasons: reasonLines(a, lang, own, input.receivedAt) };
    case 'needs_info':
      return {
        ...common,
        kind,
        missing: a.reasons
          .filter(isMissingCode)
          .map((code) => ({ code, text: MISSING_FIELD[code][lang] })),
        exampleSubject: exampleSubject(a.type, lang, common.account),
      };
    case 'review_ack':
      return { ...common, kind, inquiry: a.type === 'inquiry' };
    case 'complaint_ack':
      return { ...common, kind };
  }
}

function customerName(email: ReplyInput['email'], account: string | null): string {
  return oneLine(email.fromName ?? '', 80) || oneLine(account ?? '', 80);
}

function currencyOf(a: Assessment): string {
  if (a.currency === null) {
    throw new ClaimIntakeError('reply_data_invalid', `an approved ${a.type} has no currency`);
  }
  return a.currency;
}

function money(a: Assessment, lang: ReplyLang): string {
  if (a.amount === null) {
    throw new ClaimIntakeError('reply_data_invalid', `an approved ${a.type} has no amount`);
  }
  return formatMoney(a.amount, currencyOf(a), lang);
}

function isZero(amount: string): boolean {
  return /^0*(\.0*)?$/.test(amount);
}

/**
 * Every reason in plain words, each with the orders or incidents it concerns; to someone
 * who is no contact, without them (an unknown order id is the sender's text). An excluded
 * cause is told per incident with the cause that applied (incident ids are the records',
 * never the sender's), and a late claim with its received time and deadline.
 */
function reasonLines(
  a: Assessment,
  lang: ReplyLang,
  withItems: boolean,
  receivedAt: number,
): ReasonLine[] {
  return a.reasons.flatMap((code): ReasonLine[] => {
    if (code === 'excluded_cause') {
      const causes = Object.entries(a.details.excludedCauses ?? {});
      if (causes.length > 0)
        return causes.map(([incident, cause]) => ({
          code,
          text: excludedCauseText(incident, cause, lang),
          items: '',
        }));
    }
    if (code === 'late_claim' && a.deadline !== null) {
      // To the minute, like the fault times the replies show.
      const received = localTime(formatInstant(receivedAt, a.details.timezone)).slice(0, 16);
      const deadline = a.deadline.slice(0, 10);
      return [{ code, text: lateClaimText(received, deadline, lang), items: '' }];
    }
    return [
      {
        code,
        text: reasonText(code, lang),
        items: !withItems
          ? ''
          : Object.entries(a.details.perItem)
              .filter(([, codes]) => codes.includes(code))
              .map(([item]) => item)
              .join(', '),
      },
    ];
  });
}

/**
 * The paid stretches of fault time, once each: a stretch on several resources is one
 * fault to the customer. A stretch names every incident covering it, so overlapping
 * incidents read as one fault rather than two with made-up edges.
 */
function faultLines(a: Assessment): FaultLine[] {
  const seen = new Map<string, FaultLine>();
  for (const line of a.details.compensation) {
    const key = `${line.incidents.join(',')}|${line.from}|${line.to}`;
    if (seen.has(key)) continue;
    seen.set(key, {
      incidents: line.incidents.join(', '),
      start: localTime(line.from),
      end: localTime(line.to),
      minutes: faultMinutes(line.faultSeconds).text,
    });
  }
  return [...seen.values()].sort((x, y) => x.start.localeCompare(y.start));
}
