/**
 * Shared by the template tests: decisions made by the real engine on realistic records
 * (demo-shop, test/support/builders.ts), turned into rendered replies.
 */
import { beforeAll, expect } from 'vitest';
import type { Assessment } from '../../src/domain/assess/types.ts';
import type { ParsedEmail } from '../../src/domain/email.ts';
import { type ReplyLang, replyLanguage } from '../../src/reply/render/language.ts';
import { buildReplyData, type ReplyKind, replyKind } from '../../src/reply/render/reply-data.ts';
import { type RenderedReply, ReplyTemplates } from '../../src/reply/render/templates.ts';
import {
  at,
  baseRecords,
  contextOf,
  emailOf,
  incident,
  type RawRecords,
  run,
} from '../support/builders.ts';

export const RECEIVED = '2026-03-04T09:00:00+08:00';
export const CLAIM_REF = 'CLM-000042';

export interface Replied {
  a: Assessment;
  kind: ReplyKind;
  lang: ReplyLang;
  out: RenderedReply;
}

/**
 * Assesses the mail with the real engine, then renders its reply in the language chosen
 * for it, as the reply stage does.
 */
export type ReplyArgs = [
  raw: RawRecords,
  mail: Partial<ParsedEmail>,
  options?: { receipt?: string; received?: string },
];

/**
 * The real templates, loaded once before the file's tests, and `reply` through them: what
 * every template test file starts with.
 */
export function realTemplates(): {
  templates: () => ReplyTemplates;
  reply: (...args: ReplyArgs) => Replied;
} {
  let loaded: ReplyTemplates | undefined;
  beforeAll(async () => {
    loaded = await ReplyTemplates.load();
  });
  const templates = () => {
    if (!loaded) throw new Error('the templates load before the tests run');
    return loaded;
  };
  return { templates, reply: (...args) => replyWith(templates(), ...args) };
}

export function replyWith(
  templates: ReplyTemplates,
  ...[raw, mail, options = {}]: ReplyArgs
): Replied {
  const received = options.received ?? RECEIVED;
  const a = run(contextOf(raw), mail, received);
  const kind = replyKind(a);
  if (kind === null) throw new Error(`no reply for ${a.decision}`);
  const email = emailOf(mail);
  const lang = replyLanguage(email);
  const data = buildReplyData({
    contact: true,
    claimRef: CLAIM_REF,
    assessment: a,
    email,
    lang,
    receivedAt: at(received),
    ...(options.receipt === undefined ? {} : { receipt: options.receipt }),
  });
  return { a, kind, lang, out: templates.render(kind, lang, data) };
}

/** Both parts contain every one of these facts. */
export function expectBoth(out: RenderedReply, facts: string[]): void {
  for (const fact of facts) {
    expect(out.text).toContain(fact);
    expect(out.html).toContain(fact);
  }
}

/** demo-shop's ECS host (48.00/day) and an EVS disk (12.00/day), both in cn-north-1. */
export function withDisk(incidents: Record<string, unknown>[], more: RawRecords = {}): RawRecords {
  const base = baseRecords();
  const disk = {
    ...base.resources[0],
    id: 'evs-d1',
    service: 'EVS',
    daily_fee: '12.00',
    host: false,
  };
  const scope = [
    { service: 'ECS', region: 'cn-north-1' },
    { service: 'EVS', region: 'cn-north-1' },
  ];
  return {
    ...base,
    resources: [...base.resources, disk],
    incidents: incidents.map((i) => ({ ...i, scope })),
    ...more,
  };
}

export const ONE_HOUR = incident('INC-7', '2026-03-02T10:00:00+08:00', '2026-03-02T11:00:00+08:00');
export const EARLIER = incident('INC-5', '2026-02-26T14:00:00+08:00', '2026-02-26T14:30:00+08:00');
export const EN_CLAIM =
  'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:15; Occurrences: 1';
export const ZH_CLAIM = '赔偿申请 账号：demo-shop 故障时间：2026年3月2日 10:15 次数：1次';

export { order } from '../support/assess-cases.ts';

export const FILING = {
  account: 'demo-shop',
  submitted_at: '2026-02-20T10:00:00+08:00',
  approved_at: '2026-02-25T10:00:00+08:00',
  first_time: true,
  status: 'approved',
};
