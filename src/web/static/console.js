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
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  // A body that is not JSON (a proxy's error page) is no data, not a crash.
  const data = res.status === 204 ? null : await res.json().catch(() => null);
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

// The login form works without this script too (a plain POST to /login); with it, the sign-in
// goes through the JSON API, keeps the CSRF token, and shows failures without a reload.
function initLogin() {
  $('#sign-in').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    $('#sign-in-error')?.remove();
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
      // The page it came for, as the server checked it when it rendered the form.
      location.assign(form.elements.next?.value || '/');
    } catch {
      say('The server did not answer; try again.', 'error');
    }
  });
}

// ---- The review queue. The page URL carries the filters and the page (a reload or a
// bookmark shows the same view); the API takes the very same parameters.

const LABELS = {
  minAge: 'Older than',
  minAmount: 'Amount from',
  maxAmount: 'Amount to',
  limit: 'Per page',
  assignee: 'Assignee',
  cursor: 'Page',
};
const queueState = { cursor: '', nextCursor: '', seq: 0, inFlight: 0 };

class FilterError extends Error {}

/** The filters in the form → the query (without the page's cursor). */
function filterParams() {
  const f = $('#filters');
  const q = new URLSearchParams();
  for (const name of ['reason', 'type', 'mailbox', 'assignee'])
    if (f.elements[name].value) q.set(name, f.elements[name].value);
  const age = $('#filter-age').value.trim();
  if (age) {
    if (!/^\d{1,6}$/.test(age)) throw new FilterError('“Older than” must be a whole number.');
    q.set('minAge', String(Number(age) * Number($('#filter-age-unit').value)));
  }
  for (const name of ['minAmount', 'maxAmount']) {
    const v = f.elements[name].value.trim();
    // Kept as typed: the server compares exact decimals, never floats.
    if (v) q.set(name, v);
  }
  if ($('#filter-vip').checked) q.set('vip', 'true');
  if ($('#sort').value !== 'oldest') q.set('sort', $('#sort').value);
  if ($('#page-size').value !== '50') q.set('limit', $('#page-size').value);
  return q;
}

/** The URL → the form (after the browser's back and forward buttons). */
function fillFilters(q) {
  const f = $('#filters');
  const choose = (select, value) => {
    if (value && ![...select.options].some((o) => o.value === value))
      select.add(new Option(value, value));
    select.value = value;
  };
  for (const name of ['reason', 'type', 'mailbox', 'assignee'])
    choose(f.elements[name], q.get(name) ?? '');
  const minutes = q.get('minAge');
  const n = /^\d+$/.test(minutes ?? '') ? Number(minutes) : undefined;
  const unit = n === undefined ? 60 : n > 0 && n % 1440 === 0 ? 1440 : n % 60 === 0 ? 60 : 1;
  $('#filter-age-unit').value = String(unit);
  $('#filter-age').value = n === undefined ? (minutes ?? '') : String(n / unit);
  f.elements.minAmount.value = q.get('minAmount') ?? '';
  f.elements.maxAmount.value = q.get('maxAmount') ?? '';
  $('#filter-vip').checked = q.get('vip') === 'true';
  choose($('#sort'), q.get('sort') ?? 'oldest');
  choose($('#page-size'), q.get('limit') ?? '50');
  queueState.cursor = q.get('cursor') ?? '';
}

function showFilterError(message) {
  const e = $('#filter-error');
  e.hidden = !message;
  e.textContent = message
    ? message.replace(/'([A-Za-z]+)'/g, (m, name) => (LABELS[name] ? `“${LABELS[name]}”` : m))
    : '';
}

function formatAge(minutes) {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 1440) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${Math.floor(minutes / 1440)} d ${Math.floor((minutes % 1440) / 60)} h`;
}

function row(c) {
  const reasons = c.reasons.map((r) => `<span class="badge">${esc(r)}</span>`).join(' ');
  return `<tr data-claim-id="${Number(c.id)}">
<td><a class="claim-link" href="/claims/${Number(c.id)}">${esc(c.ref)}</a>${c.vip ? ' <span class="badge vip">VIP</span>' : ''}</td>
<td>${esc(c.subject)}<div class="muted">${esc(c.from)}</div></td>
<td>${esc(c.type)}</td><td>${reasons}</td>
<td class="num">${esc(c.amount)} ${esc(c.currency)}</td>
<td class="num">${formatAge(Number(c.ageMinutes))}</td><td>${esc(c.assignee)}</td></tr>`;
}

function emptyRow(text) {
  return `<tr class="empty"><td colspan="7">${esc(text)}</td></tr>`;
}

function renderQueue(q) {
  $('#queue tbody').innerHTML = q.items.length
    ? q.items.map(row).join('')
    : emptyRow(
        queueState.cursor ? 'No claims on this page any more.' : 'No claims match these filters.',
      );
  $('#total').textContent = String(q.total);
  const chosen = $('#filter-reason').value;
  const counts = Object.entries(q.countsByReason);
  $('#reason-counts').innerHTML = counts.length
    ? counts
        .map(
          ([r, n]) =>
            `<li data-reason="${esc(r)}"><button type="button" class="chip" data-reason="${esc(r)}" aria-pressed="${r === chosen}">${esc(r)} <b>${Number(n)}</b></button></li>`,
        )
        .join('')
    : '<li class="muted">none</li>';
  queueState.nextCursor = q.nextCursor ?? '';
  $('#next-page').disabled = !q.nextCursor;
  $('#prev-page').disabled = !queueState.cursor;
  $('#page-info').textContent = `Showing ${q.items.length} of ${q.total}`;
}

/** The page's URL for the current filters and page. */
function pageQuery() {
  const q = filterParams();
  if (queueState.cursor) q.set('cursor', queueState.cursor);
  return q;
}

/** Only the newest request's answer is shown: an older one may arrive after it. */
async function refreshQueue() {
  const seq = ++queueState.seq;
  queueState.inFlight++;
  try {
    const q = pageQuery();
    const data = await api('GET', `/api/review/claims?${q}`);
    if (seq !== queueState.seq) return;
    renderQueue(data);
    showFilterError('');
    say('');
  } catch (error) {
    if (seq !== queueState.seq) return;
    if (error instanceof FilterError || error.code === 'invalid_input') {
      showFilterError(error.message);
      $('#queue tbody').innerHTML = emptyRow('Fix the filters above to see claims.');
      $('#total').textContent = '—';
      $('#reason-counts').innerHTML = '';
      $('#page-info').textContent = '';
      $('#next-page').disabled = true;
    } else say(`Could not refresh: ${error.message}`, 'error');
  } finally {
    queueState.inFlight--;
  }
}

/** Filters changed: back to the first page, the URL replaced (no history entry per keystroke). */
function applyFilters() {
  queueState.cursor = '';
  try {
    history.replaceState(null, '', `?${filterParams()}`);
  } catch {
    // An invalid filter keeps the old URL; refreshQueue shows the message.
  }
  void refreshQueue();
}

function initQueue() {
  const form = $('#filters');
  form.addEventListener('change', applyFilters);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters();
  });
  $('#clear-filters').addEventListener('click', (event) => {
    event.preventDefault();
    fillFilters(new URLSearchParams());
    applyFilters();
  });
  $('#reason-counts').addEventListener('click', (event) => {
    const chip = event.target.closest('button[data-reason]');
    if (!chip) return;
    const select = $('#filter-reason');
    select.value = select.value === chip.dataset.reason ? '' : chip.dataset.reason;
    applyFilters();
  });
  // Each page is a history entry, so Previous (and the browser's Back) return to the one before.
  $('#next-page').addEventListener('click', () => {
    if (!queueState.nextCursor) return;
    const depth = (history.state?.depth ?? 0) + 1;
    queueState.cursor = queueState.nextCursor;
    history.pushState({ depth }, '', `?${pageQuery()}`);
    void refreshQueue();
  });
  $('#prev-page').addEventListener('click', () => {
    if (history.state?.depth > 0) return history.back();
    // Opened on a later page (a bookmark): the page before is unknown, so go to the first.
    queueState.cursor = '';
    history.replaceState(null, '', `?${filterParams()}`);
    void refreshQueue();
  });
  window.addEventListener('popstate', () => {
    fillFilters(new URLSearchParams(location.search));
    void refreshQueue();
  });
  queueState.cursor = new URLSearchParams(location.search).get('cursor') ?? '';
  queueState.nextCursor = $('#next-page').dataset.cursor ?? '';
  // Polling keeps every agent's view current without a reload (and without websockets).
  setInterval(() => queueState.inFlight === 0 && refreshQueue(), 5000);
}

function checked(name) {
  return [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

function initClaim() {
  const claim = $('#claim');
  const base = `/api/review/claims/${claim.dataset.claimId}`;
  const note = () => $('#note').value.trim() || undefined;
  const version = () => Number(claim.dataset.version);
  // A refused edited amount (format, limits, who may) is told beside the field as well.
  const amountError = (body, error) => {
    const shown = Boolean(error && body.amount !== undefined && error.code === 'invalid_input');
    $('#amount-error').hidden = !shown;
    $('#amount-error').textContent = shown ? error.message : '';
    $('#amount').toggleAttribute('aria-invalid', shown);
  };

  const act = async (path, body) => {
    say('Working…');
    try {
      const done = await api('POST', `${base}/${path}`, body);
      amountError(body, null);
      claim.dataset.version = String(done.version);
      $('#version').textContent = String(done.version);
      say(`Done: ${done.decision}. The claim is now at version ${done.version}.`, 'ok');
    } catch (error) {
      amountError(body, error);
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
      // The HTML comes as its own document, under a CSP that lets its inline styles apply and
      // nothing run; the frame's sandbox (no scripts, no same-origin) holds it as well.
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(body))
        if (v !== undefined) q.set(k, Array.isArray(v) ? v.join(',') : v);
      $('#preview-html').src = `${base}/preview.html?${q}`;
      $('#preview-hint').hidden = true;
      $('#preview-text').hidden = false;
      $('#preview-html').hidden = false;
      amountError(body, null);
      say('Preview updated.');
    } catch (error) {
      amountError(body, error);
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
