/**
 * Record slices: the engine on the records one email needs decides exactly as on all
 * records. Every engine test checks this through test/support/builders.ts `run`; here
 * generated worlds and claims look for the cases hand-written tests miss (long incidents,
 * other time zones, date-only claims, shared contacts, orders of other accounts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assess/engine.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import { RecordIndex } from '../../src/domain/record-index.ts';
import { parseRecordFile, RECORD_FILES, type Records } from '../../src/domain/records.ts';
import { lookupKeys, MAX_LOOKUP_IDS, selectSlice, sliceScope } from '../../src/domain/slice.ts';
import { at, contextOf, emailOf, expectSameOnSlice, incident } from '../support/builders.ts';
import { world } from '../support/slice-world.ts';

const DAY = 86_400_000;
const BASE = at('2026-02-01T00:00:00+08:00');

const iso = (ms: number) => new Date(ms).toISOString();
const TARGETS = [
  { scope: [{ service: 'ECS', region: 'cn-north-1' }] },
  { scope: [{ service: 'RDS', region: 'cn-north-1' }] },
  { scope: [{ service: 'ECS', region: 'us-east-1' }] },
  { resources: ['ecs-s1'], scope: undefined },
  { scope: [{ service: 'OSS', region: 'cn-north-1' }] },
  { resources: ['ecs-o1'], scope: undefined },
];
const CAUSES = ['platform', 'platform', 'maintenance', 'force_majeure'];

const incidentArb = fc.record({
  startMinutes: fc.integer({ min: 0, max: 58 * 24 * 60 }),
  // Mostly short faults, some lasting days: a long one overlaps a claimed time from far before.
  minutes: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 120, max: 6 * 24 * 60 })),
  target: fc.integer({ min: 0, max: TARGETS.length - 1 }),
  cause: fc.integer({ min: 0, max: CAUSES.length - 1 }),
});

const ACCOUNT_FORMS = [
  'Account: demo-shop',
  'account DEMO-SHOP',
  'demo-shop',
  'Account: NY-Corp',
  'ny-corp',
  'Account: other-co',
  'Account: nobody-9',
  '',
];
const SENDERS: readonly [string, ...string[]] = [
  'it@demo-shop.test',
  'ops@ny.test',
  'boss@other.test',
  'mallory@evil.test',
];
const TYPES = ['Compensation claim', 'Refund request', 'ICP license reward', 'Complaint', ''];
const ORDER_FORMS = [
  '',
  'Order: ORD-1',
  'Orders: ORD-1, ORD-2',
  'ORD-3',
  'order ORD-4',
  'Order: X-99',
];

const timeArb = fc.record({
  minutes: fc.integer({ min: 0, max: 58 * 24 * 60 }),
  dateOnly: fc.boolean(),
  utc: fc.boolean(),
});

function timeText(t: { minutes: number; dateOnly: boolean; utc: boolean }): string {
  const local = new Date(BASE + t.minutes * 60_000 + 8 * 3_600_000).toISOString();
  const [date, clock] = [local.slice(0, 10), local.slice(11, 16)];
  if (t.dateOnly) return date;
  return t.utc
    ? `${new Date(BASE + t.minutes * 60_000).toISOString().slice(0, 16)}Z`
    : `${date} ${clock}`;
}

const claimArb = fc.record({
  type: fc.integer({ min: 0, max: TYPES.length - 1 }),
  account: fc.integer({ min: 0, max: ACCOUNT_FORMS.length - 1 }),
  times: fc.array(timeArb, { maxLength: 3 }),
  count: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  orders: fc.integer({ min: 0, max: ORDER_FORMS.length - 1 }),
  sender: fc.integer({ min: 0, max: SENDERS.length - 1 }),
  inBody: fc.boolean(),
  receivedDays: fc.integer({ min: 20, max: 70 }),
});

describe('the engine on a record slice', () => {
  it('decides every generated claim exactly as on all records', () => {
    fc.assert(
      fc.property(
        fc.array(incidentArb, { maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 29 }), { maxLength: 4 }),
        claimArb,
        fc.constantFrom(1, 3, 30),
        fc.constantFrom(0, 30, 180),
        (incidents, paid, claim, lookbackDays, toleranceMinutes) => {
          const raw = world();
          raw.incidents = incidents.map((inc, n) => {
            const start = BASE + inc.startMinutes * 60_000;
            const { scope, resources } = TARGETS[inc.target]!;
            return incident(`INC-${n}`, iso(start), iso(start + inc.minutes * 60_000), {
              cause: CAUSES[inc.cause],
              scope,
              ...(resources ? { resources } : {}),
            });
          });
          raw.compensations = paid
            .filter((n) => n < incidents.length)
            .map((n) => ({ account: 'demo-shop', incident: `INC-${n}` }));
          const ctx = contextOf(raw, {
            policy: { lookback_days: lookbackDays, match_tolerance_minutes: toleranceMinutes },
          });
          const parts = [
            TYPES[claim.type],
            ACCOUNT_FORMS[claim.account],
            claim.times.length > 0 ? `Fault time: ${claim.times.map(timeText).join(', ')}` : '',
            claim.count === undefined ? '' : `Occurrences: ${claim.count}`,
            ORDER_FORMS[claim.orders],
          ].filter((p) => p !== '');
          const text = parts.join('; ');
          const email = emailOf({
            from: SENDERS[claim.sender] ?? SENDERS[0],
            subject: claim.inBody ? (TYPES[claim.type] ?? '') : text,
            text: claim.inBody ? `Hello,\n${text}\nThanks` : 'Hello',
          });
          const input = { email, receivedAt: BASE + claim.receivedDays * DAY };
          expectSameOnSlice(input, ctx, assess(input, ctx));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('holds an incident that started days before the claimed fault and those before it', () => {
    const raw = world();
    raw.incidents = [
      // 29 days before the long incident began, 32 before the claimed time: in the look-back.
      incident('INC-early', '2026-01-28T10:00:00+08:00', '2026-01-28T10:30:00+08:00'),
      // Three days long: the claim at 2026-03-01 10:00 matches it though it began 2026-02-26.
      incident('INC-long', '2026-02-26T09:00:00+08:00', '2026-03-01T11:00:00+08:00'),
      incident('INC-old', '2026-01-10T10:00:00+08:00', '2026-01-10T10:30:00+08:00'),
    ];
    const ctx = contextOf(raw);
    const email = emailOf({
      subject: 'Compensation - Account: demo-shop; Fault time: 2026-03-01 10:00; Occurrences: 2',
    });
    const slice = selectSlice(ctx.index.records, email, ctx.policy);
    expect(slice.incidents.map((i) => i.id)).toEqual(['INC-early', 'INC-long']);
    const input = { email, receivedAt: at('2026-03-02T09:00:00+08:00') };
    const full = assess(input, ctx);
    expect(full.incidents).toEqual(['INC-early', 'INC-long']);
    expectSameOnSlice(input, ctx, full);
  });
});

describe('what a slice holds', () => {
  const ctx = contextOf(world());
  const slice = (subject: string, from = 'it@demo-shop.test', text = '') =>
    selectSlice(ctx.index.records, emailOf({ subject, from, text }), DEFAULT_POLICY);

  it("holds the named account's records and no other account's resources", () => {
    const s = slice('ICP license reward - Account: demo-shop');
    expect(s.accounts.map((a) => a.id)).toEqual(['demo-shop', 'other-co']);
    // Its subscription hosts; not the object storage bucket, which no rule reads here.
    expect(s.resources.map((r) => r.id)).toEqual(['ecs-s1', 'rds-s1']);
    expect(s.icpFilings).toHaveLength(1);
    expect(s.orders).toEqual([]);
  });

  it('holds the accounts the sender is a contact of, even when the email names none', () => {
    expect(slice('hello', 'boss@other.test').accounts.map((a) => a.id)).toEqual(['other-co']);
    expect(slice('hello', 'stranger@x.test').accounts).toEqual([]);
  });

  it('holds an order of another account and the refund requests naming it', () => {
    const s = slice('Refund - Account: demo-shop; Order: ORD-3, ORD-1');
    expect(s.orders.map((o) => o.id)).toEqual(['ORD-1', 'ORD-3']);
    expect(s.refunds.map((r) => r.id)).toEqual(['R-1']);
  });

  it('finds an unlabelled id in any case, in the subject or the body', () => {
    expect(slice('refund ord-1 please').orders.map((o) => o.id)).toEqual(['ORD-1']);
    expect(slice('refund', 'x@y.test', 'Orders: ORD-4').orders.map((o) => o.id)).toEqual(['ord-4']);
    expect(slice('DEMO-SHOP down', 'x@y.test').accounts.map((a) => a.id)).toEqual(['demo-shop']);
  });

  it('holds the resources the incidents touch, whether hosts or not', () => {
    const raw = world();
    raw.incidents = [
      incident('INC-1', '2026-03-01T10:00:00+08:00', '2026-03-01T10:30:00+08:00', {
        scope: [{ service: 'OSS', region: 'cn-north-1' }],
      }),
    ];
    const s = selectSlice(
      contextOf(raw).index.records,
      emailOf({
        subject: 'Compensation - Account: demo-shop; Fault time: 2026-03-01 10:05; Occurrences: 1',
      }),
      DEFAULT_POLICY,
    );
    expect(s.incidents.map((i) => i.id)).toEqual(['INC-1']);
    expect(s.resources.map((r) => r.id)).toEqual(['ecs-s1', 'rds-s1', 'oss-s1']);
  });

  it('holds earlier incidents only for a count of two or more, and none without a count', () => {
    const raw = world();
    raw.incidents = [
      incident('INC-0', '2026-02-20T10:00:00+08:00', '2026-02-20T10:30:00+08:00'),
      incident('INC-1', '2026-03-01T10:00:00+08:00', '2026-03-01T10:30:00+08:00'),
    ];
    const ids = (count: string) =>
      selectSlice(
        contextOf(raw).index.records,
        emailOf({
          subject: `Compensation - Account: demo-shop; Fault time: 2026-03-01 10:05 ${count}`,
        }),
        DEFAULT_POLICY,
      ).incidents.map((i) => i.id);
    expect(ids('twice')).toEqual(['INC-0', 'INC-1']);
    expect(ids('Occurrences: 1')).toEqual(['INC-1']);
    expect(ids('')).toEqual([]);
  });

  it('holds no incidents for a claim that is not a compensation claim', () => {
    const raw = world();
    raw.incidents = [incident('INC-1', '2026-03-01T10:00:00+08:00', '2026-03-01T10:30:00+08:00')];
    const s = selectSlice(
      contextOf(raw).index.records,
      emailOf({ subject: 'Complaint - Account: demo-shop; Fault time: 2026-03-01 10:05' }),
      DEFAULT_POLICY,
    );
    expect(s.incidents).toEqual([]);
  });

  it('reads nothing for auto-generated mail', () => {
    const email = emailOf({
      subject: 'Automatic reply: Account: demo-shop',
      headers: { autoSubmitted: 'auto-replied' },
    });
    expect(lookupKeys(email)).toEqual({ ids: [], sender: null });
    expect(sliceScope(email, DEFAULT_POLICY, new RecordIndex(emptyRecords()))).toBeNull();
  });
});

describe('the ids looked up', () => {
  it('are the subject’s first, lower-cased, without repeats', () => {
    const keys = lookupKeys(
      emailOf({ subject: 'Account: DEMO-shop order ORD-1', text: 'demo-shop and ORD-9' }),
    );
    expect(keys.ids.slice(0, 3)).toEqual(['demo-shop', 'account', 'order']);
    expect(keys.ids).toContain('ord-1');
    expect(keys.ids).toContain('ord-9');
    expect(new Set(keys.ids).size).toBe(keys.ids.length);
    expect(keys.sender).toBe('it@demo-shop.test');
  });

  it('include the id glued to a label and an order id before a dot', () => {
    const keys = lookupKeys(emailOf({ subject: 'account iddemo-shop; Order: ORD-7.pdf' }));
    expect(keys.ids).toContain('demo-shop');
    expect(keys.ids).toContain('ord-7');
  });

  it(`are at most ${MAX_LOOKUP_IDS}, however many words a body has`, () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `w${i}`).join(' ');
    const keys = lookupKeys(emailOf({ subject: 'Account: demo-shop', text: words }));
    expect(keys.ids).toHaveLength(MAX_LOOKUP_IDS);
    expect(keys.ids[0]).toBe('demo-shop');
  });
});

function emptyRecords(): Records {
  const records = {} as Records;
  for (const kind of Object.keys(RECORD_FILES) as (keyof Records)[])
    (records[kind] as unknown) = parseRecordFile(kind, [], RECORD_FILES[kind]);
  return records;
}
