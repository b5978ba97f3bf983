/**
 * What the ICP reward tests share: demo-shop eligible for the reward, a cloud host to give
 * it, the claim they make and a rejection as the fields it fixes.
 */
import type { ReasonCode } from '../../../src/domain/reasons.ts';
import { type Expected, filing, unpaid } from '../../support/assess-cases.ts';
import { baseRecords, type RawRecords } from '../../support/builders.ts';

/** The claim most rows make, received at `run`'s default time, 2026-03-04T09:00:00+08:00. */
export const SUBJECT = 'ICP reward application, account demo-shop';

/**
 * demo-shop (active monthly host, 1500.00 recharged, no reward yet) with one good filing,
 * and `more` in place of those records.
 */
export function eligible(more: RawRecords = {}): Required<RawRecords> {
  return { ...baseRecords(), icpFilings: [filing()], ...more };
}

/** A cloud host of demo-shop: ECS in cn-north-1, monthly, active, 10.00 a day; and `extra`. */
export function host(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'ecs-h',
    account: 'demo-shop',
    service: 'ECS',
    region: 'cn-north-1',
    billing: 'monthly',
    daily_fee: '10.00',
    host: true,
    status: 'active',
    ...extra,
  };
}

/** A rejection for exactly these reasons. */
export function rejected(...reasons: ReasonCode[]): Expected {
  return { type: 'icp_reward', ...unpaid('rejected', ...reasons) };
}
