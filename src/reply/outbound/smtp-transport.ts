/**
 * Replies over SMTP through a nodemailer connection pool. The message goes out as the raw
 * bytes composeReply built (nodemailer adds nothing), and every failure is turned into
 * SmtpPermanentError or SmtpTemporaryError here, once, from codes — never from text.
 */
import { createTransport } from 'nodemailer';
import type { AccessTokenSource } from '../../mail/oauth2.ts';
import { smtpOffersNoStartTls, smtpPlaintextRefused, smtpTlsOptions } from '../../mail-tls.ts';
import {
  type SmtpFailureScope,
  SmtpPermanentError,
  SmtpTemporaryError,
  TransportClosedError,
} from './errors.ts';
import { provideTokens, smtpOAuth2Options } from './smtp-oauth2.ts';
import type { ReplyEnvelope, ReplyTransport, SendResult } from './types.ts';

export interface SmtpTransportOptions {
  /** SMTP_URL: `smtp://user:pass@host:port` or `smtps://…`. */
  url: string;
  /** Connections kept open to the server. @defaultValue 5 */
  maxConnections?: number;
  /** Messages per connection before it is replaced. @defaultValue 100 */
  maxMessages?: number;
  /** Waiting for the TCP (and TLS) connection. @defaultValue 30000 */
  connectionTimeoutMs?: number;
  /** Waiting for the server's greeting. @defaultValue 30000 */
  greetingTimeoutMs?: number;
  /** Silence on an open connection. @defaultValue 60000 */
  socketTimeoutMs?: number;
  /**
   * A whole delivery, queueing included. A server that trickles its replies never trips
   * the socket timeout; this bounds it so a worker is never stuck. @defaultValue 120000
   */
  sendTimeoutMs?: number;
  /**
   * ALLOW_PLAINTEXT_MAIL: an `smtp://` server off loopback may be used without STARTTLS.
   * Otherwise STARTTLS is required there, and AUTH and mail never go out in clear.
   * @defaultValue false
   */
  allowPlaintext?: boolean | undefined;
  /**
   * SMTP_AUTH=oauth2: AUTH XOAUTH2 as the URL's user with tokens from here (the URL's password,
   * if any, is not used). @defaultValue undefined (the URL's user and password)
   */
  oauth2?: AccessTokenSource | undefined;
}

/** The fields nodemailer puts on the errors it hands back (see its errors.d.ts). */
interface NodemailerFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  permanent?: boolean;
  originalCode?: string;
  message?: string;
}

/**
 * Nodemailer codes that say nothing about this message, only about reaching or using the
 * server: every reply would fail the same way now and may pass once it is fixed or back.
 */
const TRANSPORT_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'ETIMEDOUT',
  'EDNS',
  'ETLS',
  'EREQUIRETLS',
  'EPROTOCOL',
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'EPROXY',
  'ECONFIG',
  'EMAXLIMIT',
  'EABORT',
]);

/**
 * Failures about this message that no server reply came with: nodemailer refused the
 * envelope itself ('Invalid recipient') or the message is over the server's SIZE limit.
 * Sending the same bytes again can only fail the same way.
 */
const MESSAGE_CODES_WITHOUT_REPLY = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * | failure                                                   | class     | scope     |
 * |-----------------------------------------------------------|-----------|-----------|
 * | 5xx to MAIL FROM, RCPT TO (every recipient), DATA, end    | permanent |           |
 * | 4xx to any of those (incl. 421), and 503 bad sequence     | temporary | message   |
 * | EENVELOPE/EMESSAGE with no server reply (invalid address, | permanent |           |
 * |   message over the server's SIZE)                         |           |           |
 * | connection refused/reset/closed, timeouts, DNS, TLS,      | temporary | transport |
 * |   authentication (even a 535), protocol errors, aborted   |           |           |
 * | anything unrecognised                                     | temporary | transport |
 *
 * Authentication is temporary on purpose: wrong credentials are an operator's problem, and
 * sending every claim to review for it would bury the agents; the queue waits instead.
 */
export function classifySmtpError(error: unknown): SmtpPermanentError | SmtpTemporaryError {
  if (error instanceof SmtpPermanentError || error instanceof SmtpTemporaryError) return error;
  const e: NodemailerFailure = typeof error === 'object' && error !== null ? error : {};
  const details = {
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
    response: typeof e.response === 'string' ? e.response : null,
    command: typeof e.command === 'string' ? e.command : null,
    smtpCode: typeof e.code === 'string' ? e.code : null,
    cause: error,
  };
  const why = describe(e, error);
  const temporary = (scope: SmtpFailureScope) =>
    new SmtpTemporaryError(`SMTP delivery deferred: ${why}`, { ...details, scope });
  const permanent = () => new SmtpPermanentError(`SMTP delivery refused: ${why}`, details);

  if (details.smtpCode !== null && TRANSPORT_CODES.has(details.smtpCode)) {
    return temporary('transport');
  }
  if (details.responseCode !== null) {
    // Nodemailer's `permanent` follows RFC 5321 §4.2.1 (5yz permanent, 4yz transient) with
    // one exception we keep: 503 (bad sequence) is the session's state, not this message.
    const isPermanent =
      typeof e.permanent === 'boolean'
        ? e.permanent
        : details.responseCode >= 500 && details.responseCode !== 503;
    return isPermanent ? permanent() : temporary('message');
  }
  if (details.smtpCode !== null && MESSAGE_CODES_WITHOUT_REPLY.has(details.smtpCode)) {
    return permanent();
  }
  return temporary('transport');
}

function describe(e: NodemailerFailure, error: unknown): string {
  const parts = [e.response ?? e.message ?? String(error)];
  if (e.code) parts.push(`(${e.code}${e.originalCode ? `/${e.originalCode}` : ''})`);
  return parts.join(' ');
}

export function createSmtpTransport(options: SmtpTransportOptions): ReplyTransport {
  const sendTimeoutMs = options.sendTimeoutMs ?? 120_000;
  const transporter = createTransport({
    pool: true,
    ...(options.oauth2 ? smtpOAuth2Options(options.url) : { url: options.url }),
    ...smtpTlsOptions(options.url, options.allowPlaintext ?? false),
    maxConnections: options.maxConnections ?? 5,
    maxMessages: options.maxMessages ?? 100,
    connectionTimeout: options.connectionTimeoutMs ?? 30_000,
    greetingTimeout: options.greetingTimeoutMs ?? 30_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    // No nodemailer logging: it would print message contents and addresses; we log objects.
    logger: false,
    debug: false,
  });
  if (options.oauth2) provideTokens(transporter, options.oauth2);
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const deliver = async (raw: Buffer, envelope: ReplyEnvelope): Promise<SendResult> => {
    try {
      const info = await transporter.sendMail({
        envelope: { from: envelope.from, to: envelope.to },
        raw,
        signal: AbortSignal.timeout(sendTimeoutMs),
      });
      const rejected = (info.rejected ?? []).map(String);
      return { accepted: info.accepted.length > 0, response: info.response, rejected };
    } catch (error) {
      const failure = classifySmtpError(error);
      if (!(failure instanceof SmtpTemporaryError) || !smtpOffersNoStartTls(error)) throw failure;
      // Still a transport failure (the queue waits), but said as the setting and its fix
      // rather than nodemailer's "Error upgrading connection with STARTTLS".
      const refused = smtpPlaintextRefused(options.url, error);
      throw new SmtpTemporaryError(`SMTP delivery deferred: ${refused.message}`, {
        responseCode: failure.responseCode,
        response: failure.response,
        command: failure.command,
        smtpCode: failure.smtpCode,
        scope: 'transport',
        cause: refused,
      });
    }
  };

  return {
    async send(raw: Buffer, envelope: ReplyEnvelope): Promise<SendResult> {
      if (closed) throw new TransportClosedError();
      const delivery = deliver(raw, envelope);
      inFlight.add(delivery);
      try {
        return await delivery;
      } finally {
        inFlight.delete(delivery);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Let the deliveries already handed over finish (each is bounded by sendTimeoutMs):
      // cutting one after DATA could leave the customer with a reply we think failed.
      await Promise.allSettled([...inFlight]);
      transporter.close();
    },
  };
}
