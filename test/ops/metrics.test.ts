/**
 * The service's /metrics after real work: a claim stored, assessed, settled and answered
 * through the real PostgreSQL, Redis, Maildir and SMTP sink, plus a quarantined message;
 * then the counters are read from the text exposition as Prometheus would scrape them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImapSession } from '../../src/intake/imap-session.ts';
import { runAsLeader } from '../../src/intake/leader-loop.ts';
import { MailboxLock } from '../../src/intake/mailbox-lock.ts';
import { createLogger } from '../../src/logger.ts';
import { MailboxStatePublisher, readMailboxStates } from '../../src/ops/mailbox-state.ts';
import { Metrics, smtpErrorClass } from '../../src/ops/metrics.ts';
import {
  OutboxWriteError,
  SmtpPermanentError,
  SmtpTemporaryError,
} from '../../src/reply/outbound/errors.ts';
import { migrate } from '../../src/store/migrate.ts';
import {
  type ClaimRow,
  createHarness,
  type Harness,
  mail,
  uniqueId,
  waitIdle,
} from '../pipeline/pipeline-harness.ts';
import { createTestDatabase } from '../support/database.ts';
import { startDovecot } from '../support/dovecot.ts';
import { createTestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

/** The value of one series in a text exposition; undefined when the series is absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const smtpFailure = (responseCode: number | null) => ({
  responseCode,
  response: null,
  command: 'DATA',
  smtpCode: null,
});

describe('metrics of one process', () => {
  it('classifies SMTP failures by their answer, and counts only failures of the way out', async () => {
    expect(smtpErrorClass(new SmtpPermanentError('no', smtpFailure(550)))).toBe('5xx');
    expect(
      smtpErrorClass(new SmtpTemporaryError('later', { ...smtpFailure(451), scope: 'message' })),
    ).toBe('4xx');
    expect(
      smtpErrorClass(new SmtpTemporaryError('down', { ...smtpFailure(null), scope: 'transport' })),
    ).toBe('connection');
    expect(smtpErrorClass(new Error('database gone'))).toBeNull();

    const metrics = new Metrics({ defaultMetrics: false });
    metrics.replyFailed(new SmtpPermanentError('no', smtpFailure(550)));
    metrics.replyFailed(
      new SmtpTemporaryError('down', { ...smtpFailure(null), scope: 'transport' }),
    );
    metrics.replyFailed(new OutboxWriteError('/var/outbox', new Error('disk full')));
    metrics.replyFailed(new Error('database gone'));
    const { body } = await metrics.exposition();
    expect(sample(body, 'claim_intake_smtp_errors_total', { class: '5xx' })).toBe(1);
    expect(sample(body, 'claim_intake_smtp_errors_total', { class: 'connection' })).toBe(1);
    expect(sample(body, 'claim_intake_replies_failed_total', { permanence: 'permanent' })).toBe(1);
    expect(sample(body, 'claim_intake_replies_failed_total', { permanence: 'temporary' })).toBe(2);
  });

  it('reads job counts at scrape time, and leaves a queue out while it cannot be read', async () => {
    let redisUp = true;
    const metrics = new Metrics({
      defaultMetrics: false,
      queues: {
        assess: {
          getJobCounts: async () => {
            if (!redisUp) throw new Error('Connection is closed.');
            return { waiting: 3, active: 1, completed: 7 };
          },
        },
      },
    });
    let { body } = await metrics.exposition();
    expect(sample(body, 'claim_intake_queue_jobs', { queue: 'assess', state: 'waiting' })).toBe(3);
    expect(sample(body, 'claim_intake_queue_jobs', { queue: 'assess', state: 'completed' })).toBe(
      7,
    );
    redisUp = false;
    ({ body } = await metrics.exposition());
    expect(sample(body, 'claim_intake_queue_jobs', { queue: 'assess', state: 'waiting' })).toBe(
      undefined,
    );
  });

  it('reports readiness as gauges only once it watches a check, from the same check /readyz uses', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    expect((await metrics.exposition()).body).not.toContain('claim_intake_ready');
    let calls = 0;
    metrics.watchReadiness({
      check: async () => {
        calls++;
        return {
          ready: false,
          checks: { postgres: { ok: true }, redis: { ok: false, error: 'unreachable' } },
        };
      },
    });
    const body = (await metrics.exposition()).body;
    expect(body).toMatch(/^claim_intake_ready 0$/m);
    expect(body).toMatch(/^claim_intake_ready_check\{check="postgres"\} 1$/m);
    expect(body).toMatch(/^claim_intake_ready_check\{check="redis"\} 0$/m);
    expect(calls).toBeGreaterThan(0);
    // A check that throws is "not ready", never a failed scrape.
    const failing = new Metrics({ defaultMetrics: false });
    failing.watchReadiness({ check: () => Promise.reject(new Error('boom')) });
    expect((await failing.exposition()).body).toMatch(/^claim_intake_ready 0$/m);
  });

  it('counts a session opened again within one leadership as a reconnect', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const intake = metrics.intake();
    intake.leadership('box', true);
    intake.connected('box');
    intake.disconnected('box');
    expect(intake.local('box')).toEqual({ leader: true, connected: false });
    intake.connected('box');
    intake.lag('box', 12.5);
    const { body } = await metrics.exposition();
    expect(sample(body, 'claim_intake_mailbox_reconnects_total', { mailbox: 'box' })).toBe(1);
    expect(sample(body, 'claim_intake_mailbox_connected', { mailbox: 'box' })).toBe(1);
    expect(sample(body, 'claim_intake_mailbox_lag_seconds', { mailbox: 'box' })).toBe(12.5);
    expect(intake.local('box')).toEqual({ leader: true, connected: true });
  });
});

describe('/metrics of the running service after a processed batch', () => {
  let h: Harness;
  let claim: ClaimRow;
  let text: string;
  let port: number;

  beforeAll(async () => {
    h = await createHarness({ env: { MAX_MESSAGE_BYTES: '4096' } });
    const service = await h.start();
    port = service.port;
    const id = uniqueId('metrics');
    const file = h.deliver(
      mail({
        messageId: id,
        subject:
          'Compensation claim - Account: demo-shop; Fault time: 2026-03-02 10:05; Occurrences: 1',
        body: 'Please compensate the outage.',
      }),
      '2026-03-04T09:00:00+08:00',
    );
    // Larger than MAX_MESSAGE_BYTES: quarantined, not a claim.
    h.deliver(
      mail({ messageId: uniqueId('big'), subject: 'Big', body: 'x'.repeat(8000) }),
      '2026-03-04T09:00:00+08:00',
    );
    claim = await h.waitClaim(
      file.split(':')[0]!,
      (c) => c.decision !== null,
      'the claim is assessed',
    );
    await waitFor(async () => (await h.replies(claim.id)).some((r) => r.state === 'sent'), {
      message: 'the reply is sent',
    });
    await waitIdle(h);
    // The reply stage reports after its job returns: wait until the scrape shows it.
    await waitFor(
      async () => {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return (
          sample(text, 'claim_intake_job_duration_seconds_count', {
            queue: 'reply',
            outcome: 'completed',
          }) === 1 &&
          sample(text, 'claim_intake_mailbox_messages_quarantined_total') === 1 &&
          sample(text, 'claim_intake_mailbox_lag_seconds') === 0
        );
      },
      { message: 'the scrape shows the finished batch' },
    );
  }, 60_000);

  afterAll(async () => {
    await h?.cleanup();
  });

  it('serves the text exposition with its content type', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts the stored and the quarantined message for the mailbox, with lag back to 0', () => {
    const mailbox = `maildir:${h.maildir}`;
    expect(sample(text, 'claim_intake_mailbox_messages_stored_total', { mailbox })).toBe(1);
    expect(sample(text, 'claim_intake_mailbox_messages_quarantined_total', { mailbox })).toBe(1);
    expect(sample(text, 'claim_intake_mailbox_lag_seconds', { mailbox })).toBe(0);
    expect(sample(text, 'claim_intake_mailbox_connected', { mailbox })).toBe(1);
    const lastPoll = sample(text, 'claim_intake_mailbox_last_poll_timestamp_seconds', { mailbox });
    expect(lastPoll).toBeGreaterThan(Date.parse('2026-01-01') / 1000);
  });

  it('counts the decision by claim type and decision, and the reply sent', () => {
    expect(claim.type).not.toBeNull();
    expect(
      sample(text, 'claim_intake_decisions_total', {
        type: claim.type!,
        decision: claim.decision!,
      }),
    ).toBe(1);
    expect(sample(text, 'claim_intake_replies_sent_total')).toBe(1);
    expect(sample(text, 'claim_intake_smtp_errors_total')).toBeUndefined();
  });

  it('times each stage job and reads the queues job counts', async () => {
    for (const queue of ['assess', 'reply']) {
      expect(
        sample(text, 'claim_intake_job_duration_seconds_count', { queue, outcome: 'completed' }),
        queue,
      ).toBe(1);
      expect(sample(text, 'claim_intake_queue_jobs', { queue, state: 'completed' }), queue).toBe(1);
      expect(sample(text, 'claim_intake_queue_jobs', { queue, state: 'waiting' }), queue).toBe(0);
    }
    // An automatic approval is settled with its assessment: the settle queue is for agents'
    // approvals, and for a settlement that failed there.
    expect(sample(text, 'claim_intake_queue_jobs', { queue: 'settle', state: 'completed' })).toBe(
      0,
    );
    if (claim.decision === 'approved') expect(await h.ledger(claim.id)).not.toEqual([]);
    expect(
      sample(text, 'claim_intake_job_duration_seconds_bucket', {
        queue: 'assess',
        outcome: 'completed',
        le: '+Inf',
      }),
    ).toBe(1);
  });

  it('includes the process metrics: event-loop lag and memory', () => {
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('publishes the mailbox state for other processes to read', async () => {
    const [state] = await readMailboxStates(h.redis.client, h.redis.prefix, [
      `maildir:${h.maildir}`,
    ]);
    expect(state).toMatchObject({ connected: true, stored: 1, quarantined: 1, lagSeconds: 0 });
    expect(state!.leader).toMatch(new RegExp(`:${process.pid}$`));
  });

  it('is ready: Redis, PostgreSQL, the mailbox and SMTP all answer', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ready: true,
      checks: {
        postgres: { ok: true },
        redis: { ok: true },
        [`mailbox:maildir:${h.maildir}`]: { ok: true },
        smtp: { ok: true },
      },
    });
    // The same answer as gauges in /metrics.
    const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(body).toMatch(/^claim_intake_ready 1$/m);
    expect(body).toMatch(/^claim_intake_ready_check\{check="redis"\} 1$/m);
    expect(body).toMatch(/^claim_intake_ready_check\{check="smtp"\} 1$/m);
  });
});

describe('IMAP intake reports lag and reconnects', () => {
  it('lag is the age of the oldest waiting message, 0 once stored; a new session is a reconnect', async () => {
    const db = await createTestDatabase();
    const redis = await createTestRedis();
    const dovecot = await startDovecot();
    const abort = new AbortController();
    try {
      await migrate(db.pool);
      const hourAgo = new Date(Date.now() - 3600_000);
      await dovecot.appendMany(
        [1, 2, 3].map((n) => ({
          raw: mail({ messageId: uniqueId(`lag${n}`), subject: `Claim ${n}`, body: 'Outage.' }),
          internalDate: new Date(hourAgo.getTime() - n * 60_000),
        })),
      );
      const metrics = new Metrics({ defaultMetrics: false });
      const name = 'imap-box';
      const publisher = new MailboxStatePublisher(redis.client, redis.prefix, name, 'me:1');
      const intake = metrics.intake(new Map([[name, publisher]]));
      const lags: number[] = [];
      const deps = {
        pool: db.pool,
        logger: createLogger('silent'),
        config: {
          processedFolder: 'Processed',
          quarantineFolder: 'Quarantine',
          maxMessageBytes: 1 << 20,
          pollIntervalMs: 200,
          reconcileIntervalMs: 60_000,
          batchSize: 100,
          batchBytes: 64 * 2 ** 20,
          lockTtlMs: 2000,
        },
        enqueue: async () => undefined,
        sweep: async () => undefined,
        // The recorder, plus every lag value the session reports, in order.
        metrics: {
          connected: (m: string) => intake.connected(m),
          disconnected: (m: string) => intake.disconnected(m),
          polled: (m: string) => intake.polled(m),
          stored: (m: string, stored: number, quarantined: number) =>
            intake.stored(m, stored, quarantined),
          lag: (m: string, seconds: number) => {
            lags.push(seconds);
            intake.lag(m, seconds);
          },
        },
      };
      const mailbox = {
        kind: 'imap' as const,
        name,
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        folder: 'INBOX',
      };
      const lock = new MailboxLock(redis.client, redis.prefix, name, {
        ttlMs: 2000,
        owner: 'me:1',
      });
      const loop = runAsLeader(
        (signal) => runImapSession(mailbox, deps, signal).finally(() => intake.disconnected(name)),
        abort.signal,
        {
          lock,
          lockTtlMs: 2000,
          logger: createLogger('silent'),
          onLeadership: (leader) => intake.leadership(name, leader),
        },
      );
      await waitFor(() => lags.length > 1 && lags.at(-1) === 0, {
        message: 'the batch is stored and the lag back to 0',
      });
      // The first value: the oldest message's age (an hour and three minutes, and the test's time).
      expect(lags[0]).toBeGreaterThanOrEqual(3780);
      expect(lags[0]).toBeLessThan(2 * 3600);
      let { body } = await metrics.exposition();
      expect(sample(body, 'claim_intake_mailbox_messages_stored_total', { mailbox: name })).toBe(3);
      expect(sample(body, 'claim_intake_mailbox_lag_seconds', { mailbox: name })).toBe(0);
      expect(sample(body, 'claim_intake_mailbox_reconnects_total', { mailbox: name })).toBe(
        undefined,
      );

      // The server restarts: the session fails, the leader loop opens a new one.
      await dovecot.restart();
      await waitFor(
        async () => {
          ({ body } = await metrics.exposition());
          return sample(body, 'claim_intake_mailbox_reconnects_total', { mailbox: name }) === 1;
        },
        { timeoutMs: 20_000, message: 'a reconnect is counted' },
      );
      await waitFor(() => intake.local(name)?.connected === true, { message: 'connected again' });
      await publisher.flushed();
      const [state] = await readMailboxStates(redis.client, redis.prefix, [name]);
      expect(state).toMatchObject({ leader: 'me:1', stored: 3, reconnects: 1, lagSeconds: 0 });

      abort.abort();
      await loop;
      publisher.close();
    } finally {
      abort.abort();
      await dovecot.stop();
      await redis.cleanup();
      await db.drop();
    }
  }, 60_000);
});
