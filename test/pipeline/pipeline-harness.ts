/**
 * The whole service against real services for the pipeline tests: a database of its own
 * (migrated, example records imported), a Redis prefix of its own, a Maildir temp dir as the
 * mailbox and the real SMTP sink. Helpers deliver emails with a receipt time, read claims,
 * replies and ledger rows, parse what the sink received and tell when the queues are idle.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { QUEUE_NAMES, type QueueName, queuePrefix } from '../../src/pipeline/queues.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { waitFor } from '../support/wait.ts';

export const MAIL_FROM = 'claims@cloud.example';
export const EXAMPLES = join(REPO_ROOT, 'examples');

export interface ClaimRow {
  id: number;
  state: string;
  type: string | null;
  decision: string | null;
  account: string | null;
  amount: string | null;
  reasons: string[];
  version: number;
  received_at: Date;
  source_key: string;
}

export interface ReplyRow {
  id: number;
  claim_id: number;
  decision_version: number;
  kind: string;
  lang: string;
  to_address: string;
  message_id: string;
  subject: string;
  raw: Buffer;
  state: string;
  attempts: number;
  last_error: string | null;
}

export interface LedgerRow {
  id: number;
  claim_id: number;
  account: string;
  kind: string;
  incident: string | null;
  order_id: string | null;
  amount: string;
  currency: string;
  details: Record<string, unknown>;
  credit_by: Date | null;
  valid_until: Date | null;
}

/** A message the sink accepted, with its header block read as it is on the wire. */
export interface SentMail {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  /** Header names (lower case) in order of appearance, unfolded values. */
  headerLines: { name: string; value: string }[];
  header(name: string): string | undefined;
  subject: string;
  text: string;
  html: string;
}

export interface Harness {
  db: TestDatabase;
  redis: TestRedis;
  sink: SmtpSink;
  maildir: string;
  service: RunningService | undefined;
  /** Starts the service (role 'all'); env entries override the defaults. */
  start(env?: Record<string, string>): Promise<RunningService>;
  stop(): Promise<void>;
  /** Writes a message into new/ with mtime = received; returns its Maildir name. */
  deliver(raw: Buffer | string, received: string, name?: string): string;
  claimBySource(sourceKey: string): Promise<ClaimRow | undefined>;
  claim(id: number): Promise<ClaimRow>;
  /** Waits until the message is stored and its claim passes the test; returns the claim. */
  waitClaim(
    sourceKey: string,
    test: (c: ClaimRow) => boolean,
    message: string,
    timeoutMs?: number,
  ): Promise<ClaimRow>;
  replies(claimId?: number): Promise<ReplyRow[]>;
  ledger(claimId?: number): Promise<LedgerRow[]>;
  count(sql: string, params?: unknown[]): Promise<number>;
  /** Every message the sink accepted, parsed. */
  sent(): Promise<SentMail[]>;
  /** Messages at the sink answering (In-Reply-To) this original Message-ID. */
  sentTo(originalMessageId: string): Promise<SentMail[]>;
  queue(name: QueueName): Queue;
  /** No job waiting, active, delayed or prioritized in any of the pipeline's queues. */
  queuesIdle(): Promise<boolean>;
  cleanup(): Promise<void>;
}

let seq = 0;

export async function createHarness(
  options: { env?: Record<string, string>; records?: string } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const redis = await createTestRedis();
  const sink = await startSmtpSink();
  await migrate(db.pool);
  await importRecordsDir(db.pool, options.records ?? join(EXAMPLES, 'records'));
  const root = mkdtempSync(join(tmpdir(), 'claim-intake-pipeline-'));
  const maildir = join(root, 'mail');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const queueConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queues = new Map<QueueName, Queue>();

  const h: Harness = {
    db,
    redis,
    sink,
    maildir,
    service: undefined,
    async start(env = {}) {
      const config = loadConfig({
        HTTP_PORT: '0', // the console on any free port: test files run side by side
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        MAILDIR_PATH: maildir,
        IMAP_POLL_INTERVAL_MS: '200',
        IMAP_RECONCILE_INTERVAL_MS: '1000',
        SMTP_URL: sink.url,
        MAIL_FROM,
        ...options.env,
        ...env,
      });
      h.service = await startService(config, 'all', createLogger('silent'));
      return h.service;
    },
    async stop() {
      const s = h.service;
      h.service = undefined;
      await s?.stop();
    },
    deliver(raw, received, name) {
      const file = name ?? `${Date.now()}.p${process.pid}q${++seq}.pipeline`;
      // Written under tmp/ and renamed into new/, as a Maildir writer does: the poller never
      // reads half a file, and the rename keeps the mtime (the receipt time).
      const tmp = join(maildir, 'tmp', file);
      writeFileSync(tmp, raw);
      utimesSync(tmp, new Date(received), new Date(received));
      renameSync(tmp, join(maildir, 'new', file));
      return file;
    },
    async claimBySource(sourceKey) {
      const { rows } = await db.pool.query<ClaimRow & { id: string }>(
        `SELECT c.id, c.state, c.type, c.decision, c.account, c.amount::text AS amount, c.reasons,
                c.version, c.received_at, m.source_key
           FROM claims c JOIN messages m ON m.id = c.message_id WHERE m.source_key = $1`,
        [sourceKey],
      );
      const row = rows[0];
      return row ? { ...row, id: Number(row.id) } : undefined;
    },
    async claim(id) {
      const { rows } = await db.pool.query<ClaimRow & { id: string }>(
        `SELECT c.id, c.state, c.type, c.decision, c.account, c.amount::text AS amount, c.reasons,
                c.version, c.received_at, m.source_key
           FROM claims c JOIN messages m ON m.id = c.message_id WHERE c.id = $1`,
        [id],
      );
      if (!rows[0]) throw new Error(`no claim ${id}`);
      return { ...rows[0], id: Number(rows[0].id) };
    },
    async waitClaim(sourceKey, test, message, timeoutMs = 20_000) {
      let found: ClaimRow | undefined;
      await waitFor(
        async () => {
          found = await h.claimBySource(sourceKey);
          return found !== undefined && test(found);
        },
        { timeoutMs, message: `${message} (last seen: ${JSON.stringify(found)})` },
      );
      return found!;
    },
    async replies(claimId) {
      const { rows } = await db.pool.query<ReplyRow & { id: string; claim_id: string }>(
        `SELECT * FROM replies ${claimId === undefined ? '' : 'WHERE claim_id = $1'} ORDER BY id`,
        claimId === undefined ? [] : [claimId],
      );
      return rows.map((r) => ({ ...r, id: Number(r.id), claim_id: Number(r.claim_id) }));
    },
    async ledger(claimId) {
      const { rows } = await db.pool.query<LedgerRow & { id: string; claim_id: string }>(
        `SELECT id, claim_id, account, kind, incident, order_id, amount::text AS amount, currency,
                details, credit_by, valid_until
           FROM ledger_entries ${claimId === undefined ? '' : 'WHERE claim_id = $1'} ORDER BY id`,
        claimId === undefined ? [] : [claimId],
      );
      return rows.map((r) => ({ ...r, id: Number(r.id), claim_id: Number(r.claim_id) }));
    },
    async count(sql, params = []) {
      return Number((await db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);
    },
    async sent() {
      return Promise.all(sink.messages.map((m) => parseSent(m.raw, m.envelope)));
    },
    async sentTo(originalMessageId) {
      const id = originalMessageId.startsWith('<') ? originalMessageId : `<${originalMessageId}>`;
      return (await h.sent()).filter((m) => m.header('in-reply-to') === id);
    },
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection: queueConnection, prefix: queuePrefix(redis.prefix) });
        q.on('error', () => undefined);
        queues.set(name, q);
      }
      return q;
    },
    async queuesIdle() {
      for (const name of QUEUE_NAMES) {
        const counts = await h
          .queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
        if (Object.values(counts).some((n) => n > 0)) return false;
      }
      return true;
    },
    async cleanup() {
      await h.stop().catch(() => undefined);
      for (const q of queues.values()) await q.close().catch(() => undefined);
      queueConnection.disconnect();
      await sink.stop();
      await db.drop();
      await redis.cleanup();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}

export async function parseSent(
  raw: Buffer,
  envelope: { from: string; to: string[] } = { from: '', to: [] },
): Promise<SentMail> {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const block = end < 0 ? text : text.slice(0, end);
  const headerLines: { name: string; value: string }[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headerLines.length > 0) {
      headerLines[headerLines.length - 1]!.value += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      headerLines.push({
        name: line.slice(0, colon).trim().toLowerCase(),
        value: line.slice(colon + 1).trim(),
      });
    }
  }
  const parsed = await simpleParser(raw);
  return {
    raw,
    envelope,
    headerLines,
    header: (name) => headerLines.find((l) => l.name === name.toLowerCase())?.value,
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
  };
}

/** RFC 2047 B-encoding for a header value that is not plain ASCII. */
export function encodeWord(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export interface MailSpec {
  from?: string;
  to?: string;
  subject: string;
  body?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string;
  /** Extra header lines, e.g. { 'Auto-Submitted': 'auto-replied' }. */
  headers?: Record<string, string> | undefined;
  /** The subject header as given, not encoded. */
  rawSubject?: boolean;
}

/** A plain-text email (UTF-8, base64 body, CRLF). */
export function mail(spec: MailSpec): string {
  const lines = [
    `From: ${spec.from ?? 'it@demo-shop.test'}`,
    `To: ${spec.to ?? MAIL_FROM}`,
    `Subject: ${spec.rawSubject ? spec.subject : encodeWord(spec.subject)}`,
    'Date: Wed, 04 Mar 2026 09:00:00 +0800',
    `Message-ID: <${spec.messageId}>`,
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references ? [`References: ${spec.references}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(spec.body ?? 'Hello.\n', 'utf8')
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n'),
    '',
  ];
  return lines.join('\r\n');
}

/** A unique Message-ID (left part) for a test email. */
export function uniqueId(tag: string): string {
  return `${tag}.${process.pid}.${Date.now().toString(36)}.${++seq}@customer.test`;
}

/** Waits until every queue is idle (nothing waiting, active or delayed). */
export function waitIdle(h: Harness, timeoutMs = 20_000): Promise<void> {
  return waitFor(() => h.queuesIdle(), { timeoutMs, message: 'pipeline queues idle' });
}
