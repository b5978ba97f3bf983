/**
 * What can go wrong when a reply leaves the service, classified once so the pipeline never
 * matches error text: a permanent failure will fail again the same way (the claim goes to
 * review with the server's answer), a temporary one may pass on a later attempt (retry with
 * backoff; nothing is dropped).
 */
import { ClaimIntakeError } from '../../domain/errors.ts';

/**
 * Whether a temporary failure is about this message or about the way out as a whole. A
 * `transport` failure (server down, credentials refused, TLS broken) hits every reply alike,
 * so the pipeline should back off the whole queue rather than burn each claim's attempts.
 */
export type SmtpFailureScope = 'message' | 'transport';

interface SmtpFailureDetails {
  /** The SMTP reply code (e.g. 550), or null when the server never answered. */
  responseCode: number | null;
  /** The server's full reply line(s), or null when there is none. */
  response: string | null;
  /** The SMTP command in flight ('RCPT TO', 'DATA', …), when known. */
  command: string | null;
  /** Nodemailer's error code (EENVELOPE, ESOCKET, …), when known. */
  smtpCode: string | null;
  cause?: unknown;
}

/** The server refused this message for good (5xx): retrying sends the same bytes to the same "no". */
export class SmtpPermanentError extends ClaimIntakeError {
  readonly responseCode: number | null;
  readonly response: string;
  readonly command: string | null;
  readonly smtpCode: string | null;

  constructor(message: string, details: SmtpFailureDetails) {
    super('smtp_permanent', message, { retryable: false, cause: details.cause });
    this.responseCode = details.responseCode;
    this.response = details.response ?? message;
    this.command = details.command;
    this.smtpCode = details.smtpCode;
  }
}

/** 4xx replies, refused or dropped connections, timeouts: the same message may pass later. */
export class SmtpTemporaryError extends ClaimIntakeError {
  readonly responseCode: number | null;
  readonly response: string | null;
  readonly command: string | null;
  readonly smtpCode: string | null;
  readonly scope: SmtpFailureScope;

  constructor(message: string, details: SmtpFailureDetails & { scope: SmtpFailureScope }) {
    super('smtp_temporary', message, { retryable: true, cause: details.cause });
    this.responseCode = details.responseCode;
    this.response = details.response;
    this.command = details.command;
    this.smtpCode = details.smtpCode;
    this.scope = details.scope;
  }
}

/** The outbox directory could not take the file (disk full, permissions): try again later. */
export class OutboxWriteError extends ClaimIntakeError {
  constructor(dir: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('outbox_write_failed', `cannot write a reply to ${dir}: ${why}`, {
      retryable: true,
      cause,
    });
  }
}

/**
 * The reply cannot be built as asked (no valid recipient, a malformed claim reference or
 * Message-ID of our own). No retry can help; for the recipient, an agent must look.
 */
export class InvalidReplyError extends ClaimIntakeError {
  readonly field: string;

  constructor(field: string, problem: string) {
    super('invalid_reply', `${field}: ${problem}`);
    this.field = field;
  }
}

/** `send` after `close`: a worker shutting down; the job is retried elsewhere. */
export class TransportClosedError extends ClaimIntakeError {
  constructor() {
    super('transport_closed', 'the reply transport is closed', { retryable: true });
  }
}
