// The claim page's Replay button (src/web/pages/records-section.ts): asks the API to run the
// engine again on what the decision stored, and says whether it decides the same. Served from
// /static like console.js (the CSP runs nothing inline). A GET, so no CSRF token is needed.
// Everything shown is set as text, never as HTML.

(() => {
  /** An assessment field name (occurrencesClaimed) as check's field (occurrences_claimed). */
  const checkName = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  const el = (tag, text, className) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  };

  const shown = (v) => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

  function differences(r) {
    const table = el('table', undefined, 'records');
    const head = table.createTHead().insertRow();
    for (const t of ['Field', 'Stored', 'Replayed']) head.append(el('th', t));
    const body = table.createTBody();
    for (const d of r.differences) {
      const row = body.insertRow();
      const key = checkName(d);
      const known = Object.hasOwn(r.stored, key) || Object.hasOwn(r.replayed, key);
      row.append(el('td', d), el('td', known ? shown(r.stored[key]) : 'see the explanation'));
      row.append(el('td', known ? shown(r.replayed[key]) : ''));
    }
    return table;
  }

  async function replay(button, out) {
    const id = Number(button.dataset.claimId);
    const q = new URLSearchParams({ version: button.dataset.recordsVersion ?? '' });
    button.disabled = true;
    out.replaceChildren(el('p', 'Replaying…', 'muted'));
    try {
      const res = await fetch(`/api/review/claims/${id}/replay?${q}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (res.status === 401) return location.assign('/login');
      const r = await res.json().catch(() => null);
      if (!res.ok) throw new Error(r?.error?.message ?? res.statusText);
      const at = `decision version ${r.version}, assessed ${r.assessedAt}`;
      if (r.same) {
        out.replaceChildren(el('p', 'Same decision', 'replay-same'), el('p', at, 'muted'));
      } else {
        out.replaceChildren(
          el('p', `Different decision: ${r.differences.join(', ')}`, 'replay-differs'),
          el('p', at, 'muted'),
          differences(r),
        );
      }
    } catch (error) {
      out.replaceChildren(el('p', `Cannot replay: ${error.message}`, 'replay-error'));
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    const button = document.querySelector('#replay');
    const out = document.querySelector('#replay-result');
    if (button && out) button.addEventListener('click', () => replay(button, out));
  });
})();
