/** The login form and the review queue page (first render; console.js refreshes the table). */
import { REASON_CODES, REASON_TEXT } from '../../domain/reasons.ts';
import type { ReviewQueue } from '../../review/queue.ts';
import { esc, layout } from './layout.ts';

export function loginPage(): string {
  return layout(
    'Sign in',
    'login',
    `<section class="card narrow">
<h1>Sign in</h1>
<form id="sign-in" method="post" action="/api/session">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Sign in</button>
<p id="status" role="status" aria-live="polite"></p>
</form>
</section>`,
    false,
  );
}

const TYPES = ['compensation', 'refund', 'icp_reward'];

export function reasonText(code: string): string {
  return (REASON_TEXT as Record<string, { en: string }>)[code]?.en ?? code;
}

function options(values: readonly string[], label: (v: string) => string): string {
  return values.map((v) => `<option value="${esc(v)}">${esc(label(v))}</option>`).join('');
}

export function queueRows(q: ReviewQueue): string {
  if (q.items.length === 0)
    return '<tr class="empty"><td colspan="7">No claims are waiting for review.</td></tr>';
  return q.items
    .map(
      (c) => `<tr data-claim-id="${c.id}">
<td><a class="claim-link" href="/claims/${c.id}">${esc(c.ref)}</a>${c.vip ? ' <span class="badge vip">VIP</span>' : ''}</td>
<td>${esc(c.subject)}<div class="muted">${esc(c.from ?? '')}</div></td>
<td>${esc(c.type ?? '')}</td>
<td>${c.reasons.map((r) => `<span class="badge" title="${esc(reasonText(r))}">${esc(r)}</span>`).join(' ')}</td>
<td class="num">${esc(c.amount ?? '')} ${esc(c.currency ?? '')}</td>
<td class="num">${c.ageMinutes} min</td>
<td>${esc(c.assignee ?? '')}</td>
</tr>`,
    )
    .join('\n');
}

export function reasonCounts(q: ReviewQueue): string {
  const entries = Object.entries(q.countsByReason);
  if (entries.length === 0) return '<li class="muted">none</li>';
  return entries
    .map(
      ([r, n]) =>
        `<li data-reason="${esc(r)}"><span title="${esc(reasonText(r))}">${esc(r)}</span> <b>${n}</b></li>`,
    )
    .join('');
}

export function queuePage(q: ReviewQueue): string {
  return layout(
    'Review queue',
    'queue',
    `<h1>Review queue <span id="total" class="muted">${q.total}</span></h1>
<form id="filters" class="filters" aria-label="Filters">
<label>Reason <select id="filter-reason"><option value="">Any reason</option>${options(REASON_CODES, (r) => r)}</select></label>
<label>Type <select id="filter-type"><option value="">Any type</option>${options(TYPES, (t) => t)}</select></label>
<label class="check"><input type="checkbox" id="filter-vip"> VIP only</label>
<label>Sort <select id="sort"><option value="oldest">Oldest first</option><option value="priority">Priority</option></select></label>
</form>
<section aria-labelledby="counts-h"><h2 id="counts-h" class="small">Claims per reason</h2>
<ul id="reason-counts" class="counts">${reasonCounts(q)}</ul></section>
<table id="queue">
<caption class="visually-hidden">Claims waiting for review</caption>
<thead><tr><th scope="col">Claim</th><th scope="col">Subject</th><th scope="col">Type</th><th scope="col">Reasons</th><th scope="col">Amount</th><th scope="col">Age</th><th scope="col">Assignee</th></tr></thead>
<tbody>
${queueRows(q)}
</tbody>
</table>
<p id="status" role="status" aria-live="polite"></p>`,
  );
}
