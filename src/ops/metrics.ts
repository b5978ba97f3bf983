/**
 * The process's Prometheus metrics: one registry per process (not prom-client's global one,
 * so tests can build several), filled by intake, the pipeline workers and a scrape-time
 * read of the queues. Labels stay small and bounded: queue, state, stage outcome, mailbox
 * name, claim type and decision, error class; never a claim id or an address.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { IntakeMetrics } from '../intake/intake-deps.ts';
import type { QueueName } from '../pipeline/queues.ts';
import type { PipelineMetrics } from '../pipeline/workers.ts';
import {
  OutboxWriteError,
  SmtpPermanentError,
  SmtpTemporaryError,
  TransportClosedError,
} from '../reply/outbound/errors.ts';
import type { LocalMailbox, Readiness } from './health.ts';
import type { MailboxStatePublisher } from './mailbox-state.ts';

/** What the job-count gauge needs of a BullMQ queue. */
export interface JobCountsSource {
  getJobCounts(): Promise<Record<string, number>>;
}

export interface MetricsOptions {
  /** The queues whose job counts are read at each scrape. @defaultValue none */
  queues?: Partial<Record<QueueName, JobCountsSource>>;
  /** A scrape waits this long for the job counts, then reports without them. @defaultValue 2000 */
  collectTimeoutMs?: number;
  /** Process metrics (event-loop lag, memory, CPU, GC). @defaultValue true */
  defaultMetrics?: boolean;
}

/** How an SMTP failure is counted: the server's answer class, or no answer at all. */
export type SmtpErrorClass = '4xx' | '5xx' | 'connection';

export function smtpErrorClass(error: unknown): SmtpErrorClass | null {
  if (!(error instanceof SmtpPermanentError || error instanceof SmtpTemporaryError)) return null;
  const code = error.responseCode;
  if (code !== null && code >= 500 && code < 600) return '5xx';
  if (code !== null && code >= 400 && code < 500) return '4xx';
  // A permanent refusal without a reply code (e.g. an envelope nodemailer would not send)
  // is still the "will never pass" kind.
  return error instanceof SmtpPermanentError ? '5xx' : 'connection';
}

export class Metrics implements PipelineMetrics {
  readonly registry = new Registry();
  private readonly jobDuration: Histogram<'queue' | 'outcome'>;
  private readonly decisions: Counter<'type' | 'decision'>;
  private readonly repliesSent: Counter;
  private readonly repliesFailed: Counter<'permanence'>;
  private readonly smtpErrors: Counter<'class'>;
  readonly mailbox: {
    lag: Gauge<'mailbox'>;
    stored: Counter<'mailbox'>;
    quarantined: Counter<'mailbox'>;
    reconnects: Counter<'mailbox'>;
    lastPoll: Gauge<'mailbox'>;
    connected: Gauge<'mailbox'>;
  };

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const queues = options.queues ?? {};
    const timeoutMs = options.collectTimeoutMs ?? 2000;
    new Gauge({
      name: 'claim_intake_queue_jobs',
      help: 'Jobs per pipeline queue and BullMQ state, read at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          Object.entries(queues).map(async ([queue, source]) => {
            // Redis away: the queue's series are left out of this scrape rather than stale.
            const counts = await withTimeout(source.getJobCounts(), timeoutMs).catch(() => null);
            for (const [state, n] of Object.entries(counts ?? {})) this.set({ queue, state }, n);
          }),
        );
      },
    });
    this.jobDuration = new Histogram({
      name: 'claim_intake_job_duration_seconds',
      help: 'Time a pipeline job ran, per queue and outcome (completed or failed)',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.decisions = new Counter({
      name: 'claim_intake_decisions_total',
      help: 'Assessment decisions recorded, per claim type and decision',
      labelNames: ['type', 'decision'] as const,
      registers,
    });
    this.repliesSent = new Counter({
      name: 'claim_intake_replies_sent_total',
      help: 'Replies handed over to SMTP or written to the outbox',
      registers,
    });
    this.repliesFailed = new Counter({
      name: 'claim_intake_replies_failed_total',
      help: 'Reply send attempts that failed: permanent (claim to review) or temporary (retried)',
      labelNames: ['permanence'] as const,
      registers,
    });
    this.smtpErrors = new Counter({
      name: 'claim_intake_smtp_errors_total',
      help: 'SMTP failures by class: 4xx, 5xx, or connection (no answer)',
      labelNames: ['class'] as const,
      registers,
    });
    const perMailbox = { labelNames: ['mailbox'] as const, registers };
    this.mailbox = {
      lag: new Gauge({
        name: 'claim_intake_mailbox_lag_seconds',
        help: 'Age of the oldest message seen in the mailbox but not yet stored; 0 when none waits',
        ...perMailbox,
      }),
      stored: new Counter({
        name: 'claim_intake_mailbox_messages_stored_total',
        help: 'Messages stored as claims',
        ...perMailbox,
      }),
      quarantined: new Counter({
        name: 'claim_intake_mailbox_messages_quarantined_total',
        help: 'Messages moved to quarantine (too large, unparseable)',
        ...perMailbox,
      }),
      reconnects: new Counter({
        name: 'claim_intake_mailbox_reconnects_total',
        help: 'Mailbox sessions opened again after an earlier one in the same leadership',
        ...perMailbox,
      }),
      lastPoll: new Gauge({
        name: 'claim_intake_mailbox_last_poll_timestamp_seconds',
        help: 'Unix time of the last successful poll',
        ...perMailbox,
      }),
      connected: new Gauge({
        name: 'claim_intake_mailbox_connected',
        help: '1 while this process leads the mailbox and its session is connected',
        ...perMailbox,
      }),
    };
  }

  jobFinished(queue: QueueName, outcome: 'completed' | 'failed', seconds: number): void {
    this.jobDuration.observe({ queue, outcome }, seconds);
  }

  decided(type: string, decision: string): void {
    this.decisions.inc({ type, decision });
  }

  replySent(): void {
    this.repliesSent.inc();
  }

  /** Only the way out's failures count (not a database error, not a send already in flight). */
  replyFailed(error: unknown): void {
    const smtpClass = smtpErrorClass(error);
    if (smtpClass) this.smtpErrors.inc({ class: smtpClass });
    if (smtpClass || error instanceof OutboxWriteError || error instanceof TransportClosedError) {
      const permanent = error instanceof SmtpPermanentError;
      this.repliesFailed.inc({ permanence: permanent ? 'permanent' : 'temporary' });
    }
  }

  /**
   * Reports readiness at each scrape, as /readyz would answer (the same cached check):
   * `claim_intake_ready` 1 or 0, and `claim_intake_ready_check{check}` per component, so an
   * alert needs no probe from outside. Registered here, not in the constructor: a process
   * without checks exports no readiness at all rather than a false 0.
   */
  watchReadiness(source: { check(): Promise<Readiness> }): void {
    const registers = [this.registry];
    const read = () => source.check().catch((): Readiness | null => null);
    new Gauge({
      name: 'claim_intake_ready',
      help: '1 when every readiness check passes (/readyz answers 200), else 0',
      registers,
      async collect() {
        this.set((await read())?.ready ? 1 : 0);
      },
    });
    new Gauge({
      name: 'claim_intake_ready_check',
      help: '1 when the named readiness check (postgres, redis, mailbox:<name>, smtp) passes, else 0',
      labelNames: ['check'] as const,
      registers,
      async collect() {
        this.reset();
        for (const [check, result] of Object.entries((await read())?.checks ?? {}))
          this.set({ check }, result.ok ? 1 : 0);
      },
    });
  }

  /** The text exposition and its content type, for /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** What intake reports, into these metrics and each mailbox's published state. */
  intake(publishers: ReadonlyMap<string, MailboxStatePublisher> = new Map()): IntakeRecorder {
    return new IntakeRecorder(this, publishers);
  }
}

/**
 * Intake's counters and each mailbox's live state, updated together. A session opened
 * again within one leadership counts as a reconnect.
 */
export class IntakeRecorder implements IntakeMetrics {
  private readonly openedOnce = new Set<string>();
  private readonly views = new Map<string, LocalMailbox>();

  constructor(
    private readonly metrics: Metrics,
    private readonly publishers: ReadonlyMap<string, MailboxStatePublisher>,
  ) {}

  /** This process's own view of a mailbox, for readiness; undefined before any leadership. */
  local(mailbox: string): LocalMailbox | undefined {
    const view = this.views.get(mailbox);
    return view && { ...view };
  }

  leadership(mailbox: string, leader: boolean): void {
    this.views.set(mailbox, { leader, connected: false });
    this.openedOnce.delete(mailbox);
    this.metrics.mailbox.connected.set({ mailbox }, 0);
    if (!leader) this.metrics.mailbox.lag.remove({ mailbox });
    this.publishers.get(mailbox)?.leadership(leader);
  }

  connected(mailbox: string): void {
    if (this.openedOnce.has(mailbox)) {
      this.metrics.mailbox.reconnects.inc({ mailbox });
      this.publishers.get(mailbox)?.reconnected();
    }
    this.openedOnce.add(mailbox);
    this.views.set(mailbox, { leader: this.views.get(mailbox)?.leader ?? true, connected: true });
    this.metrics.mailbox.connected.set({ mailbox }, 1);
    this.publishers.get(mailbox)?.connected();
  }

  disconnected(mailbox: string): void {
    const view = this.views.get(mailbox);
    if (view) view.connected = false;
    this.metrics.mailbox.connected.set({ mailbox }, 0);
    this.publishers.get(mailbox)?.disconnected();
  }

  polled(mailbox: string): void {
    const now = new Date();
    this.metrics.mailbox.lastPoll.set({ mailbox }, now.getTime() / 1000);
    this.publishers.get(mailbox)?.polled(now);
  }

  lag(mailbox: string, seconds: number): void {
    const lag = Math.max(0, seconds);
    this.metrics.mailbox.lag.set({ mailbox }, lag);
    this.publishers.get(mailbox)?.lag(lag);
  }

  stored(mailbox: string, stored: number, quarantined: number): void {
    this.metrics.mailbox.stored.inc({ mailbox }, stored);
    this.metrics.mailbox.quarantined.inc({ mailbox }, quarantined);
    this.publishers.get(mailbox)?.stored(stored, quarantined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
