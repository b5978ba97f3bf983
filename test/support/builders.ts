/**
 * Hand-built inputs for engine tests: emails without MIME, records with sensible defaults,
 * and an engine context. Every helper returns fresh objects.
 */
import { assess } from '../../src/domain/assess/engine.ts';
import type { Assessment, EngineContext } from '../../src/domain/assess/types.ts';
import { type Calendar, parseCalendar } from '../../src/domain/calendar.ts';
import { type AutoHeaders, emptyEmail, type ParsedEmail } from '../../src/domain/email.ts';
import { parsePolicy } from '../../src/domain/policy.ts';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { parseRecordFile, RECORD_FILES, type Records } from '../../src/domain/records.ts';
import { parseIsoInstant } from '../../src/domain/time.ts';

export function emailOf(
  partial: Partial<Omit<ParsedEmail, 'headers'>> & { headers?: Partial<AutoHeaders> } = {},
): ParsedEmail {
  const { headers, ...rest } = partial;
  const empty = emptyEmail(null);
  return {
    ...empty,
    from: 'it@demo-shop.test',
    to: ['claims@cloud.example'],
    messageId: 'm1@mail.test',
    ...rest,
    headers: { ...empty.headers, contentType: 'text/plain', ...headers },
  };
}

/** Raw records JSON (the contract's snake_case), validated like a records directory. */
export type RawRecords = Partial<Record<keyof Records, Record<string, unknown>[]>>;

/** demo-shop (CNY, Shanghai) with one monthly ECS host in cn-north-1 at 48.00/day. */
export function baseRecords(): Required<RawRecords> {
  return {
    accounts: [
      {
        id: 'demo-shop',
        emails: ['it@demo-shop.test'],
        vip: false,
        currency: 'CNY',
        accumulated_recharge: '1500.00',
        icp_rewarded: false,
      },
    ],
    resources: [
      {
        id: 'ecs-s1',
        account: 'demo-shop',
        service: 'ECS',
        region: 'cn-north-1',
        billing: 'monthly',
        daily_fee: '48.00',
        host: true,
        status: 'active',
      },
    ],
    incidents: [],
    orders: [],
    refunds: [],
    compensations: [],
    icpFilings: [],
  };
}

export function contextOf(
  raw: RawRecords = baseRecords(),
  options: { policy?: Record<string, unknown>; calendar?: Calendar } = {},
): EngineContext {
  const records = {} as Records;
  for (const kind of Object.keys(RECORD_FILES) as (keyof Records)[]) {
    (records[kind] as unknown) = parseRecordFile(kind, raw[kind] ?? [], RECORD_FILES[kind]);
  }
  return {
    index: new RecordIndex(records),
    policy: parsePolicy(options.policy ?? {}, 'policy.json'),
    calendar: options.calendar ?? parseCalendar({}, 'calendar.json'),
  };
}

export function at(iso: string): number {
  const t = parseIsoInstant(iso);
  if (t === undefined) throw new Error(`bad time in test: ${iso}`);
  return t;
}

/** Assesses an email received at `received` (ISO with offset). */
export function run(
  ctx: EngineContext,
  email: Partial<Omit<ParsedEmail, 'headers'>> & { headers?: Partial<AutoHeaders> },
  received = '2026-03-04T09:00:00+08:00',
  senderAuthenticated?: boolean,
): Assessment {
  return assess({ email: emailOf(email), receivedAt: at(received), senderAuthenticated }, ctx);
}

/** An incident record in the contract's shape. */
export function incident(
  id: string,
  start: string,
  end: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    start,
    end,
    cause: 'platform',
    scenario: 'unavailable',
    scope: [{ service: 'ECS', region: 'cn-north-1' }],
    ...extra,
  };
}
