/**
 * The way replies leave the service: SMTP when SMTP_URL is set, else `.eml` files in the
 * outbox directory (the embedded default, so a fresh checkout answers claims without a
 * mail server). Callers see one ReplyTransport either way.
 */

import { createOutboxTransport, DEFAULT_OUTBOX_DIR } from './outbox-transport.ts';
import { createSmtpTransport, type SmtpTransportOptions } from './smtp-transport.ts';
import type { ReplyTransport } from './types.ts';

export type { ReplyLang } from '../render/language.ts';
export type { ReplyInput } from './compose.ts';
export { composeReply } from './compose.ts';
export * from './errors.ts';
export { classifySmtpError } from './smtp-transport.ts';
export type { ReplyEnvelope, ReplyTransport, SendResult } from './types.ts';
export { DEFAULT_OUTBOX_DIR };

export interface ReplyTransportConfig {
  /** SMTP_URL; when unset, replies go to the outbox directory. */
  smtpUrl?: string | undefined;
  /** @defaultValue 'var/outbox' resolved against the working directory */
  outboxDir?: string;
  /** Pool and timeout settings for SMTP (the URL comes from smtpUrl). */
  smtp?: Omit<SmtpTransportOptions, 'url'>;
}

export function createReplyTransport(config: ReplyTransportConfig): ReplyTransport {
  if (config.smtpUrl) return createSmtpTransport({ ...config.smtp, url: config.smtpUrl });
  return createOutboxTransport({ dir: config.outboxDir ?? DEFAULT_OUTBOX_DIR });
}
