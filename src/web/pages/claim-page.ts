/**
 * One claim: the email (sandboxed), what was found and why, the records the decision used
 * (records-section.ts), and the agent's actions.
 */
import { REASON_CODES } from '../../domain/reasons.ts';
import type { ClaimDetail } from '../../review/detail.ts';
import { MISSING_CODES } from '../../review/draft.ts';
import { esc, layout } from './layout.ts';
import { reasonText } from './queue-page.ts';
import { recordsSection } from './records-section.ts';

function json(v: unknown): string {
  return esc(typeof v === 'string' ? v : JSON.stringify(v));
}

function fields(d: ClaimDetail): string {
  const a = d.assessment;
  const rows: [string, unknown, string | undefined][] = [
    ['Type', d.type, undefined],
    ['Account', d.account, d.sources.account],
    ['Fault times', a?.faultTimes.join(', '), d.sources.faultTimes],
    ['Occurrences', a?.occurrencesClaimed, d.sources.occurrences],
    ['Orders', a?.orders.join(', '), d.sources.orders],
    ['Amount', d.amount === null ? null : `${d.amount} ${d.currency ?? ''}`, undefined],
  ];
  return rows
    .map(
      ([k, v, src]) =>
        `<dt>${esc(k)}</dt><dd>${v === null || v === undefined || v === '' ? '<span class="muted">—</span>' : json(v)}${src ? ` <span class="badge">from ${json(src)}</span>` : ''}</dd>`,
    )
    .join('');
}

function computation(d: ClaimDetail): string {
  const lines = [
    ...d.compensation.map(
      (l) =>
        `<li>${esc(l.resource)}: ${esc(l.from)} – ${esc(l.to)}, ${l.faultSeconds} s × ${l.multiplier}, daily fee ${esc(l.dailyFee)} (${esc(l.incidents.join(', '))})</li>`,
    ),
    ...d.refund.map(
      (l) => `<li>Order ${esc(l.order)}: ${esc(l.amount)} (deduction ${esc(l.deduction)})</li>`,
    ),
  ];
  return lines.length ? `<ul>${lines.join('')}</ul>` : '<p class="muted">No computation.</p>';
}

function thread(d: ClaimDetail): string {
  if (!d.thread.length) return '<p class="muted">No messages.</p>';
  return `<ol>${d.thread
    .map(
      (t) =>
        `<li class="${t.direction}"><div><b>${esc(t.direction === 'reply' ? 'Reply' : 'Customer')}</b> ${esc(t.at)} ${esc(t.state ?? '')}</div><div>${esc(t.subject)}</div>${t.purgedAt ? `<p class="muted">Purged on ${esc(t.purgedAt.slice(0, 10))}.</p>` : `<pre>${esc(t.text)}</pre>`}</li>`,
    )
    .join('')}</ol>`;
}

function audit(d: ClaimDetail): string {
  if (!d.audit.length) return '<p class="muted">Nothing yet.</p>';
  return `<ol>${d.audit
    .map((e) => `<li><time>${esc(e.at)}</time> <b>${esc(e.action)}</b> by ${esc(e.actor)}</li>`)
    .join('')}</ol>`;
}

function checkboxes(name: string, codes: readonly string[]): string {
  return codes
    .map(
      (c) =>
        `<label class="check"><input type="checkbox" name="${name}" value="${esc(c)}"> ${esc(reasonText(c))} <code>${esc(c)}</code></label>`,
    )
    .join('');
}

/** The text part is kept as an excerpt: say so when the email's text is longer (the frame shows it all). */
function excerptNote(d: ClaimDetail): string {
  const more = d.email.textChars - d.email.text.length;
  return more > 0
    ? `<p class="muted" id="email-text-more">The first ${d.email.text.length.toLocaleString('en')} of ${d.email.textChars.toLocaleString('en')} characters; the email above shows it all.</p>`
    : '';
}

/** The page lists the first attachments kept with the facts; the rest are counted. */
function moreAttachments(d: ClaimDetail): string {
  const more = d.email.attachmentCount - d.email.attachments.length;
  return more > 0
    ? `<p class="muted" id="attachments-more">and ${more.toLocaleString('en')} more attachment${more === 1 ? '' : 's'}</p>`
    : '';
}

export function claimPage(d: ClaimDetail): string {
  const attachments = d.email.attachments
    .map(
      (a, i) =>
        `<li><a href="/api/review/claims/${d.id}/attachments/${i}" download>${esc(a.filename ?? '(no name)')}</a> — ${esc(a.contentType)}, ${a.size} bytes</li>`,
    )
    .join('');
  return layout(
    `Claim ${d.ref}`,
    'claim',
    `<article id="claim" data-claim-id="${d.id}" data-version="${d.version}">
<h1>${esc(d.ref)} ${d.vip ? '<span class="badge vip">VIP</span>' : ''} <span class="badge">${esc(d.state)}</span></h1>
<p class="muted">From ${esc(d.email.from ?? 'unknown')} · received ${esc(d.receivedAt)} · ${esc(d.mailbox)} · version <span id="version">${d.version}</span></p>
<div class="grid">
<section class="card" aria-labelledby="email-h"><h2 id="email-h">${esc(d.email.subject || '(no subject)')}</h2>
${d.email.purgedAt ? `<p class="muted" id="purged">Original purged on ${esc(d.email.purgedAt.slice(0, 10))} (retention): the email and its attachments are gone; the decision, ledger and audit trail are kept.</p>` : ''}
<iframe id="email-frame" sandbox="" title="The customer's email" src="/api/review/claims/${d.id}/email.html"></iframe>
<details><summary>Text part</summary><pre id="email-text">${esc(d.email.text)}</pre>${excerptNote(d)}</details>
${attachments ? `<h3>Attachments</h3><ul id="attachments">${attachments}</ul>${moreAttachments(d)}` : ''}
</section>
<section class="card" aria-labelledby="found-h"><h2 id="found-h">What was found</h2>
<dl id="fields">${fields(d)}</dl>
<h3>Computation</h3><div id="computation">${computation(d)}</div>
<h3>Reasons</h3><ul id="reasons">${d.reasons.map((r) => `<li data-reason="${esc(r.code)}"><b>${esc(r.text)}</b> <code>${esc(r.code)}</code>${r.items.length ? ` (${esc(r.items.join(', '))})` : ''}</li>`).join('')}</ul>
</section>
</div>
${recordsSection(d)}
<section class="card" aria-labelledby="actions-h"><h2 id="actions-h">Decide</h2>
<form id="actions" novalidate>
<label for="amount">Amount to pay (leave empty for the computed one)</label>
<input id="amount" name="amount" inputmode="decimal" value="${esc(d.amount ?? '')}" aria-describedby="amount-error">
<p id="amount-error" class="alert" role="alert" hidden></p>
<label for="note">Note (required when you change the amount)</label>
<textarea id="note" name="note" rows="3"></textarea>
<fieldset><legend>Reasons to reject</legend>${checkboxes('reject-reason', REASON_CODES)}</fieldset>
<fieldset><legend>Information to request</legend>${checkboxes('missing', MISSING_CODES)}</fieldset>
<div class="buttons">
<button type="button" id="approve" class="primary">Approve</button>
<button type="button" id="reject" class="danger">Reject</button>
<button type="button" id="request-info">Request information</button>
<button type="button" id="preview" data-decision="approved">Preview reply</button>
</div>
<p id="status" role="status" aria-live="polite"></p>
</form>
<h3>Reply preview</h3>
<p id="preview-hint" class="muted">Choose a decision, then press Preview reply to see the exact text and HTML the customer gets, in their language.</p>
<pre id="preview-text" class="preview" hidden></pre>
<iframe id="preview-html" sandbox="" title="Reply preview (HTML)" hidden></iframe>
</section>
<section class="card" aria-labelledby="thread-h"><h2 id="thread-h">Thread</h2><div id="thread">${thread(d)}</div></section>
<section class="card" aria-labelledby="audit-h"><h2 id="audit-h">Audit</h2><div id="audit">${audit(d)}</div></section>
</article>`,
    true,
    { scripts: ['/static/records.js'], styles: ['/static/records.css'] },
  );
}
