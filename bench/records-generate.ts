/**
 * Provider-sized platform records for `npm run bench:records` and the scale test, streamed
 * into a records directory (JSON Lines, or JSON arrays for an import that reads only those)
 * and never held in memory: one account at a time with its resources, orders, past refund
 * requests and ICP filings; then the incidents (most scoped to a service in a region, some
 * naming resources), then past payouts. Deterministic for a seed. The example records
 * (examples/records) come first, so the public examples can be decided on top of the big
 * data; their ids never clash with generated ones.
 *
 * With `claims`, N claim emails about these records are written too (records-claims.ts),
 * and optionally a small records directory holding everything those claims can touch
 * (`sliceDir`), on which `check --records` gives the decisions the database must give.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from './generate.ts';
import {
  buildClaims,
  type Claimant,
  type GeneratedClaim,
  IncidentIndex,
} from './records-claims.ts';
import type { RecordsScale } from './records-scale.ts';
import {
  account,
  accountId,
  DAY_MS,
  filing,
  homeRegions,
  incident,
  int,
  iso8,
  order,
  type Random,
  type Raw,
  refund,
  resource,
  scopeKey,
} from './records-shape.ts';
import { RecordWriter, Reservoir, Spread } from './records-stream.ts';

export interface GenerateOptions {
  /** The records directory to create. */
  dir: string;
  scale: RecordsScale;
  /** `jsonl` (default): NAME.jsonl; `json`: NAME.json arrays. */
  format?: 'jsonl' | 'json';
  seed?: number;
  claims?: {
    count: number;
    /** Where the .eml files go. */
    dir: string;
    /** How many distinct received times (a week apart) the claims share; default 25. */
    receivedTimes?: number;
    /** A records directory (JSON arrays) with every record the claims can touch. */
    sliceDir?: string;
  };
}

export interface GeneratedRecords {
  /** Records written per file (examples included), e.g. `accounts.jsonl: 1000002`. */
  counts: Record<string, number>;
  claims: GeneratedClaim[];
  /** Accounts with thousands of resources. */
  whales: string[];
}

const KINDS = {
  accounts: 'accounts',
  resources: 'resources',
  incidents: 'incidents',
  orders: 'orders',
  refunds: 'refunds',
  compensations: 'compensations',
  icpFilings: 'icp_filings',
} as const;
type Kind = keyof typeof KINDS;

const EXAMPLE_RECORDS = join(import.meta.dirname, '..', 'examples', 'records');
/** One account in 100,000 (the first at index 17) is a whale: ~1,000 times the resources. */
const isWhale = (i: number) => i % 100_000 === 17;
/** Share of incidents naming resources rather than a service scope. */
const NAMED_SHARE = 0.15;

export function generateRecords(options: GenerateOptions): GeneratedRecords {
  const { dir, scale } = options;
  const format = options.format ?? 'jsonl';
  const random = rng(options.seed ?? 20260301);
  mkdirSync(dir, { recursive: true });
  const writers = {} as Record<Kind, RecordWriter>;
  for (const kind of Object.keys(KINDS) as Kind[]) {
    writers[kind] = new RecordWriter(join(dir, `${KINDS[kind]}.${format}`), format);
    const examples = JSON.parse(
      readFileSync(join(EXAMPLE_RECORDS, `${KINDS[kind]}.json`), 'utf8'),
    ) as Raw[];
    for (const r of examples) writers[kind].write(r);
  }

  // One claimant per claim; with fewer accounts than claims, every account claims.
  const claimCount = Math.min(options.claims?.count ?? 0, scale.accounts);
  const { claimants, namedPool, strayOrders, whales } = accountsPhase(
    writers,
    scale,
    claimCount,
    random,
  );
  const index = incidentsPhase(writers.incidents, scale.incidents, namedPool, random);

  let claims: GeneratedClaim[] = [];
  let paid: Raw[] = [];
  if (options.claims) {
    const built = buildClaims({
      claimants,
      index,
      strayOrders,
      accounts: scale.accounts,
      count: options.claims.count,
      dir: options.claims.dir,
      receivedTimes: options.claims.receivedTimes ?? 25,
      random,
    });
    claims = built.claims;
    paid = built.alreadyPaid;
  }
  compensationsPhase(writers.compensations, scale, index, claimants, paid, random);

  const counts: Record<string, number> = {};
  for (const w of Object.values(writers)) {
    w.close();
    counts[w.file] = w.count;
  }
  if (options.claims?.sliceDir) writeSlice(options.claims.sliceDir, claimants, strayOrders, index);
  return { counts, claims, whales };
}

/** Accounts with their resources, orders, past refund requests and ICP filings. */
function accountsPhase(
  writers: Record<Kind, RecordWriter>,
  scale: RecordsScale,
  claimCount: number,
  random: Random,
) {
  const A = scale.accounts;
  const whaleCount = A > 17 ? Math.floor((A - 18) / 100_000) + 1 : 0;
  const resources = new Spread(scale.resources, A, random);
  const orders = new Spread(scale.orders, A, random);
  const refunds = new Spread(scale.refunds, A, random);
  const filings = new Spread(scale.icpFilings, A, random);
  const chosen = new Spread(Math.max(0, claimCount - whaleCount), A - whaleCount, random);
  const whaleResources = Math.min(
    (scale.resources / A) * 1000,
    scale.resources / (5 * Math.max(1, whaleCount)),
  );
  const namedPool = new Reservoir<{ id: string; scope: string }>(
    Math.ceil(3 * NAMED_SHARE * scale.incidents),
    random,
  );
  const strayOrders = new Reservoir<Raw>(64, random);
  const claimants: Claimant[] = [];
  const whales: string[] = [];
  let j = 0;
  let k = 0;
  let q = 0;
  for (let i = 0; i < A; i++) {
    const whale = isWhale(i);
    const claimant = whale || chosen.next() === 1;
    const acc = account(i, random);
    const id = acc.id as string;
    if (whale) whales.push(id);
    writers.accounts.write(acc);
    const home = homeRegions(random, whale);
    const mine: Claimant = {
      account: acc,
      resources: [],
      orders: [],
      refunds: [],
      filings: [],
      compensations: [],
    };
    const nr = resources.next(whale ? Math.round(whaleResources * (0.5 + random())) : undefined);
    for (let n = 0; n < nr; n++) {
      const r = resource(j++, id, home, random);
      writers.resources.write(r);
      namedPool.offer({
        id: r.id as string,
        scope: scopeKey({ service: r.service as string, region: r.region as string }),
      });
      if (claimant) mine.resources.push(r);
    }
    const own: Raw[] = [];
    for (let n = orders.next(); n > 0; n--) {
      const o = order(k++, id, random);
      writers.orders.write(o);
      strayOrders.offer(o);
      own.push(o);
    }
    const nq = refunds.next();
    if (own.length === 0) refunds.giveBack(nq);
    else {
      for (let n = 0; n < nq; n++) {
        const r = refund(q++, id, own, random);
        writers.refunds.write(r);
        mine.refunds.push(r);
      }
    }
    let last: string | undefined;
    for (let n = filings.next(); n > 0; n--) {
      const f = filing(id, random, last);
      last = f.submitted_at as string;
      writers.icpFilings.write(f);
      mine.filings.push(f);
    }
    if (claimant) {
      mine.orders = own;
      claimants.push(mine);
    }
  }
  return { claimants, namedPool: namedPool.items, strayOrders: strayOrders.items, whales };
}

/** Incidents over the six months: scoped to a service and region, or naming resources. */
function incidentsPhase(
  writer: RecordWriter,
  count: number,
  pool: { id: string; scope: string }[],
  random: Random,
): IncidentIndex {
  const byScope = new Map<string, string[]>();
  for (const r of pool) byScope.set(r.scope, [...(byScope.get(r.scope) ?? []), r.id]);
  const index = new IncidentIndex();
  for (let m = 0; m < count; m++) {
    let named: string[] | undefined;
    if (pool.length > 0 && random() < NAMED_SHARE) {
      const group = byScope.get(pool[Math.floor(random() * pool.length)]!.scope)!;
      named = [];
      for (let n = int(random, 1, 5); n > 0; n--) {
        const id = group[Math.floor(random() * group.length)]!;
        if (!named.includes(id)) named.push(id);
      }
    }
    const inc = incident(m, random, named);
    writer.write(inc);
    index.add(inc);
  }
  return index;
}

/**
 * Past payouts: those the claims were built to repeat (already_compensated), then random
 * accounts paid for random platform incidents a few days after they ended.
 */
function compensationsPhase(
  writer: RecordWriter,
  scale: RecordsScale,
  index: IncidentIndex,
  claimants: Claimant[],
  planted: Raw[],
  random: Random,
): void {
  const byAccount = new Map(claimants.map((c) => [c.account.id as string, c]));
  const keys = new Set<string>();
  const add = (c: Raw) => {
    const key = `${c.account}\u0000${c.incident}`;
    if (keys.has(key)) return;
    keys.add(key);
    writer.write(c);
    byAccount.get(c.account as string)?.compensations.push(c);
  };
  for (const c of planted) add(c);
  const platform = index.all.filter((i) => i.cause === 'platform');
  for (let tries = 0; keys.size < scale.compensations && tries < 3 * scale.compensations; tries++) {
    const inc = platform[Math.floor(random() * platform.length)];
    if (!inc) break;
    add({
      account: accountId(Math.floor(random() * scale.accounts)),
      incident: inc.id,
      at: iso8(Math.floor(inc.end + (1 + random() * 9) * DAY_MS)),
    });
  }
}

/** Every record the claims can touch, as a records directory of JSON arrays. */
function writeSlice(
  dir: string,
  claimants: Claimant[],
  strayOrders: Raw[],
  index: IncidentIndex,
): void {
  mkdirSync(dir, { recursive: true });
  const files: Record<Kind, Raw[]> = {
    accounts: claimants.map((c) => c.account),
    resources: claimants.flatMap((c) => c.resources),
    incidents: [...new Set(claimants.flatMap((c) => index.affecting(c.resources)))].map(
      (i) => i.raw,
    ),
    orders: [...claimants.flatMap((c) => c.orders), ...strayOrders],
    refunds: claimants.flatMap((c) => c.refunds),
    compensations: claimants.flatMap((c) => c.compensations),
    icpFilings: claimants.flatMap((c) => c.filings),
  };
  const seen = new Set<string>();
  files.orders = files.orders.filter((o) => !seen.has(o.id as string) && seen.add(o.id as string));
  for (const kind of Object.keys(files) as Kind[]) {
    const w = new RecordWriter(join(dir, `${KINDS[kind]}.json`), 'json');
    for (const r of files[kind]) w.write(r);
    w.close();
  }
}
