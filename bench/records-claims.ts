/**
 * Claim emails (~5 KB, English and Chinese) about the generated records, so decisions are
 * real: compensation for incidents that hit the account's resources (in time, late, or at a
 * time nothing happened), refunds of its recent or old orders (or someone else's), the ICP
 * reward, complaints, a missing field, an unknown account, a stranger writing, an account
 * id without its label. Each claim is received at one of a few instants a week apart, and
 * what it names is chosen relative to that instant.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { message, pad } from './generate.ts';
import {
  accountId,
  DAY_MS,
  HOUR_MS,
  int,
  iso8,
  pick,
  type Random,
  type Raw,
  type Scope,
  SPAN_END,
  scopeKey,
  shanghai,
} from './records-shape.ts';

/** An account claims are written for, with everything of its own that was generated. */
export interface Claimant {
  account: Raw;
  resources: Raw[];
  orders: Raw[];
  refunds: Raw[];
  filings: Raw[];
  compensations: Raw[];
}

export interface GeneratedClaim {
  /** The .eml file's name in the claims directory. */
  file: string;
  /** When the mailbox received it: ISO 8601 with +08:00. */
  received: string;
  /** What it was built as, e.g. `compensation`, `refund-old`, `stranger`. */
  kind: string;
  account: string;
}

export interface IndexedIncident {
  id: string;
  start: number;
  end: number;
  cause: string;
  raw: Raw;
}

/** The generated incidents, by the scope they name and by the resources they name. */
export class IncidentIndex {
  readonly all: IndexedIncident[] = [];
  private readonly byScope = new Map<string, IndexedIncident[]>();
  private readonly byResource = new Map<string, IndexedIncident[]>();

  add(raw: Raw): void {
    const inc: IndexedIncident = {
      id: raw.id as string,
      start: Date.parse(raw.start as string),
      end: Date.parse(raw.end as string),
      cause: raw.cause as string,
      raw,
    };
    this.all.push(inc);
    for (const s of (raw.scope as Scope[] | undefined) ?? []) push(this.byScope, scopeKey(s), inc);
    for (const r of (raw.resources as string[] | undefined) ?? []) push(this.byResource, r, inc);
  }

  /** Incidents touching any of these resources, by start time. */
  affecting(resources: Raw[]): IndexedIncident[] {
    const found = new Set<IndexedIncident>();
    const scopes = new Set<string>();
    for (const r of resources) {
      scopes.add(scopeKey({ service: r.service as string, region: r.region as string }));
      for (const inc of this.byResource.get(r.id as string) ?? []) found.add(inc);
    }
    for (const s of scopes) for (const inc of this.byScope.get(s) ?? []) found.add(inc);
    return [...found].sort((a, b) => a.start - b.start);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface BuildInput {
  claimants: Claimant[];
  index: IncidentIndex;
  /** Orders of anyone, for a refund of an order the claimant does not own. */
  strayOrders: Raw[];
  /** Generated accounts (ids beyond are unknown). */
  accounts: number;
  /** Claims to write, spread over the claimants in turn. */
  count: number;
  dir: string;
  receivedTimes: number;
  random: Random;
}

/** Kinds, their shares, and when a claimant can have one. */
type Situation = {
  recent: IndexedIncident[];
  late: IndexedIncident[];
  recentOrders: Raw[];
  c: Claimant;
  strays: Raw[];
};
const KINDS: [string, number, (s: Situation) => boolean][] = [
  ['compensation', 50, (s) => s.recent.length > 0],
  ['compensation-late', 5, (s) => s.late.length > 0],
  ['compensation-no-incident', 4, () => true],
  ['compensation-needs-info', 4, () => true],
  ['compensation-unlabelled', 3, (s) => s.recent.length > 0],
  ['stranger', 2, (s) => s.recent.length > 0],
  ['refund', 16, (s) => s.recentOrders.length > 0],
  ['refund-old', 3, (s) => s.c.orders.length > 0],
  ['refund-not-owned', 1, (s) => s.strays.length > 0],
  ['icp', 8, (s) => s.c.filings.length > 0],
  ['icp-no-filing', 1, (s) => s.c.filings.length === 0],
  ['complaint', 4, () => true],
  ['unknown-account', 2, () => true],
];

const MINUTE_MS = 60_000;
/** The last received instant: the span's last day, 10:00 Shanghai. */
const LAST_RECEIVED = SPAN_END - DAY_MS + 10 * HOUR_MS;

export function buildClaims(input: BuildInput): { claims: GeneratedClaim[]; alreadyPaid: Raw[] } {
  const { index, random } = input;
  const claims: GeneratedClaim[] = [];
  const alreadyPaid: Raw[] = [];
  // More claims than accounts (small records): each account writes several.
  for (let n = 0; n < input.count && input.claimants.length > 0; n++) {
    const c = input.claimants[n % input.claimants.length]!;
    const id = c.account.id as string;
    const received = LAST_RECEIVED - int(random, 0, input.receivedTimes - 1) * 7 * DAY_MS;
    const affected = index.affecting(c.resources);
    const within = (from: number, to: number) =>
      affected.filter((i) => i.start >= received - from && i.end <= received - to);
    const situation: Situation = {
      c,
      recent: within(8 * DAY_MS, HOUR_MS),
      late: within(40 * DAY_MS, 12 * DAY_MS),
      recentOrders: c.orders.filter((o) => {
        const at = Date.parse(o.purchased_at as string);
        return at < received - HOUR_MS && at >= received - 200 * HOUR_MS;
      }),
      strays: input.strayOrders.filter((o) => o.account !== id),
    };
    const kind = pick(
      KINDS.filter(([, , can]) => can(situation)).map(([k, w]) => [k, w] as const),
      random,
    );
    const chinese = random() < 0.4;
    const from = (c.account.emails as string[])[0]!;
    const one = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
    let subject: string;
    let lead = '';
    let sender = from;
    let claimed = id;
    switch (kind) {
      case 'compensation':
      case 'compensation-unlabelled':
      case 'stranger':
      case 'compensation-late': {
        const inc = one(kind === 'compensation-late' ? situation.late : situation.recent);
        const at = inc.start + int(random, 0, Math.min(30, (inc.end - inc.start) / MINUTE_MS - 1));
        if (kind === 'compensation' && random() < 0.04)
          alreadyPaid.push({ account: id, incident: inc.id, at: iso8(inc.end + DAY_MS) });
        subject = compensationSubject(id, at, random() < 0.1 ? 2 : 1, chinese, kind);
        if (kind === 'stranger') sender = `someone${n}@mail.example`;
        lead = resourceLine(c, chinese);
        break;
      }
      case 'compensation-no-incident': {
        const at = quietTime(affected, received, random);
        subject = compensationSubject(id, at, 1, chinese, kind);
        break;
      }
      case 'compensation-needs-info':
        subject = chinese ? `赔偿申请 账号：${id}` : `Compensation claim - Account: ${id}`;
        break;
      case 'refund':
      case 'refund-old':
      case 'refund-not-owned': {
        const list =
          kind === 'refund'
            ? situation.recentOrders
            : kind === 'refund-old'
              ? c.orders
              : situation.strays;
        const o = one(list).id as string;
        subject = chinese
          ? `退款申请 账号：${id} 订单号：${o}`
          : `Refund request - Account: ${id} - Order: ${o}`;
        break;
      }
      case 'icp':
      case 'icp-no-filing':
        subject = chinese
          ? `ICP备案奖励申请 账号：${id}`
          : `ICP license reward claim - Account: ${id}`;
        break;
      case 'complaint':
        subject = chinese
          ? `投诉：客服响应太慢 账号 ${id}`
          : `Complaint about support response, account ${id}`;
        break;
      default: {
        claimed = accountId(input.accounts + n);
        subject = chinese
          ? `赔偿申请 账号：${claimed} 故障时间：2026年3月2日10时05分 次数：1次`
          : `Compensation claim - Account: ${claimed}; Fault time: 2026-03-02 10:05; Occurrences: 1`;
      }
    }
    const alternative = random() < 0.5;
    // Base64 adds a third and the HTML twin doubles the text: aim at ~5 KB on the wire.
    const budget = alternative ? 1700 : 3400;
    const text = pad(
      `${chinese ? '您好，' : 'Hello,'}\n${lead}`,
      chinese ? budget / 3 : budget,
      chinese,
    );
    const file = `claim-${String(n).padStart(6, '0')}-${kind}.eml`;
    const raw = message(n, sender, subject, text, alternative, `records-${n}@mail.test`);
    writeFileSync(join(input.dir, file), raw);
    claims.push({ file, received: iso8(received), kind, account: claimed });
  }
  return { claims, alreadyPaid };
}

function compensationSubject(
  id: string,
  at: number,
  occurrences: number,
  chinese: boolean,
  kind: string,
): string {
  const t = shanghai(at);
  const two = (x: number) => String(x).padStart(2, '0');
  if (chinese) {
    const account = kind === 'compensation-unlabelled' ? id : `账号：${id}`;
    return `赔偿申请 ${account} 故障时间：${t.year}年${t.month}月${t.day}日${t.hour}时${two(t.minute)}分 次数：${occurrences}次`;
  }
  const account = kind === 'compensation-unlabelled' ? `for ${id}` : `- Account: ${id}`;
  return `Compensation claim ${account}; Fault time: ${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}; Occurrences: ${occurrences}`;
}

function resourceLine(c: Claimant, chinese: boolean): string {
  const r = c.resources[0];
  if (!r) return '';
  return chinese
    ? `受影响的资源：${r.id}（${r.service}，${r.region}）。\n`
    : `Affected resource: ${r.id} (${r.service}, ${r.region}).\n`;
}

/** A minute in the week before `received` at least an hour from every affected incident. */
function quietTime(affected: IndexedIncident[], received: number, random: Random): number {
  let at = received - DAY_MS;
  for (let tries = 0; tries < 20; tries++) {
    at = received - int(random, 2 * 60, 8 * 24 * 60) * MINUTE_MS;
    if (!affected.some((i) => at >= i.start - HOUR_MS && at <= i.end + HOUR_MS)) break;
  }
  return at;
}
