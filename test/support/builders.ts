/**
 * Hand-built inputs for engine tests: emails without MIME, records with sensible defaults,
 * and an engine context. Every helper returns fresh objects.
 */

import { isDeepStrictEqual } from 'node:util';
import { assess } from '../../src/domain/assess/engine.ts';
import type { AssessInput, Assessment, EngineContext } from '../../src/domain/assess/types.ts';
import { type Calendar, parseCalendar } from '../../src/domain/calendar.ts';
import { type AutoHeaders, emptyEmail, type ParsedEmail } from '../../src/domain/email.ts';
import { parsePolicy } from '../../src/domain/policy.ts';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { parseRecordFile, RECORD_FILES, type Records } from '../../src/domain/records.ts';
import { selectSlice } from '../../src/domain/slice.ts';
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

/**
 * Assesses an email received at `received` (ISO with offset). Every engine test also checks
 * the record slice: the engine on only the records this email needs (domain/slice.ts) must
 * decide exactly as on all of them, explanation included.
 */
export function run(
  ctx: EngineContext,
  email: Partial<Omit<ParsedEmail, 'headers'>> & { headers?: Partial<AutoHeaders> },
  received = '2026-03-04T09:00:00+08:00',
  senderAuthenticated?: boolean,
): Assessment {
  const input = { email: emailOf(email), receivedAt: at(received), senderAuthenticated };
  const full = assess(input, ctx);
  expectSameOnSlice(input, ctx, full);
  return full;
}

/** Throws when the engine decides otherwise on the email's record slice than on all records. */
export function expectSameOnSlice(input: AssessInput, ctx: EngineContext, full: Assessment): void {
  const slice = selectSlice(ctx.index.records, input.email, ctx.policy);
  const sliced = assess(input, { ...ctx, index: new RecordIndex(slice) });
  if (!isDeepStrictEqual(sliced, full)) {
    throw new Error(
      `the record slice changed the assessment of "${input.email.subject}":\n` +
        `all records: ${JSON.stringify(full)}\nslice: ${JSON.stringify(sliced)}`,
    );
  }
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
