/**
 * What one generated platform record looks like (CONTRACT.md, "Records directory"): a
 * provider's regions and services, billing modes, causes and their shares. Each builder
 * draws from the caller's PRNG, so a record depends only on the seed and its place in the
 * stream. Regions avoid the examples' (cn-north-1, cn-east-2): the generated incidents
 * never touch the example accounts, whose decisions stay as examples/expected.jsonl says.
 */
import { toLocal } from '../src/domain/time.ts';

export type Random = () => number;
export type Raw = Record<string, unknown>;

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const SHANGHAI_MS = 8 * HOUR_MS;

/** Generated times fall in these six months (Shanghai time). */
export const SPAN_START = Date.parse('2025-10-01T00:00:00+08:00');
export const SPAN_END = Date.parse('2026-04-01T00:00:00+08:00');

type Weighted<T> = readonly (readonly [T, number])[];

const REGIONS: Weighted<string> = [
  ['cn-north-4', 20],
  ['cn-east-3', 18],
  ['cn-south-1', 14],
  ['ap-southeast-1', 10],
  ['cn-north-9', 6],
  ['cn-southwest-2', 6],
  ['ap-southeast-3', 6],
  ['cn-east-5', 4],
  ['ap-southeast-4', 3],
  ['af-south-1', 3],
  ['la-south-2', 3],
  ['tr-west-1', 3],
  ['eu-west-101', 2],
  ['me-east-1', 2],
];
/** Service, share, resource id prefix and a few product flavours. */
const SERVICES: Weighted<readonly [string, string, readonly string[]]> = [
  [['ECS', 'ecs', ['c7.large', 's6.xlarge', 'm7.2xlarge', 'g6.4xlarge']], 40],
  [['EVS', 'evs', ['SSD 500GB', 'GPSSD 1TB']], 12],
  [['RDS', 'rds', ['mysql.x2.large', 'pg.x4.xlarge']], 10],
  [['OBS', 'obs', ['standard 1TB', 'archive 10TB']], 10],
  [['ELB', 'elb', ['shared', 'dedicated.small']], 8],
  [['VPC', 'vpc', ['EIP 5Mbit/s', 'NAT small']], 8],
  [['CCE', 'cce', ['cluster 50 nodes', 'turbo 200 nodes']], 6],
  [['DCS', 'dcs', ['redis 4GB', 'redis 32GB']], 6],
];
const RESOURCE_BILLING: Weighted<string> = [
  ['monthly', 40],
  ['yearly', 20],
  ['on_demand', 25],
  ['hourly_package', 5],
  ['postpaid', 10],
];
const ORDER_BILLING: Weighted<string> = [
  ['monthly', 40],
  ['yearly', 15],
  ['hourly_package', 10],
  ['on_demand', 25],
  ['postpaid', 10],
];
const CAUSES: Weighted<string> = [
  ['platform', 70],
  ['maintenance', 10],
  ['carrier', 5],
  ['backbone', 5],
  ['attack', 4],
  ['force_majeure', 3],
  ['customer', 3],
];

export function pick<T>(table: Weighted<T>, random: Random): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let x = random() * total;
  for (const [value, w] of table) {
    x -= w;
    if (x < 0) return value;
  }
  return table[table.length - 1]![0];
}

export function int(random: Random, from: number, to: number): number {
  return from + Math.floor(random() * (to - from + 1));
}

const money = (cents: number) => (cents / 100).toFixed(2);
const minute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
export const inSpan = (random: Random) => minute(SPAN_START + random() * (SPAN_END - SPAN_START));

/** ISO 8601 in Shanghai time (+08:00), as the provider's systems write it. */
export function iso8(ms: number): string {
  return `${new Date(ms + SHANGHAI_MS).toISOString().slice(0, 19)}+08:00`;
}

/** The local (Shanghai) wall-clock parts of an instant, for claim texts. */
export function shanghai(ms: number) {
  return toLocal(ms, 'Asia/Shanghai');
}

export const accountId = (i: number) => `acct-${String(i).padStart(7, '0')}`;

/** Where an account runs its resources: one to three regions (a whale: three). */
export function homeRegions(random: Random, whale: boolean): string[] {
  const x = random();
  const count = whale ? 3 : x < 0.7 ? 1 : x < 0.95 ? 2 : 3;
  const regions: string[] = [];
  for (let tries = 0; regions.length < count && tries < 20; tries++) {
    const r = pick(REGIONS, random);
    if (!regions.includes(r)) regions.push(r);
  }
  return regions;
}

export function account(i: number, random: Random): Raw {
  const id = accountId(i);
  const domain = `${id}.test`;
  const emails = [`ops@${domain}`];
  if (random() < 0.5) emails.push(`billing@${domain}`);
  if (random() < 0.2) emails.push(`it@${domain}`);
  const record: Raw = {
    id,
    emails,
    vip: random() < 0.05,
    currency: random() < 0.03 ? 'USD' : 'CNY',
  };
  if (random() < 0.1) record.timezone = 'Asia/Shanghai';
  // A quarter below the ICP reward's 200.00 minimum; the rest from 200 to ~60,000.
  record.accumulated_recharge = money(
    random() < 0.25 ? int(random, 0, 19_999) : Math.floor(20_000 * Math.exp(random() * 5.7)),
  );
  record.icp_rewarded = random() < 0.03;
  return record;
}

export function resource(j: number, owner: string, home: string[], random: Random): Raw {
  const [service, prefix] = pick(SERVICES, random);
  return {
    id: `${prefix}-${j.toString(16).padStart(8, '0')}`,
    account: owner,
    service,
    region: home[Math.floor(random() * home.length)]!,
    billing: pick(RESOURCE_BILLING, random),
    daily_fee: money(int(random, 100, 30_000)),
    host: service === 'ECS',
    status: random() < 0.9 ? 'active' : random() < 0.6 ? 'terminated' : 'expired',
  };
}

export function order(k: number, owner: string, random: Random): Raw {
  const purchased = inSpan(random);
  const { year, month, day } = shanghai(purchased);
  const date = `${year % 100}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const [service, , flavours] = pick(SERVICES, random);
  const record: Raw = {
    // 14 characters: never one of the examples' 12-character CS ids.
    id: `CS${date}${String(k).padStart(8, '0')}`,
    account: owner,
    product: `${service} ${flavours[Math.floor(random() * flavours.length)]}`,
    billing: pick(ORDER_BILLING, random),
    amount: money(int(random, 500, 2_000_000)),
    purchased_at: iso8(purchased),
    status: random() < 0.95 ? 'paid' : 'refunded',
  };
  if (random() < 0.02) record.icp_reward = { amount: '100.00', recoverable: random() < 0.5 };
  return record;
}

/** A past refund request naming one or two of the account's orders. */
export function refund(q: number, owner: string, orders: Raw[], random: Random): Raw {
  const named = [orders[Math.floor(random() * orders.length)]!];
  const other = orders[Math.floor(random() * orders.length)]!;
  if (random() < 0.3 && other !== named[0]) named.push(other);
  const latest = Math.max(...named.map((o) => Date.parse(o.purchased_at as string)));
  return {
    id: `RF${String(q).padStart(9, '0')}`,
    account: owner,
    at: iso8(minute(latest + random() * 100 * HOUR_MS)),
    orders: named.map((o) => o.id),
  };
}

export function filing(owner: string, random: Random, notAt?: string): Raw {
  let submitted = inSpan(random);
  if (iso8(submitted) === notAt) submitted += 60_000;
  const x = random();
  const status = x < 0.8 ? 'approved' : x < 0.92 ? 'pending' : 'rejected';
  return {
    account: owner,
    submitted_at: iso8(submitted),
    approved_at:
      status === 'approved' ? iso8(minute(submitted + (1 + random() * 13) * DAY_MS)) : null,
    first_time: random() < 0.9,
    status,
  };
}

/** A scope as `incidents.scope` and `resources` state it: service and region. */
export interface Scope {
  service: string;
  region: string;
}
export const scopeKey = (s: Scope) => `${s.service}/${s.region}`;

/**
 * One incident: five minutes to four hours (mostly short), at a random minute of the span.
 * `named` lists resource ids (an incident on particular resources); otherwise it is scoped
 * to one service in one region, now and then two regions.
 */
export function incident(m: number, random: Random, named?: string[]): Raw {
  const start = inSpan(random);
  const end = start + (5 + Math.floor(235 * random() ** 3)) * MINUTE_MS;
  const record: Raw = {
    id: `INC-${100_000 + m}`,
    start: iso8(start),
    end: iso8(end),
    cause: pick(CAUSES, random),
    scenario: random() < 0.85 ? 'unavailable' : 'other',
  };
  if (named) record.resources = named;
  else {
    const [service] = pick(SERVICES, random);
    const scope: Scope[] = [{ service, region: pick(REGIONS, random) }];
    const second = pick(REGIONS, random);
    if (random() < 0.2 && second !== scope[0]!.region) scope.push({ service, region: second });
    record.scope = scope;
  }
  return record;
}
