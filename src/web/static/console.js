// The console's only script (served from /static, allowed by the CSP's 'self'). No framework:
// it signs in, refreshes the queue and sends the agent's actions with the CSRF header.

const $ = (sel) => document.querySelector(sel);

/** The CSRF token lives in sessionStorage only: the session itself is the HttpOnly cookie. */
async function csrfToken() {
  const kept = sessionStorage.getItem('csrfToken');
  if (kept) return kept;
  const res = await fetch('/api/me', { credentials: 'same-origin' });
  if (!res.ok) throw new Error('not signed in');
  const me = await res.json();
  if (me.csrfToken) sessionStorage.setItem('csrfToken', me.csrfToken);
  return me.csrfToken;
}

async function api(method, url, body) {
  const headers = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = await csrfToken();
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    sessionStorage.removeItem('csrfToken');
    location.assign('/login');
  }
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw Object.assign(new Error(data?.error?.message ?? res.statusText), data?.error);
  return data;
}

function say(text, kind) {
  const s = $('#status');
  if (!s) return;
  s.textContent = text;
  s.dataset.kind = kind ?? 'info';
}

function esc(s) {
  return String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function initLogin() {
  $('#sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    say('Signing in…');
    try {
      const res = await fetch('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: form.email.value, password: form.password.value }),
      });
      const data = await res.json();
      if (!res.ok) return say(data.error?.message ?? 'sign-in failed', 'error');
      sessionStorage.setItem('csrfToken', data.csrfToken);
      location.assign('/');
    } catch {
      say('The server did not answer; try again.', 'error');
    }
  });
}

function queueUrl() {
  const q = new URLSearchParams();
  if ($('#filter-reason').value) q.set('reason', $('#filter-reason').value);
  if ($('#filter-type').value) q.set('type', $('#filter-type').value);
  if ($('#filter-vip').checked) q.set('vip', 'true');
  q.set('sort', $('#sort').value);
  return `/api/review/claims?${q}`;
}

function row(c) {
  const reasons = c.reasons.map((r) => `<span class="badge">${esc(r)}</span>`).join(' ');
  return `<tr data-claim-id="${Number(c.id)}">
<td><a class="claim-link" href="/claims/${Number(c.id)}">${esc(c.ref)}</a>${c.vip ? ' <span class="badge vip">VIP</span>' : ''}</td>
<td>${esc(c.subject)}<div class="muted">${esc(c.from)}</div></td>
<td>${esc(c.type)}</td><td>${reasons}</td>
<td class="num">${esc(c.amount)} ${esc(c.currency)}</td>
<td class="num">${Number(c.ageMinutes)} min</td><td>${esc(c.assignee)}</td></tr>`;
}

async function refreshQueue() {
  try {
    const q = await api('GET', queueUrl());
    $('#queue tbody').innerHTML = q.items.length
      ? q.items.map(row).join('')
      : '<tr class="empty"><td colspan="7">No claims are waiting for review.</td></tr>';
    $('#total').textContent = String(q.total);
    const counts = Object.entries(q.countsByReason);
    $('#reason-counts').innerHTML = counts.length
      ? counts
          .map(([r, n]) => `<li data-reason="${esc(r)}">${esc(r)} <b>${Number(n)}</b></li>`)
          .join('')
      : '<li class="muted">none</li>';
    say('');
  } catch (error) {
    say(`Could not refresh: ${error.message}`, 'error');
  }
}

function initQueue() {
  for (const id of ['#filter-reason', '#filter-type', '#filter-vip', '#sort'])
    $(id).addEventListener('change', refreshQueue);
  // Polling keeps every agent's view current without a reload (and without websockets).
  setInterval(refreshQueue, 5000);
}

function checked(name) {
  return [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function initClaim() {
  const claim = $('#claim');
  const base = `/api/review/claims/${claim.dataset.claimId}`;
  const note = () => $('#note').value.trim() || undefined;
  const version = () => Number(claim.dataset.version);

  const act = async (path, body) => {
    say('Working…');
    try {
      const done = await api('POST', `${base}/${path}`, body);
      claim.dataset.version = String(done.version);
      $('#version').textContent = String(done.version);
      say(`Done: ${done.decision}. The claim is now at version ${done.version}.`, 'ok');
    } catch (error) {
      say(
        error.code === 'version_conflict'
          ? 'Someone else changed this claim since you opened it. Reload the page to see the change.'
          : error.message,
        'error',
      );
    }
  };

  $('#approve').addEventListener('click', () => {
    const amount = $('#amount').value.trim();
    const computed = $('#amount').defaultValue.trim();
    act('approve', {
      expectedVersion: version(),
      ...(amount && amount !== computed ? { amount } : {}),
      note: note(),
    });
  });
  $('#reject').addEventListener('click', () =>
    act('reject', { expectedVersion: version(), reasons: checked('reject-reason'), note: note() }),
  );
  $('#request-info').addEventListener('click', () =>
    act('request-info', { expectedVersion: version(), missing: checked('missing'), note: note() }),
  );
  $('#preview').addEventListener('click', async () => {
    // The draft the agent is building: missing info wins, then rejection reasons, else approval.
    const missing = checked('missing');
    const reasons = checked('reject-reason');
    const amount = $('#amount').value.trim();
    const body = missing.length
      ? { decision: 'needs_info', missing, note: note() }
      : reasons.length
        ? { decision: 'rejected', reasons, note: note() }
        : {
            decision: 'approved',
            ...(amount && amount !== $('#amount').defaultValue.trim() ? { amount } : {}),
            note: note(),
          };
    try {
      const p = await api('POST', `${base}/preview`, body);
      $('#preview-text').textContent = `Subject: ${p.subject}\n\n${p.text}`;
      // srcdoc in a sandbox without scripts or same-origin: the reply HTML cannot act.
      $('#preview-html').srcdoc = p.html;
      say('Preview updated.');
    } catch (error) {
      say(error.message, 'error');
    }
  });
}

function initSignOut() {
  const b = $('#sign-out');
  if (!b) return;
  b.addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/session');
    } finally {
      sessionStorage.removeItem('csrfToken');
      location.assign('/login');
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  const page = document.body.dataset.page;
  initSignOut();
  if (page === 'login') initLogin();
  else if (page === 'queue') initQueue();
  else if (page === 'claim') initClaim();
});
