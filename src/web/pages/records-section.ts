/**
 * The claim page's "Records the decision used": the account, its resources, the incidents,
 * orders, past refund requests, payouts and ICP filings of the slice stored with the
 * decision, one compact table per kind present, and a Replay button (records.js). Record
 * values come from billing and incident feeds: every one is escaped. A large slice stays
 * readable: a table shows its first rows and folds the rest into a <details>.
 */
import type { ClaimDetail } from '../../review/detail.ts';
import type { RecordsJson } from '../../store/record-slices.ts';
import { esc } from './layout.ts';

/** Rows shown before a table folds the rest away. */
export const ROWS_SHOWN = 20;

type Row = Record<string, unknown>;

interface Column {
  title: string;
  cell: (r: Row) => unknown;
}

interface Kind {
  key: keyof RecordsJson;
  title: string;
  columns: Column[];
}

const field =
  (name: string): Column['cell'] =>
  (r) =>
    r[name];

const col = (title: string, name: string = title.toLowerCase()): Column => ({
  title,
  cell: field(name),
});

/** What an incident touches: its resource ids and its service/region scopes. */
function touches(r: Row): string[] {
  const ids = Array.isArray(r.resources) ? r.resources.map(String) : [];
  const scopes = Array.isArray(r.scope)
    ? r.scope.map((s) => {
        const x = (s ?? {}) as Row;
        return `${String(x.service ?? '?')} ${String(x.region ?? '?')}`;
      })
    : [];
  return [...ids, ...scopes];
}

function icpReward(r: Row): string | null {
  const reward = r.icp_reward as Row | undefined;
  if (!reward || typeof reward !== 'object') return null;
  return `${String(reward.amount ?? '?')}${reward.recoverable ? ' (recoverable)' : ''}`;
}

/** The kinds in the order the page shows them, each with its columns. */
const KINDS: Kind[] = [
  {
    key: 'accounts',
    title: 'Accounts',
    columns: [
      col('Id'),
      col('VIP'),
      col('Currency'),
      col('Timezone'),
      col('Contacts', 'emails'),
      col('Recharged', 'accumulated_recharge'),
      col('ICP rewarded', 'icp_rewarded'),
    ],
  },
  {
    key: 'resources',
    title: 'Resources',
    columns: [
      col('Id'),
      col('Service'),
      col('Region'),
      col('Billing'),
      col('Daily fee', 'daily_fee'),
      col('Host'),
      col('Status'),
    ],
  },
  {
    key: 'incidents',
    title: 'Incidents',
    columns: [
      col('Id'),
      col('Start'),
      col('End'),
      col('Cause'),
      col('Scenario'),
      { title: 'Touches', cell: touches },
    ],
  },
  {
    key: 'orders',
    title: 'Orders',
    columns: [
      col('Id'),
      col('Account'),
      col('Product'),
      col('Billing'),
      col('Amount'),
      col('Purchased', 'purchased_at'),
      col('Status'),
      { title: 'ICP reward', cell: icpReward },
    ],
  },
  {
    key: 'refunds',
    title: 'Past refund requests',
    columns: [col('Id'), col('Account'), col('At'), col('Orders')],
  },
  {
    key: 'compensations',
    title: 'Past payouts',
    columns: [col('Account'), col('Incident'), col('At')],
  },
  {
    key: 'icpFilings',
    title: 'ICP filings',
    columns: [
      col('Account'),
      col('Submitted', 'submitted_at'),
      col('Approved', 'approved_at'),
      col('First time', 'first_time'),
      col('Status'),
    ],
  },
];

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0))
    return '<span class="muted">—</span>';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v))
    return esc(v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', '));
  return esc(typeof v === 'string' ? v : JSON.stringify(v));
}

function rowsHtml(kind: Kind, rows: Row[], marked: Set<string>): string {
  return rows
    .map((r) => {
      const hit = typeof r.id === 'string' && marked.has(r.id);
      const cells = kind.columns.map((c, i) => {
        const badge = i === 0 && hit ? ' <span class="badge used">used</span>' : '';
        return `<td>${cell(c.cell(r))}${badge}</td>`;
      });
      return `<tr${hit ? ' class="used"' : ''}>${cells.join('')}</tr>`;
    })
    .join('');
}

function table(kind: Kind, rows: Row[], marked: Set<string>): string {
  const head = `<thead><tr>${kind.columns.map((c) => `<th scope="col">${esc(c.title)}</th>`).join('')}</tr></thead>`;
  return `<table class="records">${head}<tbody>${rowsHtml(kind, rows, marked)}</tbody></table>`;
}

/** The records the claim names or matched first (marked "used"), then the rest in slice order. */
function ordered(rows: Row[], marked: Set<string>): Row[] {
  const first = rows.filter((r) => typeof r.id === 'string' && marked.has(r.id));
  return [...first, ...rows.filter((r) => !first.includes(r))];
}

function kindSection(kind: Kind, all: Row[], marked: Set<string>): string {
  const rows = ordered(all, marked);
  const shown = rows.slice(0, ROWS_SHOWN);
  const rest = rows.slice(ROWS_SHOWN);
  const more = rest.length
    ? `<details class="more"><summary>${rest.length} more ${esc(kind.title.toLowerCase())}</summary>${table(kind, rest, marked)}</details>`
    : '';
  return `<div class="record-kind" data-kind="${esc(kind.key)}"><h3>${esc(kind.title)} <span class="muted">${rows.length}</span></h3>
<div class="scroll">${table(kind, shown, marked)}</div>${more}</div>`;
}

function intro(d: ClaimDetail): string {
  if (!d.assessment) return '<p class="muted">Not assessed yet.</p>';
  if (d.recordsSource === 'current')
    return '<p class="muted" id="records-source" data-source="current">This claim was assessed before decisions stored their records: below are the incidents and orders it matched as the records stand <em>now</em>, which may differ from what the decision read.</p>';
  return `<p class="muted" id="records-source" data-source="assessment">As read by decision version ${esc(String(d.recordsVersion))}, assessed ${esc(d.recordsAssessedAt ?? '')}; later changes to the records do not show here.</p>`;
}

function replay(d: ClaimDetail): string {
  if (d.recordsSource !== 'assessment') return '';
  return `<div class="buttons"><button type="button" id="replay" data-claim-id="${d.id}" data-records-version="${esc(String(d.recordsVersion))}">Replay</button>
<span class="muted">Runs the engine again on the stored email, these records, and the policy and calendar of the time.</span></div>
<div id="replay-result" role="status" aria-live="polite"></div>`;
}

export function recordsSection(d: ClaimDetail): string {
  const marked = new Set([
    ...d.incidents.map((i) => i.id),
    ...d.orders.map((o) => o.id),
    ...d.compensation.map((l) => l.resource),
    ...(d.account ? [d.account] : []),
  ]);
  const kinds = KINDS.filter((k) => (d.records[k.key]?.length ?? 0) > 0)
    .map((k) => kindSection(k, d.records[k.key], marked))
    .join('\n');
  const none = d.assessment && !kinds ? '<p class="muted">The decision read no records.</p>' : '';
  return `<section class="card" id="records" aria-labelledby="records-h"><h2 id="records-h">Records the decision used</h2>
${intro(d)}
${replay(d)}
${kinds}${none}
</section>`;
}
