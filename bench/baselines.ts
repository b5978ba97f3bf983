/**
 * bench:pipeline's baselines, run by bench/pipeline.ts as a child process of their own (so
 * neither the sink nor the bench shares their event loop, as none shares the service's):
 * the components the service is built from, each alone on the same claims, Dovecot and SMTP
 * sink as the service's run.
 *
 * - IMAP fetch + parse: imapflow fetches BENCH_FOLDER_FETCH's sources in batches of 200 (as
 *   the service's intake does) and src/mail/parse.ts parses each.
 * - SMTP send: the service's own transport (src/reply/outbound/transport.ts, its connection pool)
 *   sends N composed replies, `inFlight` at a time.
 * - The naive loop: one message at a time, fetch → parse → assess (records in memory) →
 *   render → compose → send → MOVE, with no database and no queue.
 *
 * Input: BENCH_BASELINE (JSON, BaselineInput). Output: one JSON line (BaselineResult).
 */
import { ImapFlow } from 'imapflow';
import { assess } from '../src/domain/assess/engine.ts';
import { CHINA_MAINLAND_CALENDAR } from '../src/domain/calendars/china-mainland.ts';
import { DEFAULT_POLICY } from '../src/domain/policy.ts';
import { parseEmail } from '../src/mail/parse.ts';
import { composeReply, createReplyTransport } from '../src/reply/outbound/transport.ts';
import type { ReplyTransport } from '../src/reply/outbound/types.ts';
import { renderClaimReply } from '../src/reply/render/claim-reply.ts';
import { ReplyTemplates } from '../src/reply/render/templates.ts';
import { contextOf } from '../test/support/builders.ts';
import { benchEmails, benchRecords } from './generate.ts';

export interface BaselineInput {
  port: number;
  user: string;
  password: string;
  smtpUrl: string;
  n: number;
  /** Filled with the N claims by the parent, fetched and parsed. */
  fetchFolder: string;
  /** Filled with the N claims by the parent, answered one by one and moved out. */
  naiveFolder: string;
  received: string;
  /** SMTP sends in flight at once in the send baseline. */
  inFlight: number;
}

export interface BaselineResult {
  fetchParseMs: number;
  smtpMs: number;
  smtpSent: number;
  naiveMs: number;
  naiveSent: number;
  peakRssKb: number;
}

const MAIL_FROM = 'claims@cloud.example';
const input = JSON.parse(process.env.BENCH_BASELINE ?? '{}') as BaselineInput;
const received = Date.parse(input.received);
const ctx = {
  ...contextOf(benchRecords()),
  policy: DEFAULT_POLICY,
  calendar: CHINA_MAINLAND_CALENDAR,
};
const templates = await ReplyTemplates.load();

/** The reply the service would send to `raw` (no database: the claim id is `n`). */
async function replyTo(raw: Buffer, n: number): Promise<{ raw: Buffer; to: string } | null> {
  const email = await parseEmail(raw);
  const assessment = assess({ email, receivedAt: received }, ctx);
  const reply = renderClaimReply(templates, {
    claimId: n,
    assessment,
    email,
    receivedAt: received,
    receipt: null,
    contact: true,
  });
  if (!reply || !email.from) return null;
  const bytes = await composeReply({
    claimRef: reply.ref,
    to: email.from,
    toName: email.fromName,
    from: MAIL_FROM,
    originalSubject: email.subject,
    originalMessageId: email.messageId,
    originalReferences: email.references,
    originalInReplyTo: email.inReplyTo,
    messageId: `<${reply.ref.toLowerCase()}.v1.${n}@cloud.example>`,
    text: reply.text,
    html: reply.html,
    lang: reply.lang,
  });
  return { raw: bytes, to: email.from };
}

async function imap(folder: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: input.port,
    secure: false,
    auth: { user: input.user, pass: input.password },
    logger: false,
  });
  await client.connect();
  await client.mailboxOpen(folder);
  return client;
}

async function fetchParse(): Promise<number> {
  const started = performance.now();
  const client = await imap(input.fetchFolder);
  let parsed = 0;
  for (let first = 1; first <= input.n; first += 200) {
    const range = `${first}:${Math.min(first + 199, input.n)}`;
    for (const m of await client.fetchAll(range, { uid: true, source: true })) {
      if (m.source) await parseEmail(m.source);
      parsed++;
    }
  }
  await client.logout();
  if (parsed !== input.n) throw new Error(`fetched ${parsed} of ${input.n}`);
  return performance.now() - started;
}

async function smtpSend(transport: ReplyTransport, replies: { raw: Buffer; to: string }[]) {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < replies.length) {
      const r = replies[next++]!;
      await transport.send(r.raw, { from: MAIL_FROM, to: [r.to] });
    }
  };
  await Promise.all(Array.from({ length: input.inFlight }, lane));
  return performance.now() - started;
}

async function naive(transport: ReplyTransport): Promise<{ ms: number; sent: number }> {
  const started = performance.now();
  const client = await imap(input.naiveFolder);
  const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
  let sent = 0;
  for (const uid of uids) {
    const m = await client.fetchOne(String(uid), { source: true }, { uid: true });
    const source = m ? m.source : undefined; // fetchOne gives false for a vanished message
    const reply = source ? await replyTo(source, uid) : null;
    if (reply) {
      await transport.send(reply.raw, { from: MAIL_FROM, to: [reply.to] });
      sent++;
    }
    await client.messageMove(String(uid), `${input.naiveFolder}Done`, { uid: true });
  }
  await client.logout();
  return { ms: performance.now() - started, sent };
}

// Composing the replies for the send baseline also warms parse, assess and render up.
const replies: { raw: Buffer; to: string }[] = [];
for (const [i, raw] of benchEmails(input.n).entries()) {
  const reply = await replyTo(raw, i + 1);
  if (reply) replies.push(reply);
}
const fetchParseMs = await fetchParse();
const transport = createReplyTransport({ smtpUrl: input.smtpUrl });
const smtpMs = await smtpSend(transport, replies);
const loop = await naive(transport);
await transport.close();
const result: BaselineResult = {
  fetchParseMs,
  smtpMs,
  smtpSent: replies.length,
  naiveMs: loop.ms,
  naiveSent: loop.sent,
  peakRssKb: process.resourceUsage().maxRSS,
};
console.log(JSON.stringify(result));
