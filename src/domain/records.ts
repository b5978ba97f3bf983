/**
 * The platform records (CONTRACT.md, "Records directory"), validated and indexed.
 * Times become epoch ms, money stays a validated decimal string.
 */
import { InvalidInputError } from './errors.ts';
import { isCurrency, parseDecimal } from './money.ts';
import { isValidTimeZone, parseIsoInstant } from './time.ts';

export const BILLING_MODES = [
  'monthly',
  'yearly',
  'hourly_package',
  'on_demand',
  'postpaid',
] as const;
export const CAUSES = [
  'platform',
  'maintenance',
  'force_majeure',
  'carrier',
  'backbone',
  'attack',
  'customer',
] as const;
export type Billing = (typeof BILLING_MODES)[number];
export type Cause = (typeof CAUSES)[number];

export interface Account {
  id: string;
  emails: string[];
  vip: boolean;
  currency: string;
  timezone?: string;
  accumulatedRecharge: string;
  icpRewarded: boolean;
}
export interface Resource {
  id: string;
  account: string;
  service: string;
  region: string;
  billing: Billing;
  dailyFee: string;
  host: boolean;
  status: 'active' | 'terminated' | 'expired';
}
export interface Incident {
  id: string;
  start: number;
  end: number;
  cause: Cause;
  scenario: 'unavailable' | 'other';
  resources?: string[];
  scope?: { service: string; region: string }[];
}
export interface Order {
  id: string;
  account: string;
  product: string;
  billing: Billing;
  amount: string;
  purchasedAt: number;
  status: 'paid' | 'refunded';
  icpReward?: { amount: string; recoverable: boolean };
}
export interface RefundRequest {
  id: string;
  account: string;
  at: number;
  orders: string[];
}
export interface PastCompensation {
  account: string;
  incident: string;
  at: number;
}
export interface IcpFiling {
  account: string;
  submittedAt: number;
  approvedAt: number | null;
  firstTime: boolean;
  status: 'approved' | 'pending' | 'rejected';
}

export interface Records {
  accounts: Account[];
  resources: Resource[];
  incidents: Incident[];
  orders: Order[];
  refunds: RefundRequest[];
  compensations: PastCompensation[];
  icpFilings: IcpFiling[];
}

export const RECORD_FILES = {
  accounts: 'accounts.json',
  resources: 'resources.json',
  incidents: 'incidents.json',
  orders: 'orders.json',
  refunds: 'refunds.json',
  compensations: 'compensations.json',
  icpFilings: 'icp_filings.json',
} as const satisfies Record<keyof Records, string>;

/** Reads one field of one record, naming file, index and field in every complaint. */
class Reader {
  constructor(
    private readonly file: string,
    private readonly index: number,
    private readonly obj: Record<string, unknown>,
  ) {}

  fail(field: string, problem: string): never {
    throw new InvalidInputError(this.file, `[${this.index}].${field}`, problem);
  }
  has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }
  string(field: string): string {
    const v = this.obj[field];
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'must be a non-empty string');
    return v.trim();
  }
  bool(field: string, fallback?: boolean): boolean {
    const v = this.obj[field];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false');
    return v;
  }
  money(field: string): string {
    const v = this.obj[field];
    const d = parseDecimal(v);
    if (!d || d.units < 0n)
      this.fail(field, `must be a non-negative decimal string, got ${JSON.stringify(v)}`);
    return (v as string).trim();
  }
  time(field: string): number {
    const v = this.obj[field];
    const t = typeof v === 'string' ? parseIsoInstant(v) : undefined;
    if (t === undefined)
      this.fail(field, `must be an ISO 8601 time with an offset, got ${JSON.stringify(v)}`);
    return t;
  }
  oneOf<T extends string>(field: string, values: readonly T[]): T {
    const v = this.obj[field];
    if (!values.includes(v as T))
      this.fail(field, `must be one of ${values.join('|')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
  strings(field: string): string[] {
    const v = this.obj[field];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
      this.fail(field, 'must be an array of strings');
    return (v as string[]).map((s) => s.trim());
  }
}

type Parser<T> = (r: Reader, raw: Record<string, unknown>) => T;

const parsers: { [K in keyof Records]: Parser<Records[K][number]> } = {
  accounts: (r) => {
    const currency = r.string('currency');
    if (!isCurrency(currency)) r.fail('currency', `not an ISO 4217 currency: ${currency}`);
    const account: Account = {
      id: r.string('id'),
      emails: r.strings('emails').map((e) => e.toLowerCase()),
      vip: r.bool('vip', false),
      currency,
      accumulatedRecharge: r.has('accumulated_recharge') ? r.money('accumulated_recharge') : '0',
      icpRewarded: r.bool('icp_rewarded', false),
    };
    if (r.has('timezone')) {
      const tz = r.string('timezone');
      if (!isValidTimeZone(tz)) r.fail('timezone', `not an IANA time zone: ${tz}`);
      account.timezone = tz;
    }
    return account;
  },
  resources: (r) => ({
    id: r.string('id'),
    account: r.string('account'),
    service: r.string('service'),
    region: r.string('region'),
    billing: r.oneOf('billing', BILLING_MODES),
    dailyFee: r.money('daily_fee'),
    host: r.bool('host', false),
    status: r.has('status')
      ? r.oneOf('status', ['active', 'terminated', 'expired'] as const)
      : 'active',
  }),
  incidents: (r, raw) => {
    const incident: Incident = {
      id: r.string('id'),
      start: r.time('start'),
      end: r.time('end'),
      cause: r.oneOf('cause', CAUSES),
      scenario: r.oneOf('scenario', ['unavailable', 'other'] as const),
    };
    if (incident.end < incident.start) r.fail('end', 'is before start');
    if (r.has('resources')) incident.resources = r.strings('resources');
    if (r.has('scope')) {
      const scope = raw.scope;
      if (!Array.isArray(scope)) r.fail('scope', 'must be an array of {service, region}');
      incident.scope = (scope as unknown[]).map((s, i) => {
        const e = s as Record<string, unknown>;
        if (typeof e?.service !== 'string' || typeof e?.region !== 'string') {
          r.fail(`scope[${i}]`, 'must be {"service","region"} strings');
        }
        return { service: e.service as string, region: e.region as string };
      });
    }
    return incident;
  },
  orders: (r, raw) => {
    const order: Order = {
      id: r.string('id'),
      account: r.string('account'),
      product: r.has('product') ? r.string('product') : '',
      billing: r.oneOf('billing', BILLING_MODES),
      amount: r.money('amount'),
      purchasedAt: r.time('purchased_at'),
      status: r.oneOf('status', ['paid', 'refunded'] as const),
    };
    if (r.has('icp_reward')) {
      const reward = raw.icp_reward as Record<string, unknown>;
      const amount = parseDecimal(reward?.amount);
      if (
        typeof reward !== 'object' ||
        !amount ||
        amount.units < 0n ||
        typeof reward.recoverable !== 'boolean'
      ) {
        r.fail('icp_reward', 'must be {"amount": decimal string, "recoverable": bool}');
      }
      order.icpReward = {
        amount: (reward.amount as string).trim(),
        recoverable: reward.recoverable as boolean,
      };
    }
    return order;
  },
  refunds: (r) => ({
    id: r.has('id') ? r.string('id') : '',
    account: r.string('account'),
    at: r.time('at'),
    orders: r.strings('orders'),
  }),
  compensations: (r) => ({
    account: r.string('account'),
    incident: r.string('incident'),
    at: r.has('at') ? r.time('at') : 0,
  }),
  icpFilings: (r) => ({
    account: r.string('account'),
    submittedAt: r.time('submitted_at'),
    approvedAt: r.has('approved_at') ? r.time('approved_at') : null,
    firstTime: r.bool('first_time'),
    status: r.oneOf('status', ['approved', 'pending', 'rejected'] as const),
  }),
};

export type RecordKind = keyof Records;

/** The kinds in the contract's order: also the order `import` writes them in. */
export const RECORD_KINDS = Object.keys(RECORD_FILES) as RecordKind[];

/** A kind's name in file names and URLs: `icp_filings` for icpFilings. */
export function recordName(kind: RecordKind): string {
  return RECORD_FILES[kind].slice(0, -'.json'.length);
}

/** The kind named `name` (as in recordName), or undefined. */
export function recordKindNamed(name: string): RecordKind | undefined {
  return RECORD_KINDS.find((kind) => recordName(kind) === name);
}

/**
 * Validates one record: element `index` of the records file `file`. Throws
 * InvalidInputError naming the file, the index and the field.
 */
export function parseRecord<K extends RecordKind>(
  kind: K,
  item: unknown,
  file: string,
  index: number,
): Records[K][number] {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidInputError(file, `[${index}]`, 'must be an object');
  }
  const raw = item as Record<string, unknown>;
  return parsers[kind](new Reader(file, index, raw), raw);
}

/** Validates one records file's JSON (an array). `file` names it in errors. */
export function parseRecordFile<K extends RecordKind>(
  kind: K,
  json: unknown,
  file: string,
): Records[K] {
  if (!Array.isArray(json)) throw new InvalidInputError(file, '(root)', 'must be a JSON array');
  return json.map((item, index) => parseRecord(kind, item, file, index)) as Records[K];
}

export function emptyRecords(): Records {
  return {
    accounts: [],
    resources: [],
    incidents: [],
    orders: [],
    refunds: [],
    compensations: [],
    icpFilings: [],
  };
}
