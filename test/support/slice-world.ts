/**
 * A small world for record-slice tests: demo-shop (Shanghai), NY-Corp (New York), and
 * other-co sharing demo-shop's contact, with resources in shared regions, orders of each
 * and refund requests naming other accounts' orders. Incidents are each test's own.
 */
import { baseRecords, type RawRecords } from './builders.ts';

/** Four accounts: one in New York, two sharing a contact, and resources in shared regions. */
export function world(): Required<RawRecords> {
  const raw = baseRecords();
  raw.accounts.push(
    {
      id: 'NY-Corp',
      emails: ['ops@ny.test'],
      vip: true,
      currency: 'USD',
      timezone: 'America/New_York',
      accumulated_recharge: '900.00',
      icp_rewarded: false,
    },
    {
      id: 'other-co',
      emails: ['it@demo-shop.test', 'boss@other.test'],
      vip: false,
      currency: 'CNY',
      accumulated_recharge: '10.00',
      icp_rewarded: false,
    },
  );
  raw.resources.push(
    resource('rds-s1', 'demo-shop', 'RDS', 'cn-north-1'),
    { ...resource('oss-s1', 'demo-shop', 'OSS', 'cn-north-1'), host: false, billing: 'on_demand' },
    resource('ecs-ny', 'NY-Corp', 'ECS', 'us-east-1'),
    resource('ecs-o1', 'other-co', 'ECS', 'cn-north-1'),
  );
  raw.orders.push(
    order('ORD-1', 'demo-shop', 'monthly', '2026-03-01T10:00:00+08:00'),
    order('ORD-2', 'demo-shop', 'on_demand', '2026-03-01T10:00:00+08:00'),
    order('ORD-3', 'other-co', 'yearly', '2026-03-02T10:00:00+08:00'),
    order('ord-4', 'NY-Corp', 'monthly', '2026-02-20T10:00:00-05:00'),
  );
  raw.refunds.push(
    { id: 'R-1', account: 'other-co', at: '2026-02-10T10:00:00+08:00', orders: ['ORD-1'] },
    { id: 'R-2', account: 'NY-Corp', at: '2026-02-10T10:00:00-05:00', orders: ['ord-4'] },
  );
  raw.icpFilings.push({
    account: 'demo-shop',
    submitted_at: '2026-02-01T10:00:00+08:00',
    approved_at: '2026-02-05T10:00:00+08:00',
    first_time: true,
    status: 'approved',
  });
  return raw;
}

function resource(id: string, account: string, service: string, region: string) {
  return {
    id,
    account,
    service,
    region,
    billing: 'monthly',
    daily_fee: '24.00',
    host: true,
    status: 'active',
  };
}

function order(id: string, account: string, billing: string, purchasedAt: string) {
  return {
    id,
    account,
    product: 'ECS',
    billing,
    amount: '300.00',
    purchased_at: purchasedAt,
    status: 'paid',
  };
}
