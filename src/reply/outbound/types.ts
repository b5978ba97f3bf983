/** The port every way out (SMTP, the outbox directory, a test fake) implements. */

export interface ReplyEnvelope {
  /** MAIL FROM; '' is the null reverse-path `<>`. */
  from: string;
  /** RCPT TO, one entry per recipient. */
  to: string[];
}

export interface SendResult {
  /** True once the message is handed over (the server said 250, or the file is in place). */
  accepted: boolean;
  /** The server's final answer (e.g. `250 OK: queued as …`), or where the file was written. */
  response: string;
  /** Recipients the server refused while others were accepted (empty when none). */
  rejected: string[];
}

export interface ReplyTransport {
  /**
   * Hands over `raw` exactly as given. Resolves when accepted; rejects with
   * SmtpPermanentError, SmtpTemporaryError, OutboxWriteError or TransportClosedError.
   */
  send(raw: Buffer, envelope: ReplyEnvelope): Promise<SendResult>;
  /** Finishes deliveries in flight, then releases connections. Safe to call twice. */
  close(): Promise<void>;
}
