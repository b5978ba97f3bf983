import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createLogger, type LoggerOptions, maskUrlPasswords } from '../../src/logger.ts';
import { type RunningService, startService } from '../../src/service/index.ts';
import { migrate } from '../../src/store/migrate.ts';
import { importRecordsDir } from '../../src/store/records-store.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

/** A logger writing into a string array (one entry per line written). */
function captured(level = 'info', options: LoggerOptions = {}) {
  const lines: string[] = [];
  // pino writes synchronously to a plain object with write(): every line is there after the call.
  const sink = { write: (line: string) => void lines.push(line) };
  return { logger: createLogger(level, sink, options), lines, text: () => lines.join('') };
}

describe('log redaction', () => {
  it('never writes passwords, tokens, cookies or authorization headers, and keeps the rest', () => {
    const { logger, lines, text } = captured();
    logger.info(
      {
        claimId: 42,
        user: 'ops@example.com',
        password: 'hunter2-password',
        token: 'cit_0123456789abcdef',
        csrfToken: 'csrf-secret-value',
        headers: {
          authorization: 'Bearer cit_bearer-secret',
          cookie: 'session=cookie-secret',
          'set-cookie': 'session=set-cookie-secret; HttpOnly',
          'user-agent': 'curl/8.0',
        },
        smtp: { host: 'smtp.example.com', auth: { user: 'bot', pass: 'smtp-secret' } },
        imap: { host: 'imap.example.com', password: 'imap-secret' },
        mailboxes: [{ name: 'imap://claims@imap.example.com:993/INBOX', password: 'mbox-secret' }],
      },
      'request seen',
    );
    const out = text();
    for (const secret of [
      'hunter2-password',
      'cit_0123456789abcdef',
      'csrf-secret-value',
      'cit_bearer-secret',
      'cookie-secret',
      'set-cookie-secret',
      'smtp-secret',
      'imap-secret',
      'mbox-secret',
    ]) {
      expect(out).not.toContain(secret);
    }
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request seen',
      claimId: 42,
      user: 'ops@example.com',
      password: '[redacted]',
      headers: { 'user-agent': 'curl/8.0', authorization: '[redacted]' },
      smtp: { host: 'smtp.example.com', auth: '[redacted]' },
      imap: { host: 'imap.example.com', password: '[redacted]' },
      mailboxes: [{ name: 'imap://claims@imap.example.com:993/INBOX', password: '[redacted]' }],
    });
  });

  it('never writes email bodies, raw sources or attachment bytes', () => {
    const { logger, lines, text } = captured();
    logger.warn(
      {
        messageId: 'abc@example.com',
        email: {
          subject: 'Claim for INC-1',
          text: 'body-text-secret',
          html: '<p>body-html-secret</p>',
          textAsHtml: '<p>text-as-html-secret</p>',
          attachments: [{ filename: 'invoice.pdf', content: 'attachment-bytes-secret' }],
        },
        raw: 'From: a@example.com\r\n\r\nraw-source-secret',
        body: 'request-body-secret',
      },
      'parsed',
    );
    const out = text();
    for (const secret of [
      'body-text-secret',
      'body-html-secret',
      'text-as-html-secret',
      'attachment-bytes-secret',
      'raw-source-secret',
      'request-body-secret',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({
      messageId: 'abc@example.com',
      email: { subject: 'Claim for INC-1', attachments: [{ filename: 'invoice.pdf' }] },
    });
  });

  it('masks the password of IMAP_URL, SMTP_URL and DATABASE_URL wherever they appear, errors included', () => {
    const { logger, text } = captured();
    logger.info({ imapUrl: 'imaps://claims:imap-pw-1@imap.example.com:993/INBOX' }, 'mailbox');
    logger.info({ smtpUrl: 'smtps://bot:smtp-pw-2@smtp.example.com:465' }, 'smtp');
    logger.error(
      { err: new Error('connect failed: postgres://app:db-pw-3@db.internal:5432/claims') },
      'database',
    );
    logger.info('settings: redis://:redis-pw-4@cache:6379 and REDIS_URL');
    const out = text();
    for (const secret of ['imap-pw-1', 'smtp-pw-2', 'db-pw-3', 'redis-pw-4'])
      expect(out).not.toContain(secret);
    expect(out).toContain('imaps://claims:***@imap.example.com:993/INBOX');
    expect(out).toContain('smtps://bot:***@smtp.example.com:465');
    expect(out).toContain('postgres://app:***@db.internal:5432/claims');
    expect(out).toContain('redis://:***@cache:6379');
  });

  it('leaves URLs without a password and plain email addresses alone', () => {
    expect(maskUrlPasswords('imap://claims@imap.example.com:143/INBOX')).toBe(
      'imap://claims@imap.example.com:143/INBOX',
    );
    expect(maskUrlPasswords('from a@example.com at http://host:8080/path')).toBe(
      'from a@example.com at http://host:8080/path',
    );
  });

  it('keeps redacting in child loggers that carry claim, message and job ids', () => {
    const { logger, lines } = captured();
    logger
      .child({ component: 'reply-worker', claimId: 7, jobId: 'reply-7-v1' })
      .info({ messageId: 'm@x', token: 'child-token-secret' }, 'reply done');
    expect(lines.join('')).not.toContain('child-token-secret');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      component: 'reply-worker',
      claimId: 7,
      jobId: 'reply-7-v1',
      messageId: 'm@x',
      token: '[redacted]',
    });
  });
});

describe('pretty logs for development', () => {
  it('writes one readable line per entry with the level, message and fields, not JSON', () => {
    const { logger, text } = captured('info', { format: 'pretty', colorize: false });
    logger.info({ claimId: 9, jobId: 'assess-9' }, 'assess done');
    const out = text();
    expect(out).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(claim-intake\): assess done\n/);
    expect(out).toContain('claimId: 9');
    expect(out).toContain('jobId: "assess-9"');
    expect(() => JSON.parse(out)).toThrow();
  });

  it('redacts and masks in pretty output too', () => {
    const { logger, text } = captured('info', { format: 'pretty', colorize: false });
    logger.info(
      { password: 'pretty-secret', url: 'smtp://bot:pretty-url-pw@mail:25' },
      'configured',
    );
    expect(text()).not.toContain('pretty-secret');
    expect(text()).not.toContain('pretty-url-pw');
    expect(text()).toContain('smtp://bot:***@mail:25');
  });

  it('falls back to JSON with a warning when pino-pretty is not installed (production images)', () => {
    const { logger, lines } = captured('info', {
      format: 'pretty',
      prettyModule: 'pino-pretty-not-installed',
    });
    logger.info({ claimId: 1 }, 'still logging');
    const [warning, entry] = lines.map((l) => JSON.parse(l));
    expect(warning).toMatchObject({ level: 40, format: 'pretty' });
    expect(warning.msg).toMatch(/pino-pretty .*not installed.*JSON/);
    expect(entry).toMatchObject({ level: 30, claimId: 1, msg: 'still logging' });
  });
});

describe('LOG_FORMAT', () => {
  it('accepts json and pretty', () => {
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('is JSON in production even on a terminal', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
  });

  it('stops start-up with one line naming LOG_FORMAT for anything else', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(
      'LOG_FORMAT: must be json or pretty, got "xml"',
    );
  });
});

describe('logs of a claim going through the running service', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let dir: string;
  let service: RunningService | undefined;
  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
    await migrate(db.pool);
    await importRecordsDir(db.pool, join(REPO_ROOT, 'examples/records'));
    dir = mkdtempSync(join(tmpdir(), 'claim-intake-logs-'));
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  });
  afterAll(async () => {
    await service?.stop();
    await redis?.cleanup();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carry claim id, Message-ID, stored message id and job id, and never the body', async () => {
    const body = 'Unique body phrase 7f3a9c: ECS unreachable since ten, my password is hunter2.';
    writeFileSync(
      join(dir, 'new', '1.logs.host'),
      [
        'From: it@demo-shop.test',
        'To: claims@cloud.example',
        'Subject: Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1',
        'Date: Fri, 20 Nov 2026 10:00:00 +0800',
        'Message-ID: <logs-7f3a9c@mail.test>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        '',
      ].join('\r\n'),
    );
    const { logger, lines } = captured('debug');
    const config = loadConfig({
      HTTP_PORT: '0',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      MAILDIR_PATH: dir,
      // The reply lands in the temp dir (the Maildir reads only new/ and cur/), never var/.
      OUTBOX_DIR: join(dir, 'outbox'),
      IMAP_POLL_INTERVAL_MS: '200',
    });
    service = await startService(config, 'all', logger);
    const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => entries().some((e) => e.msg === 'assess done'), {
      message: 'the claim was assessed',
    });
    const stored = entries().find((e) => e.msg === 'message stored');
    expect(stored).toMatchObject({ component: 'maildir', messageId: 'logs-7f3a9c@mail.test' });
    const claimId = stored!.claimId as number;
    expect(claimId).toBeGreaterThan(0);
    const { rows } = await db.pool.query('SELECT message_id FROM claims WHERE id = $1', [claimId]);
    expect(entries().find((e) => e.msg === 'assess done')).toMatchObject({
      component: 'assess-worker',
      claimId,
      jobId: `assess-${claimId}`,
      messageId: String(rows[0].message_id),
    });
    for (const fragment of ['7f3a9c:', 'ECS unreachable since ten', 'hunter2'])
      expect(lines.join('')).not.toContain(fragment);
  });
});
