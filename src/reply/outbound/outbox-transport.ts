/**
 * The embedded default when SMTP_URL is unset: each reply becomes one `.eml` file in the
 * outbox directory, byte for byte what SMTP would have carried. Files appear whole or not
 * at all (written under a hidden temporary name, flushed, then renamed), so anything that
 * picks them up never reads half a message.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULTS } from '../../config-defaults.ts';
import { OutboxWriteError, TransportClosedError } from './errors.ts';
import type { ReplyEnvelope, ReplyTransport, SendResult } from './types.ts';

/** OUTBOX_DIR's default: relative to the working directory, like var/mailbox. */
export const DEFAULT_OUTBOX_DIR = DEFAULTS.OUTBOX_DIR;

export interface OutboxTransportOptions {
  /** @defaultValue 'var/outbox' resolved against the working directory */
  dir?: string;
}

/** The header section of a message, unfolded (RFC 5322 §2.2.3), one field per line. */
function headerFields(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  return head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/);
}

function headerValue(fields: string[], name: string): string | null {
  const prefix = `${name.toLowerCase()}:`;
  const line = fields.find((f) => f.toLowerCase().startsWith(prefix));
  return line === undefined ? null : line.slice(prefix.length).trim();
}

/** `20261120T100000Z`: sorts by time, and has no `:` (not allowed in Windows file names). */
function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * `<timestamp>-<message-id>.eml`, both taken from the message itself (its Date and
 * Message-ID headers, fixed when it was composed). A retry of the same reply therefore
 * lands on the same name and replaces identical bytes: the outbox holds it once.
 */
export function outboxFileName(raw: Buffer, now: Date = new Date()): string {
  const fields = headerFields(raw);
  const dateHeader = headerValue(fields, 'Date');
  const parsed = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
  const when = Number.isNaN(parsed) ? now : new Date(parsed);
  const id = (headerValue(fields, 'Message-ID') ?? '')
    .replace(/^<|>$/g, '')
    // Only characters that are safe in a file name on any system; `/` and `..` cannot appear.
    .replace(/[^A-Za-z0-9._@+-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 120);
  return `${stamp(when)}-${id === '' ? randomUUID() : id}.eml`;
}

export function createOutboxTransport(options: OutboxTransportOptions = {}): ReplyTransport {
  const dir = resolve(options.dir ?? DEFAULT_OUTBOX_DIR);
  let closed = false;

  return {
    async send(raw: Buffer, _envelope: ReplyEnvelope): Promise<SendResult> {
      if (closed) throw new TransportClosedError();
      const name = outboxFileName(raw);
      const target = join(dir, name);
      // Hidden and without `.eml`, so a reader of the outbox skips it while it is incomplete.
      const temp = join(dir, `.${name}.${randomUUID()}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        const file = await open(temp, 'wx', 0o640);
        try {
          await file.writeFile(raw);
          // Flushed before the rename, so after a crash the name never points at a short file.
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw new OutboxWriteError(dir, error);
      }
      return { accepted: true, response: `written to ${target}`, rejected: [] };
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
