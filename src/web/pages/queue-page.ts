/**
 * The review queue page. Its first render honours the same query parameters as
 * /api/review/claims (the page URL is its API URL); console.js then keeps the filters in the
 * URL and refreshes the table, counts and pager without a reload.
 */
import { REASON_CODES, REASON_TEXT } from '../../domain/reasons.ts';
import type { QueueChoices, ReviewQueue } from '../../review/queue.ts';
import type { Query } from '../queue-query.ts';
import { esc, layout } from './layout.ts';

const TYPES = ['compensation', 'refund', 'icp_reward'];
const PAGE_SIZES = ['10', '25', '50', '100'];
/** "Older than" units, in minutes (the API's minAge unit). */
const AGE_UNITS: [string, number][] = [
  ['hours', 60],
  ['days', 1440],
  ['minutes', 1],
];

/** The form's words for the API's parameter names, so a message names what the agent sees. */
const FIELD_LABELS: Record<string, string> = {
  minAge: 'Older than',
  maxAge: 'Newer than',
  minAmount: 'Amount from',
  maxAmount: 'Amount to',
  limit: 'Per page',
  vip: 'VIP only',
  sort: 'Sort',
  assignee: 'Assignee',
  cursor: 'Page',
};

export function filterMessage(message: string): string {
  return message.replace(/'([A-Za-z]+)'/g, (m, name: string) =>
    FIELD_LABELS[name] ? `“${FIELD_LABELS[name]}”` : m,
  );
}

export function reasonText(code: string): string {
  return (REASON_TEXT as Record<string, { en: string }>)[code]?.en ?? code;
}

/** 45 min, 3 h 20 min, 2 d 4 h: how long a claim has waited. */
export function formatAge(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 1440) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

function first(q: Query, name: string): string {
  const v = q[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
}

function options(
  values: readonly string[],
  chosen: string,
  label: (v: string) => string = (v) => v,
): string {
  // A value from the URL the list lacks is still shown chosen, so the form says what is applied.
  const all = chosen && !values.includes(chosen) ? [...values, chosen] : values;
  return all
    .map(
      (v) =>
        `<option value="${esc(v)}"${v === chosen ? ' selected' : ''}>${esc(label(v))}</option>`,
    )
    .join('');
}

export function queueRows(q: ReviewQueue): string {
  if (q.items.length === 0)
    return '<tr class="empty"><td colspan="7">No claims match these filters.</td></tr>';
  return q.items
    .map(
      (c) => `<tr data-claim-id="${c.id}">
<td><a class="claim-link" href="/claims/${c.id}">${esc(c.ref)}</a>${c.vip ? ' <span class="badge vip">VIP</span>' : ''}</td>
<td>${esc(c.subject)}<div class="muted">${esc(c.from ?? '')}</div></td>
<td>${esc(c.type ?? '')}</td>
<td>${c.reasons.map((r) => `<span class="badge" title="${esc(reasonText(r))}">${esc(r)}</span>`).join(' ')}</td>
<td class="num">${esc(c.amount ?? '')} ${esc(c.currency ?? '')}</td>
<td class="num">${formatAge(c.ageMinutes)}</td>
<td>${esc(c.assignee ?? '')}</td>
</tr>`,
    )
    .join('\n');
}

export function reasonCounts(q: ReviewQueue, chosen = ''): string {
  const entries = Object.entries(q.countsByReason);
  if (entries.length === 0) return '<li class="muted">none</li>';
  return entries
    .map(
      ([r, n]) =>
        `<li data-reason="${esc(r)}"><button type="button" class="chip" data-reason="${esc(r)}" aria-pressed="${r === chosen}" title="${esc(reasonText(r))}">${esc(r)} <b>${n}</b></button></li>`,
    )
    .join('');
}

function ageFields(raw: string): string {
  const minutes = /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
  // The largest unit that shows the value whole: 2880 is 2 days, 90 is 90 minutes.
  const [unit, size] =
    minutes === undefined
      ? AGE_UNITS[0]!
      : minutes > 0 && minutes % 1440 === 0
        ? AGE_UNITS[1]!
        : minutes % 60 === 0
          ? AGE_UNITS[0]!
          : AGE_UNITS[2]!;
  const shown = minutes === undefined ? raw : String(minutes / size);
  return `<label>Older than <span class="pair"><input id="filter-age" name="age" inputmode="numeric" size="4" value="${esc(shown)}" aria-describedby="filter-error">
<select id="filter-age-unit" aria-label="Age unit">${AGE_UNITS.map(([u, n]) => `<option value="${n}"${u === unit ? ' selected' : ''}>${u}</option>`).join('')}</select></span></label>`;
}

export interface QueueView {
  /** The query string as given (shown back in the form, even when invalid). */
  query: Query;
  /** Null when the filters are invalid: `error` says why. */
  queue: ReviewQueue | null;
  error?: string;
  choices: QueueChoices;
  /** The signed-in user's email, for "Assigned to me". */
  me: string | null;
}

function filterForm(v: QueueView): string {
  const q = v.query;
  const reason = first(q, 'reason');
  const assignee = first(q, 'assignee');
  const people = v.choices.assignees.filter((a) => a !== v.me);
  const assigneeOptions = [
    `<option value="">Anyone</option>`,
    `<option value="none"${assignee === 'none' ? ' selected' : ''}>Unassigned</option>`,
    v.me
      ? `<option value="me"${assignee === 'me' ? ' selected' : ''}>Me (${esc(v.me)})</option>`
      : '',
    options(people, assignee === 'none' || assignee === 'me' ? '' : assignee),
  ].join('');
  return `<form id="filters" class="filters card" method="get" action="/" aria-label="Filters">
<label>Reason <select id="filter-reason" name="reason"><option value="">Any reason</option>${options(REASON_CODES, reason)}</select></label>
<label>Type <select id="filter-type" name="type"><option value="">Any type</option>${options(TYPES, first(q, 'type'))}</select></label>
<label>Mailbox <select id="filter-mailbox" name="mailbox"><option value="">Any mailbox</option>${options(v.choices.mailboxes, first(q, 'mailbox'))}</select></label>
<label>Assignee <select id="filter-assignee" name="assignee">${assigneeOptions}</select></label>
${ageFields(first(q, 'minAge'))}
<label>Amount <span class="pair"><input id="filter-min-amount" name="minAmount" inputmode="decimal" size="8" placeholder="from" aria-label="Amount from" value="${esc(first(q, 'minAmount'))}">
<span aria-hidden="true">–</span><input id="filter-max-amount" name="maxAmount" inputmode="decimal" size="8" placeholder="to" aria-label="Amount to" value="${esc(first(q, 'maxAmount'))}"></span></label>
<label class="check"><input type="checkbox" id="filter-vip" name="vip" value="true"${first(q, 'vip') === 'true' ? ' checked' : ''}> VIP only</label>
<label>Sort <select id="sort" name="sort">${options(['oldest', 'priority'], first(q, 'sort') || 'oldest', (s) => (s === 'oldest' ? 'Oldest first' : 'Priority'))}</select></label>
<label>Per page <select id="page-size" name="limit">${options(PAGE_SIZES, first(q, 'limit') || '50')}</select></label>
<div class="filter-actions"><button type="submit" class="primary">Apply</button> <a id="clear-filters" href="/">Clear filters</a></div>
</form>`;
}

function pager(v: QueueView): string {
  const q = v.queue;
  const cursor = first(v.query, 'cursor');
  const info = q ? `Showing ${q.items.length} of ${q.total}` : '';
  return `<nav id="pager" class="pager" aria-label="Pages">
<button type="button" id="prev-page"${cursor ? '' : ' disabled'}>← Previous</button>
<span id="page-info" class="muted">${info}</span>
<button type="button" id="next-page" data-cursor="${esc(q?.nextCursor ?? '')}"${q?.nextCursor ? '' : ' disabled'}>Next →</button>
</nav>`;
}

export function queuePage(v: QueueView): string {
  const q = v.queue;
  const rows = q
    ? queueRows(q)
    : '<tr class="empty"><td colspan="7">Fix the filters above to see claims.</td></tr>';
  return layout(
    'Review queue',
    'queue',
    `<h1>Review queue <span id="total" class="muted">${q ? q.total : '—'}</span></h1>
${filterForm(v)}
<p id="filter-error" class="alert" role="alert"${v.error ? '' : ' hidden'}>${esc(v.error ? filterMessage(v.error) : '')}</p>
<section aria-labelledby="counts-h"><h2 id="counts-h" class="small">Claims per reason</h2>
<ul id="reason-counts" class="counts">${q ? reasonCounts(q, first(v.query, 'reason')) : ''}</ul></section>
<table id="queue">
<caption class="visually-hidden">Claims waiting for review</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Subject</th><th scope="col">Type</th><th scope="col">Reasons</th><th scope="col">Amount</th><th scope="col">Age</th><th scope="col">Assignee</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${pager(v)}
<p id="status" role="status" aria-live="polite"></p>`,
  );
}
