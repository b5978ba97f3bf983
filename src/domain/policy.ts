/**
 * Policy v1's numbers. Every key of the policy file is optional; what is absent takes
 * the published default. Validation names the file and the field.
 */
import { InvalidInputError } from './errors.ts';
import { type Decimal, formatMinor, parseDecimal } from './money.ts';
import { isValidTimeZone } from './time.ts';

export interface Policy {
  /** Zone for times without one when the account has none. @defaultValue 'Asia/Shanghai' */
  timezone: string;
  /** @defaultValue 7 */
  claimWindowWorkingDays: number;
  /** @defaultValue 30 */
  matchToleranceMinutes: number;
  /** @defaultValue 30 */
  lookbackDays: number;
  /** @defaultValue { unavailable: 100, other: 1 } */
  multipliers: { unavailable: number; other: number };
  /** @defaultValue 5000.00 */
  reviewAbove: Decimal;
  /** @defaultValue 120 */
  refundWindowHours: number;
  /** @defaultValue 3 */
  refundMaxRequests: number;
  /** @defaultValue 3 */
  refundMaxOrders: number;
  /** @defaultValue 200.00 */
  icpMinRecharge: Decimal;
  /** @defaultValue 100.00 */
  icpRewardCommon: Decimal;
  /** @defaultValue 200.00 */
  icpRewardVip: Decimal;
  /** @defaultValue 10 */
  icpAbandonDays: number;
}

const DEFAULTS = {
  timezone: 'Asia/Shanghai',
  claim_window_working_days: 7,
  match_tolerance_minutes: 30,
  lookback_days: 30,
  multipliers: { unavailable: 100, other: 1 },
  review_above: '5000.00',
  refund_window_hours: 120,
  refund_max_requests: 3,
  refund_max_orders: 3,
  icp_min_recharge: '200.00',
  icp_reward_common: '100.00',
  icp_reward_vip: '200.00',
  icp_abandon_days: 10,
} as const;

type Key = keyof typeof DEFAULTS;

export const DEFAULT_POLICY: Policy = parsePolicy({}, '(default policy)');

export function parsePolicy(json: unknown, file: string): Policy {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidInputError(file, '(root)', 'must be a JSON object');
  }
  const raw = json as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(key in DEFAULTS)) throw new InvalidInputError(file, key, 'unknown field');
  }
  const get = <K extends Key>(key: K): unknown =>
    raw[key] === undefined ? DEFAULTS[key] : raw[key];
  const int = (key: Key, min: number): number => {
    const v = get(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new InvalidInputError(
        file,
        key,
        `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const money = (key: Key): Decimal => {
    const v = get(key);
    const d = parseDecimal(v);
    if (!d || d.units < 0n) {
      throw new InvalidInputError(
        file,
        key,
        `must be a non-negative decimal string, got ${JSON.stringify(v)}`,
      );
    }
    return d;
  };
  const timezone = get('timezone');
  if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) {
    throw new InvalidInputError(
      file,
      'timezone',
      `not an IANA time zone: ${JSON.stringify(timezone)}`,
    );
  }
  return Object.freeze({
    timezone,
    claimWindowWorkingDays: int('claim_window_working_days', 0),
    matchToleranceMinutes: int('match_tolerance_minutes', 0),
    lookbackDays: int('lookback_days', 0),
    multipliers: multipliers(raw.multipliers, file),
    reviewAbove: money('review_above'),
    refundWindowHours: int('refund_window_hours', 0),
    refundMaxRequests: int('refund_max_requests', 0),
    refundMaxOrders: int('refund_max_orders', 1),
    icpMinRecharge: money('icp_min_recharge'),
    icpRewardCommon: money('icp_reward_common'),
    icpRewardVip: money('icp_reward_vip'),
    icpAbandonDays: int('icp_abandon_days', 0),
  });
}

function multipliers(value: unknown, file: string): Policy['multipliers'] {
  if (value === undefined) return { ...DEFAULTS.multipliers };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(file, 'multipliers', 'must be an object');
  }
  const m = value as Record<string, unknown>;
  const out = { ...DEFAULTS.multipliers } as { unavailable: number; other: number };
  for (const [key, v] of Object.entries(m)) {
    if (key !== 'unavailable' && key !== 'other') {
      throw new InvalidInputError(file, `multipliers.${key}`, 'unknown scenario');
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new InvalidInputError(
        file,
        `multipliers.${key}`,
        `must be an integer ≥ 0, got ${JSON.stringify(v)}`,
      );
    }
    out[key] = v;
  }
  return out;
}

/** The policy as a policy file's JSON, every key present: parsePolicy reads it back equal. */
export function policyJson(policy: Policy): Record<Key, unknown> {
  const money = (d: { units: bigint; scale: number }) => formatMinor(d.units, d.scale);
  return {
    timezone: policy.timezone,
    claim_window_working_days: policy.claimWindowWorkingDays,
    match_tolerance_minutes: policy.matchToleranceMinutes,
    lookback_days: policy.lookbackDays,
    multipliers: { ...policy.multipliers },
    review_above: money(policy.reviewAbove),
    refund_window_hours: policy.refundWindowHours,
    refund_max_requests: policy.refundMaxRequests,
    refund_max_orders: policy.refundMaxOrders,
    icp_min_recharge: money(policy.icpMinRecharge),
    icp_reward_common: money(policy.icpRewardCommon),
    icp_reward_vip: money(policy.icpRewardVip),
    icp_abandon_days: policy.icpAbandonDays,
  };
}
