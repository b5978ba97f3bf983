/**
 * How many records bench:records and the scale test generate: every kind in proportion to
 * the accounts unless given (a provider's incidents do not grow with its customers, so
 * those have a floor).
 */
export interface RecordsScale {
  accounts: number;
  resources: number;
  orders: number;
  incidents: number;
  refunds: number;
  compensations: number;
  icpFilings: number;
}

/** Everything in proportion to the accounts unless given: 3 resources and 5 orders each. */
export function recordsScale(
  accounts: number,
  given: { [K in keyof RecordsScale]?: RecordsScale[K] | undefined } = {},
): RecordsScale {
  const orders = given.orders ?? 5 * accounts;
  return {
    accounts,
    resources: given.resources ?? 3 * accounts,
    orders,
    incidents: given.incidents ?? Math.max(200, Math.round(accounts / 20)),
    refunds: given.refunds ?? Math.round(orders / 100),
    compensations: given.compensations ?? Math.round(accounts / 40),
    icpFilings: given.icpFilings ?? Math.round(accounts / 5),
  };
}

/** BENCH_ACCOUNTS (default 1,000,000), BENCH_RESOURCES, BENCH_ORDERS, BENCH_INCIDENTS. */
export function scaleFromEnv(env: NodeJS.ProcessEnv = process.env): RecordsScale {
  const read = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const n = Number(text.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: not a positive integer`);
    return n;
  };
  return recordsScale(read('BENCH_ACCOUNTS') ?? 1_000_000, {
    resources: read('BENCH_RESOURCES'),
    orders: read('BENCH_ORDERS'),
    incidents: read('BENCH_INCIDENTS'),
  });
}
