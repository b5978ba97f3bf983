/**
 * The ops page (roles ops and admin): queue health at a glance, failed jobs with Retry and
 * Discard, Pause/Resume per queue, and each mailbox's state. First render here; then
 * /static/ops.js polls the ops API and redraws the same markup in place.
 */
import type { MailboxState } from '../../ops/mailbox-state.ts';
import { isFresh } from '../../ops/mailbox-state.ts';
import type { FailedJob, FailedPage, QueueHealth } from '../../ops/queue-admin.ts';
import type { OpsDeps } from '../routes/ops.ts';
import { esc, layout } from './layout.ts';

/** Failed jobs shown per queue; the API pages further. */
export const FAILED_SHOWN = 20;

export interface OpsSnapshot {
  queues: QueueHealth[];
  failed: FailedPage[];
  mailboxes: MailboxState[];
  /** Why part of the page could not be read (Redis away, no queues in this process). */
  problem?: string;
}

/** Everything the page shows, read at once; a failure becomes a message, not a 500. */
export async function loadOpsSnapshot(ops: OpsDeps | undefined): Promise<OpsSnapshot> {
  if (!ops)
    return {
      queues: [],
      failed: [],
      mailboxes: [],
      problem: 'This web process has no connection to the queues.',
    };
  try {
    const [queues, mailboxes] = await Promise.all([ops.queues.health(), ops.mailboxes()]);
    const failed = await Promise.all(
      queues
        .filter((q) => q.counts.failed > 0)
        .map((q) => ops.queues.failed(q.name, 0, FAILED_SHOWN)),
    );
    return { queues, failed, mailboxes };
  } catch {
    return {
      queues: [],
      failed: [],
      mailboxes: [],
      problem: 'The queues could not be read (is Redis reachable?); retrying.',
    };
  }
}

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function formatAge(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)} %`;
}

function stat(label: string, key: string, value: string, hint = ''): string {
  return `<div class="stat"><dt>${esc(label)}</dt><dd data-stat="${key}">${esc(value)}</dd>${hint ? `<dd class="hint" data-hint="${key}">${esc(hint)}</dd>` : ''}</div>`;
}

export function queueCard(q: QueueHealth): string {
  const waiting = q.counts.waiting + q.counts.prioritized + q.counts.paused;
  const alarm = q.counts.failed > 0 ? ' alarm' : '';
  return `<article class="card queue-card${q.paused ? ' is-paused' : ''}${alarm}" data-queue="${esc(q.name)}" aria-labelledby="queue-${esc(q.name)}">
<header><h3 id="queue-${esc(q.name)}">${esc(q.name)}</h3>
<span class="pill ${q.paused ? 'paused' : 'running'}" data-field="state">${q.paused ? 'Paused' : 'Running'}</span>
<button type="button" class="${q.paused ? 'primary' : ''}" data-action="${q.paused ? 'resume' : 'pause'}" data-queue="${esc(q.name)}">${q.paused ? 'Resume' : 'Pause'}</button></header>
<dl class="stats">
${stat('Waiting', 'waiting', String(waiting))}
${stat('Active', 'active', String(q.counts.active))}
${stat('Delayed', 'delayed', String(q.counts.delayed), 'retrying after backoff')}
${stat('Failed', 'failed', String(q.counts.failed))}
${stat('Done, last hour', 'throughput', String(q.completedLastHour), `${q.throughputPerMinute} per minute`)}
${stat('Failure rate', 'failureRate', formatRate(q.failureRate), `${q.failedLastHour} failed, last hour`)}
${stat('Oldest waiting', 'oldestWaiting', formatAge(q.oldestWaitingSeconds))}
</dl>
</article>`;
}

function failedRow(queue: string, job: FailedJob): string {
  const claim = job.claimId === null ? '—' : `<a href="/claims/${job.claimId}">#${job.claimId}</a>`;
  const stack = job.stack.filter((l) => l.trim() !== '').join('\n');
  return `<tr data-queue="${esc(queue)}" data-job-id="${esc(job.id)}">
<td>${esc(queue)}</td>
<td><code>${esc(job.id)}</code></td>
<td>${claim}</td>
<td class="num">${job.attemptsMade}</td>
<td class="error"><span class="reason">${esc(job.failedReason)}</span>${stack ? `<details><summary>Stack</summary><pre>${esc(stack)}</pre></details>` : ''}</td>
<td class="when">${job.finishedAt ? `<time datetime="${esc(job.finishedAt)}">${esc(job.finishedAt.replace('T', ' ').slice(0, 19))} UTC</time>` : '—'}</td>
<td class="actions"><button type="button" class="primary" data-action="retry">Retry</button> <button type="button" class="danger" data-action="discard">Discard</button></td>
</tr>`;
}

export function failedRows(pages: FailedPage[]): string {
  const rows = pages.flatMap((p) => p.jobs.map((j) => failedRow(p.queue, j)));
  return rows.length > 0
    ? rows.join('\n')
    : '<tr class="empty"><td colspan="7">No failed jobs. All clear.</td></tr>';
}

export function retryAllButtons(pages: FailedPage[]): string {
  return pages
    .filter((p) => p.total > 0)
    .map(
      (p) =>
        `<button type="button" data-action="retry-failed" data-queue="${esc(p.queue)}">Retry all failed in ${esc(p.queue)} (${p.total})</button>`,
    )
    .join(' ');
}

function mailboxStatus(m: MailboxState): { label: string; kind: string } {
  if (m.leader === null) return { label: 'No poller', kind: 'down' };
  if (!isFresh(m)) return { label: 'Stale', kind: 'warn' };
  return m.connected ? { label: 'Connected', kind: 'ok' } : { label: 'Disconnected', kind: 'down' };
}

export function mailboxRows(mailboxes: MailboxState[]): string {
  if (mailboxes.length === 0)
    return '<tr class="empty"><td colspan="8">No mailboxes are configured.</td></tr>';
  return mailboxes
    .map((m) => {
      const s = mailboxStatus(m);
      return `<tr data-mailbox="${esc(m.name)}">
<td>${esc(m.name)}</td>
<td><span class="pill ${s.kind}">${s.label}</span></td>
<td>${esc(m.leader ?? '—')}</td>
<td>${m.lastPollAt ? `<time datetime="${esc(m.lastPollAt)}">${esc(m.lastPollAt.replace('T', ' ').slice(0, 19))} UTC</time>` : '—'}</td>
<td class="num">${esc(formatAge(m.lagSeconds))}</td>
<td class="num">${m.stored}</td>
<td class="num">${m.quarantined}</td>
<td class="num">${m.reconnects}</td>
</tr>`;
    })
    .join('\n');
}

export function opsPage(s: OpsSnapshot): string {
  return layout(
    'Operations',
    'ops',
    `<div class="ops-head"><h1>Operations</h1><p class="muted">Refreshes every few seconds · <span id="updated">${esc(new Date().toISOString().slice(11, 19))} UTC</span></p></div>
<p id="problem" class="problem"${s.problem ? '' : ' hidden'}>${esc(s.problem ?? '')}</p>
<section aria-labelledby="queues-h">
<h2 id="queues-h">Queues</h2>
<div id="queues" class="queue-grid">
${s.queues.map(queueCard).join('\n')}
</div>
</section>
<section aria-labelledby="failed-h">
<div class="section-head"><h2 id="failed-h">Failed jobs</h2><div id="retry-all" class="buttons">${retryAllButtons(s.failed)}</div></div>
<table id="failed-jobs">
<caption class="visually-hidden">Jobs that failed for good, most recent first</caption>
<thead><tr><th scope="col">Queue</th><th scope="col">Job</th><th scope="col">Claim</th><th scope="col">Attempts</th><th scope="col">Error</th><th scope="col">Failed at</th><th scope="col">Actions</th></tr></thead>
<tbody>
${failedRows(s.failed)}
</tbody>
</table>
</section>
<section aria-labelledby="mailboxes-h">
<h2 id="mailboxes-h">Mailboxes</h2>
<table id="mailboxes">
<caption class="visually-hidden">Each mailbox's poller</caption>
<thead><tr><th scope="col">Mailbox</th><th scope="col">Status</th><th scope="col">Leader</th><th scope="col">Last poll</th><th scope="col">Lag</th><th scope="col">Stored</th><th scope="col">Quarantined</th><th scope="col">Reconnects</th></tr></thead>
<tbody>
${mailboxRows(s.mailboxes)}
</tbody>
</table>
</section>
<p id="status" role="status" aria-live="polite"></p>`,
    true,
    { scripts: ['/static/ops.js'], styles: ['/static/ops.css'] },
  );
}

/** What an agent sees at /ops: a page, not a JSON error. */
export function opsForbiddenPage(role: string): string {
  return layout(
    'Not allowed',
    'forbidden',
    `<section class="card narrow">
<h1>Operations is for ops</h1>
<p>You are signed in as <b>${esc(role)}</b>. The operations page needs the <b>ops</b> or <b>admin</b> role; ask an admin if you need it.</p>
<p><a href="/">Back to the review queue</a></p>
</section>`,
  );
}
