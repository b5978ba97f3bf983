/** What a mailbox source needs from the rest of the service (the composition root builds it). */
import type pg from 'pg';
import type { Logger } from 'pino';

/**
 * config.intake: how the mailbox sources and the poller behave. Defaults in
 * src/config-defaults.ts (the setting named with each field).
 */
export interface IntakeSettings {
  /** IMAP_PROCESSED_FOLDER: where a message goes once stored (created when missing). */
  processedFolder: string;
  /** IMAP_QUARANTINE_FOLDER: where too-large and unparseable messages go, kept. */
  quarantineFolder: string;
  /** MAX_MESSAGE_BYTES: larger messages go to quarantine unread. */
  maxMessageBytes: number;
  /** IMAP_POLL_INTERVAL_MS: polling interval where IDLE is missing, and the longest IDLE wait. */
  pollIntervalMs: number;
  /** IMAP_RECONCILE_INTERVAL_MS: how often a full reconcile (and the enqueue sweep) runs. */
  reconcileIntervalMs: number;
  /** INTAKE_BATCH_SIZE: messages stored per transaction. */
  batchSize: number;
  /**
   * INTAKE_BATCH_BYTES: bytes of message sources held at once at most, prefetch included (a
   * single larger message alone). Bounds a poller's memory.
   */
  batchBytes: number;
  /** POLLER_LOCK_TTL_MS: lifetime of the per-mailbox poller lock; a standby takes over within it. */
  lockTtlMs: number;
}

/** Counters the ops layer reads; optional so sources work without it. */
export interface IntakeMetrics {
  /** A session is open (IMAP logged in, Maildir ready). */
  connected(mailbox: string): void;
  /** The session ended (error, lost leadership, stop). */
  disconnected(mailbox: string): void;
  polled(mailbox: string): void;
  /** Age of the oldest message seen but not yet stored; 0 when none waits. */
  lag(mailbox: string, seconds: number): void;
  stored(mailbox: string, stored: number, quarantined: number): void;
}

export interface IntakeDeps {
  pool: pg.Pool;
  logger: Logger;
  config: IntakeSettings;
  /** Hands stored claims to the assessment queue; may fail (Redis away): the sweep retries. */
  enqueue(claimIds: number[]): Promise<void>;
  /** Enqueues every claim still waiting for assessment. */
  sweep(): Promise<void>;
  metrics?: IntakeMetrics;
}
