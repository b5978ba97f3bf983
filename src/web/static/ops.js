// The ops page's script (served from /static, allowed by the CSP's 'self'). It polls the ops
// API every few seconds and redraws the queues, failed jobs and mailboxes in place (the same
// markup as src/web/pages/ops-page.ts), and sends Retry, Discard, Retry all, Pause and Resume
// with the CSRF header. Wrapped in a function: console.js shares the page's global scope.
(() => {
  const POLL_MS = 4000;
  const FAILED_SHOWN = 20;
  // $, api (with the CSRF header), say and esc come from console.js, loaded first on every page.

  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  function formatRate(rate) {
    if (rate === null || rate === undefined) return '—';
    return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)} %`;
  }

  const utc = (iso) => `${iso.replace('T', ' ').slice(0, 19)} UTC`;
  const time = (iso) => (iso ? `<time datetime="${esc(iso)}">${esc(utc(iso))}</time>` : '—');

  function stat(label, key, value, hint) {
    return `<div class="stat"><dt>${esc(label)}</dt><dd data-stat="${key}">${esc(value)}</dd>${hint ? `<dd class="hint" data-hint="${key}">${esc(hint)}</dd>` : ''}</div>`;
  }

  function queueCard(q) {
    const c = q.counts;
    const name = esc(q.name);
    return `<article class="card queue-card${q.paused ? ' is-paused' : ''}${c.failed > 0 ? ' alarm' : ''}" data-queue="${name}" aria-labelledby="queue-${name}">
<header><h3 id="queue-${name}">${name}</h3>
<span class="pill ${q.paused ? 'paused' : 'running'}" data-field="state">${q.paused ? 'Paused' : 'Running'}</span>
<button type="button" class="${q.paused ? 'primary' : ''}" data-action="${q.paused ? 'resume' : 'pause'}" data-queue="${name}">${q.paused ? 'Resume' : 'Pause'}</button></header>
<dl class="stats">
${stat('Waiting', 'waiting', String(c.waiting + c.prioritized + c.paused))}
${stat('Active', 'active', String(c.active))}
${stat('Delayed', 'delayed', String(c.delayed), 'retrying after backoff')}
${stat('Failed', 'failed', String(c.failed))}
${stat('Done, last hour', 'throughput', String(q.completedLastHour), `${q.throughputPerMinute} per minute`)}
${stat('Failure rate', 'failureRate', formatRate(q.failureRate), `${q.failedLastHour} failed, last hour`)}
${stat('Oldest waiting', 'oldestWaiting', formatAge(q.oldestWaitingSeconds))}
</dl>
</article>`;
  }

  function failedRow(queue, job) {
    const claim =
      job.claimId === null ? '—' : `<a href="/claims/${job.claimId}">#${job.claimId}</a>`;
    const stack = job.stack.filter((l) => l.trim() !== '').join('\n');
    return `<tr data-queue="${esc(queue)}" data-job-id="${esc(job.id)}">
<td>${esc(queue)}</td>
<td><code>${esc(job.id)}</code></td>
<td>${claim}</td>
<td class="num">${job.attemptsMade}</td>
<td class="error"><span class="reason">${esc(job.failedReason)}</span>${stack ? `<details><summary>Stack</summary><pre>${esc(stack)}</pre></details>` : ''}</td>
<td class="when">${time(job.finishedAt)}</td>
<td class="actions"><button type="button" class="primary" data-action="retry">Retry</button> <button type="button" class="danger" data-action="discard">Discard</button></td>
</tr>`;
  }

  function mailboxStatus(m) {
    if (m.leader === null) return ['No poller', 'down'];
    if (!m.fresh) return ['Stale', 'warn'];
    return m.connected ? ['Connected', 'ok'] : ['Disconnected', 'down'];
  }

  function mailboxRow(m) {
    const [label, kind] = mailboxStatus(m);
    return `<tr data-mailbox="${esc(m.name)}">
<td>${esc(m.name)}</td>
<td><span class="pill ${kind}">${label}</span></td>
<td>${esc(m.leader ?? '—')}</td>
<td>${time(m.lastPollAt)}</td>
<td class="num">${esc(formatAge(m.lagSeconds))}</td>
<td class="num">${m.stored}</td>
<td class="num">${m.quarantined}</td>
<td class="num">${m.reconnects}</td>
</tr>`;
  }

  function render(queues, failed, mailboxes) {
    $('#queues').innerHTML = queues.map(queueCard).join('\n');
    // Keep the stack traces the reader opened.
    const open = new Set(
      [...document.querySelectorAll('#failed-jobs details[open]')].map(
        (d) => d.closest('tr').dataset.jobId,
      ),
    );
    const rows = failed.flatMap((p) => p.jobs.map((j) => failedRow(p.queue, j)));
    $('#failed-jobs tbody').innerHTML =
      rows.length > 0
        ? rows.join('\n')
        : '<tr class="empty"><td colspan="7">No failed jobs. All clear.</td></tr>';
    for (const tr of document.querySelectorAll('#failed-jobs tbody tr[data-job-id]'))
      if (open.has(tr.dataset.jobId)) tr.querySelector('details')?.setAttribute('open', '');
    $('#retry-all').innerHTML = failed
      .filter((p) => p.total > 0)
      .map(
        (p) =>
          `<button type="button" data-action="retry-failed" data-queue="${esc(p.queue)}">Retry all failed in ${esc(p.queue)} (${p.total})</button>`,
      )
      .join(' ');
    $('#mailboxes tbody').innerHTML =
      mailboxes.length > 0
        ? mailboxes.map(mailboxRow).join('\n')
        : '<tr class="empty"><td colspan="8">No mailboxes are configured.</td></tr>';
  }

  function problem(text) {
    const p = $('#problem');
    p.hidden = !text;
    p.textContent = text ?? '';
  }

  async function refreshOnce() {
    try {
      const [q, m] = await Promise.all([
        api('GET', '/api/ops/queues'),
        api('GET', '/api/ops/mailboxes'),
      ]);
      const failed = await Promise.all(
        q.queues
          .filter((x) => x.counts.failed > 0)
          .map((x) =>
            api(
              'GET',
              `/api/ops/queues/${encodeURIComponent(x.name)}/failed?limit=${FAILED_SHOWN}`,
            ),
          ),
      );
      render(q.queues, failed, m.mailboxes);
      problem(null);
      $('#updated').textContent = `${q.at.slice(11, 19)} UTC`;
    } catch (error) {
      problem(`Could not refresh: ${error.message}. Retrying.`);
    }
  }

  let running = null;
  let again = false;
  /** Refreshes never overlap: asked during one, it runs once more when that one ends. */
  function refresh() {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await refreshOnce();
      } while (again);
      running = null;
    })();
    return running;
  }

  const ACTIONS = {
    pause: (b) => ({
      url: `/api/ops/queues/${encodeURIComponent(b.dataset.queue)}/pause`,
      done: `Paused ${b.dataset.queue}.`,
    }),
    resume: (b) => ({
      url: `/api/ops/queues/${encodeURIComponent(b.dataset.queue)}/resume`,
      done: `Resumed ${b.dataset.queue}.`,
    }),
    'retry-failed': (b) => ({
      url: `/api/ops/queues/${encodeURIComponent(b.dataset.queue)}/retry-failed`,
      done: `Retried the failed jobs of ${b.dataset.queue}.`,
    }),
    retry: (b) => {
      const { queue, jobId } = b.closest('tr').dataset;
      return {
        url: `/api/ops/queues/${encodeURIComponent(queue)}/failed/${encodeURIComponent(jobId)}/retry`,
        done: `Job ${jobId} is back in line.`,
      };
    },
    discard: (b) => {
      const { queue, jobId } = b.closest('tr').dataset;
      return {
        url: `/api/ops/queues/${encodeURIComponent(queue)}/failed/${encodeURIComponent(jobId)}/discard`,
        done: `Job ${jobId} discarded.`,
        confirm: `Discard job ${jobId} for good? The claim stays in the database.`,
      };
    },
  };

  async function act(button) {
    const action = ACTIONS[button.dataset.action]?.(button);
    if (!action || (action.confirm && !window.confirm(action.confirm))) return;
    button.disabled = true;
    say('Working…');
    try {
      await api('POST', action.url);
      say(action.done, 'ok');
    } catch (error) {
      say(error.message, 'error');
    } finally {
      button.disabled = false;
      await refresh();
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    if (document.body.dataset.page !== 'ops') return;
    $('#main').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button) void act(button);
    });
    const tick = async () => {
      // A hidden tab does not poll; it refreshes as soon as it is shown again.
      if (!document.hidden) await refresh();
      setTimeout(tick, POLL_MS);
    };
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) void refresh();
    });
    setTimeout(tick, POLL_MS);
  });
})();
