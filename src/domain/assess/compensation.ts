/**
 * "100 times fault compensation": match the claimed fault times to recorded incidents
 * affecting the account, check the seven-working-day deadline, settle the claimed set.
 */
import { isOutsideCoverage, nthWorkingDayAfter } from '../calendar.ts';
import { type ClaimedTime, extractFaultTimes } from '../extract/fault-times.ts';
import { findOccurrences } from '../extract/occurrences.ts';
import { minorDigitsOf, pow10, roundHalfUp } from '../money.ts';
import type { AffectedIncident } from '../record-index.ts';
import { DAY_MS, endOfLocalDate, formatInstant, localDateOf, startOfLocalDate } from '../time.ts';
import { type Claim, locate, type Outcome, outcome } from './claim.ts';
import { compensationAmount } from './compensation-amount.ts';
import type { Source } from './types.ts';

const MINUTE_MS = 60_000;

export function assessCompensation(claim: Claim): Outcome {
  const { ctx, result: a, timeZone } = claim;
  const out = outcome();
  const times = claimedFaultTimes(claim.subject, claim.body, timeZone);
  const count = locate(claim.subject, claim.body, findOccurrences);
  a.faultTimes = (times?.value ?? []).map((t) =>
    t.kind === 'date' ? t.date : formatInstant(t.at, timeZone),
  );
  a.occurrencesClaimed = count?.value ?? null;
  if (times) a.details.sources.faultTimes = times.source;
  if (count) a.details.sources.occurrences = count.source;

  if (claim.accountId === null) out.missing.push('missing_account');
  if (!times) out.missing.push('missing_fault_time');
  if (!count) out.missing.push('missing_occurrences');
  if (out.missing.length > 0 || !claim.account || !times || !count) return out;
  const sources = [a.details.sources.account, times.source, count.source];
  if (sources.includes('body'))
    out.reasons.push({ code: 'fields_outside_subject', effect: 'review' });

  const account = claim.account;
  const affected = ctx.index.affectedIncidents(account.id);
  const tolerance = ctx.policy.matchToleranceMinutes * MINUTE_MS;
  const bestMatch = (t: ClaimedTime): AffectedIncident | undefined => {
    let best: AffectedIncident | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const candidate of affected) {
      const { start, end } = candidate.incident;
      let distance: number;
      if (t.kind === 'date') {
        if (localDateOf(start, timeZone) !== t.date) continue;
        distance = -start; // A whole day: the day's latest fault is the one meant.
      } else {
        if (t.at < start - tolerance || t.at > end + tolerance) continue;
        distance = Math.abs(start - t.at);
      }
      // Incidents are sorted by start, so `<=` prefers the later start on a tie.
      if (distance <= bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  };

  const claimed = [...times.value].sort((x, y) => reference(x, timeZone) - reference(y, timeZone));
  const latest = claimed[claimed.length - 1]!;
  const last = bestMatch(latest);
  if (!last) {
    out.reasons.push({ code: 'no_matching_incident', effect: 'reject' });
    return out;
  }
  a.details.lastFault = last.incident.id;
  const lastDate = localDateOf(last.incident.start, timeZone);
  const deadlineDate = nthWorkingDayAfter(
    ctx.calendar,
    lastDate,
    ctx.policy.claimWindowWorkingDays,
  );
  const deadline = endOfLocalDate(deadlineDate, timeZone);
  a.deadline = formatInstant(deadline, timeZone);
  for (const date of [lastDate, deadlineDate]) {
    if (isOutsideCoverage(ctx.calendar, date)) {
      a.warnings.push(`calendar_not_covering ${date}: working days there are weekdays only`);
    }
  }
  if (claim.input.receivedAt > deadline) out.reasons.push({ code: 'late_claim', effect: 'reject' });

  const set = claimedIncidents(
    claimed,
    last,
    affected,
    bestMatch,
    count.value,
    ctx.policy.lookbackDays,
  );
  a.details.matchedIncidents = set.map((s) => s.incident.id);
  if (set.length !== count.value) out.reasons.push({ code: 'count_mismatch', effect: 'review' });

  const payable: AffectedIncident[] = [];
  const dropped: { code: 'already_compensated' | 'excluded_cause'; id: string }[] = [];
  for (const item of set) {
    if (ctx.index.isCompensated(account.id, item.incident.id)) {
      dropped.push({ code: 'already_compensated', id: item.incident.id });
    } else if (item.incident.cause !== 'platform') {
      dropped.push({ code: 'excluded_cause', id: item.incident.id });
      a.details.excludedCauses = {
        ...a.details.excludedCauses,
        [item.incident.id]: item.incident.cause,
      };
    } else payable.push(item);
  }
  const effect = payable.length === 0 ? 'reject' : 'inform';
  for (const d of dropped) out.reasons.push({ code: d.code, effect, subject: d.id });
  if (payable.length === 0) return out;

  payable.sort((x, y) => x.incident.start - y.incident.start);
  a.incidents = payable.map((p) => p.incident.id);
  const { total, lines } = compensationAmount(payable, ctx.policy.multipliers, timeZone);
  a.details.compensation = lines;
  out.amount = total;
  // The limit applies to the amount as paid: the total rounded once to the minor unit.
  const limit = ctx.policy.reviewAbove;
  const digits = minorDigitsOf(account.currency);
  if (roundHalfUp(total, digits) * pow10(limit.scale) > limit.units * pow10(digits)) {
    out.reasons.push({ code: 'amount_over_review_limit', effect: 'review' });
  }
  return out;
}

/** The fault times claimed in the subject, else in the body, read in `timeZone`. */
export function claimedFaultTimes(
  subject: string,
  body: string,
  timeZone: string,
): { value: ClaimedTime[]; source: Source } | null {
  return locate(subject, body, (t) => nonEmpty(extractFaultTimes(t, timeZone)));
}

/**
 * With two or more distinct claimed times, their best matches; with one, the last fault
 * plus the N−1 most recent earlier affected incidents that started within the look-back.
 */
function claimedIncidents(
  claimed: ClaimedTime[],
  last: AffectedIncident,
  affected: AffectedIncident[],
  bestMatch: (t: ClaimedTime) => AffectedIncident | undefined,
  n: number,
  lookbackDays: number,
): AffectedIncident[] {
  if (claimed.length >= 2) {
    const set: AffectedIncident[] = [];
    for (const t of claimed) {
      const m = bestMatch(t);
      if (m && !set.includes(m)) set.push(m);
    }
    return set;
  }
  const from = last.incident.start - lookbackDays * DAY_MS;
  const earlier = affected
    .filter((x) => x !== last && x.incident.start < last.incident.start && x.incident.start >= from)
    .reverse()
    .slice(0, Math.max(0, n - 1));
  return [last, ...earlier];
}

/** The instant a claimed time stands for when ordering claims: a date counts from its start. */
function reference(t: ClaimedTime, timeZone: string): number {
  return t.kind === 'date' ? startOfLocalDate(t.date, timeZone) : t.at;
}

function nonEmpty<T>(list: T[]): T[] | null {
  return list.length > 0 ? list : null;
}
