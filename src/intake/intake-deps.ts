/** What a mailbox source needs from the rest of the service (the composition root builds it). */
import type pg from 'pg';
import type { Logger } from 'pino';

/** INTAKE_BATCH_BYTES' default: 64 MiB of message sources per batch. */
export const DEFAULT_BATCH_BYTES = 64 * 2 ** 20;

export interface IntakeSettings {
  processedFolder: string;
  quarantineFolder: string;
  maxMessageBytes: number;
  pollIntervalMs: number;
  reconcileIntervalMs: number;
  batchSize: number;
  /**
   * Bytes of message sources held at once at most, prefetch included (a single larger
   * message alone). @defaultValue 64 MiB
   */
  batchBytes?: number;
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
