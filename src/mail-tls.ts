/**
 * When a mail connection must be encrypted before credentials go out. `imap://` and `smtp://`
 * start in plaintext; to a host off this machine, anyone on the path could read the mailbox's
 * or the relay's password (and the claims), or strip STARTTLS from the server's capabilities
 * to keep the session in clear (a downgrade). So off loopback STARTTLS is required, and a
 * server without it is refused before LOGIN or AUTH, unless ALLOW_PLAINTEXT_MAIL=true says
 * the network is trusted. `imaps://` and `smtps://` are TLS from the first byte.
 */
import { isIP } from 'node:net';
import { ClaimIntakeError } from './domain/errors.ts';

/**
 * localhost, 127.0.0.0/8 and ::1 (and 127/8 mapped into IPv6): never leave this machine. A URL
 * writes a mapped address in hex (`[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`), so both
 * spellings count. Any other spelling is taken for a remote host: the safe side.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6)
    return h === '::1' || /^0*:(0*:){6}0*1$/.test(h) || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(h);
  return false;
}

/** A plaintext-first connection to another machine, where plaintext is not allowed. */
export function mustStartTls(secure: boolean, host: string, allowPlaintext: boolean): boolean {
  return !secure && !allowPlaintext && !isLoopbackHost(host);
}

/**
 * imapflow's options: `doSTARTTLS: true` makes a server without STARTTLS an error before
 * LOGIN; left out, imapflow upgrades when STARTTLS is offered and goes on in clear when not.
 */
export function imapTlsOptions(mailbox: {
  secure: boolean;
  host: string;
  allowPlaintext?: boolean;
}): { doSTARTTLS?: true } {
  return mustStartTls(mailbox.secure, mailbox.host, mailbox.allowPlaintext ?? false)
    ? { doSTARTTLS: true }
    : {};
}

/**
 * nodemailer's options for an SMTP_URL: `requireTLS: true` sends STARTTLS even when the
 * server does not announce it, and fails (ETLS) rather than send AUTH or mail in clear.
 */
export function smtpTlsOptions(url: string, allowPlaintext: boolean): { requireTLS?: true } {
  const u = new URL(url);
  return mustStartTls(u.protocol === 'smtps:', u.hostname, allowPlaintext)
    ? { requireTLS: true }
    : {};
}

/** The one line an operator sees when a server offers no way to encrypt. */
export function plaintextRefused(setting: string, host: string, port: number): string {
  return `${setting}: ${host}:${port} offers no STARTTLS; credentials are never sent in clear off this machine (use ${setting === 'SMTP_URL' ? 'smtps' : 'imaps'}://, enable STARTTLS on the server, or set ALLOW_PLAINTEXT_MAIL=true)`;
}

/**
 * A mail server reached in clear off this machine offered no STARTTLS (or refused it), so
 * nothing was sent. Retryable: the session or the reply is tried again with backoff, and
 * passes once the server offers TLS or the setting changes.
 */
export class PlaintextRefusedError extends ClaimIntakeError {
  constructor(setting: 'IMAP_URL' | 'SMTP_URL', host: string, port: number, cause: unknown) {
    super('plaintext_refused', plaintextRefused(setting, host, port), { retryable: true, cause });
  }
}

/**
 * imapflow's refusal under `doSTARTTLS: true`: no STARTTLS in the capabilities, a NO to it, or
 * a PREAUTH greeting. It is marked `tlsFailed` and has no code; a handshake that failed after
 * the upgrade began is marked too but carries the TLS or injection code, and is not this.
 */
export function imapOffersNoStartTls(error: unknown): boolean {
  const e = error as { tlsFailed?: unknown; code?: unknown } | null;
  return e?.tlsFailed === true && e.code === undefined;
}

/**
 * nodemailer's refusal under `requireTLS: true`: it sent STARTTLS and the server answered with
 * an error (a server without the extension says 500 or 502). A failed handshake is ETLS too,
 * but with no server response.
 */
export function smtpOffersNoStartTls(error: unknown): boolean {
  const e = error as { code?: unknown; command?: unknown; response?: unknown } | null;
  return e?.code === 'ETLS' && e.command === 'STARTTLS' && typeof e.response === 'string';
}

/** The refusal for an SMTP_URL, its port as nodemailer picks it when the URL has none. */
export function smtpPlaintextRefused(url: string, cause: unknown): PlaintextRefusedError {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === 'smtps:' ? 465 : 587);
  return new PlaintextRefusedError('SMTP_URL', u.hostname, port, cause);
}
