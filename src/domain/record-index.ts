/**
 * Look-ups over a set of records: the record slice one email needs (the service and
 * `check` against the database build one per email, domain/slice.ts), or a small records
 * directory loaded whole (`check --records`).
 */
import type {
  Account,
  IcpFiling,
  Incident,
  Order,
  Records,
  RefundRequest,
  Resource,
} from './records.ts';

/**
 * What extraction asks of the records: is this id a known account or order, and which
 * known ids appear in a text. RecordIndex answers from records; slice.ts records the
 * questions to learn which ids one email could need.
 */
export interface RecordLookup {
  /** The account with this id, compared case-insensitively. */
  account(id: string): Account | undefined;
  /** The order with this id, compared case-insensitively. */
  order(id: string): Order | undefined;
  /** The first token of `text` that equals a known account id. */
  knownAccountIn(text: string): Account | undefined;
  /** Known order ids appearing as tokens of `text`, in order, without repeats. */
  knownOrdersIn(text: string): string[];
}

/** An incident that touches an account, with the account's resources it touches. */
export interface AffectedIncident {
  incident: Incident;
  resources: Resource[];
}

export class RecordIndex implements RecordLookup {
  private readonly accounts = new Map<string, Account>();
  private readonly orders = new Map<string, Order>();
  private readonly resourcesByAccount = new Map<string, Resource[]>();
  private readonly refundsByAccount = new Map<string, RefundRequest[]>();
  private readonly filingsByAccount = new Map<string, IcpFiling[]>();
  private readonly compensated = new Set<string>();
  private readonly affected = new Map<string, AffectedIncident[]>();
  private readonly refundedOrders = new Set<string>();

  constructor(readonly records: Records) {
    for (const a of records.accounts) this.accounts.set(a.id.toLowerCase(), a);
    for (const o of records.orders) this.orders.set(o.id.toLowerCase(), o);
    for (const r of records.resources) push(this.resourcesByAccount, r.account, r);
    for (const r of records.refunds) {
      push(this.refundsByAccount, r.account, r);
      for (const id of r.orders) this.refundedOrders.add(id.toLowerCase());
    }
    for (const f of records.icpFilings) push(this.filingsByAccount, f.account, f);
    for (const c of records.compensations) this.compensated.add(`${c.account}\u0000${c.incident}`);
  }

  /** The account with this id, compared case-insensitively. */
  account(id: string): Account | undefined {
    return this.accounts.get(id.toLowerCase());
  }

  order(id: string): Order | undefined {
    return this.orders.get(id.toLowerCase());
  }

  resourcesOf(account: string): Resource[] {
    return this.resourcesByAccount.get(account) ?? [];
  }

  refundRequestsOf(account: string): RefundRequest[] {
    return this.refundsByAccount.get(account) ?? [];
  }

  filingsOf(account: string): IcpFiling[] {
    return this.filingsByAccount.get(account) ?? [];
  }

  isCompensated(account: string, incident: string): boolean {
    return this.compensated.has(`${account}\u0000${incident}`);
  }

  /** True when an earlier refund request already named this order. */
  wasRefundRequested(order: string): boolean {
    return this.refundedOrders.has(order.toLowerCase());
  }

  /**
   * Incidents affecting the account, by start time: an account resource is listed in the
   * incident's `resources`, or matches one of its `scope` entries by service and region.
   */
  affectedIncidents(account: string): AffectedIncident[] {
    let list = this.affected.get(account);
    if (!list) {
      const own = this.resourcesOf(account);
      list = [];
      for (const incident of this.records.incidents) {
        const hit = own.filter(
          (r) =>
            incident.resources?.includes(r.id) ||
            incident.scope?.some((s) => s.service === r.service && s.region === r.region),
        );
        if (hit.length > 0) list.push({ incident, resources: hit });
      }
      list.sort((a, b) => a.incident.start - b.incident.start || cmp(a.incident.id, b.incident.id));
      this.affected.set(account, list);
    }
    return list;
  }

  knownAccountIn(text: string): Account | undefined {
    for (const token of idTokens(text)) {
      const a = this.accounts.get(token.toLowerCase());
      if (a) return a;
    }
    return undefined;
  }

  knownOrdersIn(text: string): string[] {
    const found: string[] = [];
    for (const token of idTokens(text)) {
      const o = this.orders.get(token.toLowerCase());
      if (o && !found.includes(o.id)) found.push(o.id);
    }
    return found;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Id-like tokens: letters, digits and . _ - @, not glued to other such characters. */
export function* idTokens(text: string): Generator<string> {
  for (const m of text.matchAll(/[A-Za-z0-9][A-Za-z0-9._@-]*/g)) {
    yield m[0].replace(/[.\-_]+$/, '');
  }
}
