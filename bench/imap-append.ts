/**
 * Delivering claims into an IMAP mailbox the way a mail server does: APPEND over one raw
 * connection (LITERAL+, so no continuation round trip), several commands in flight, each
 * message's APPEND time kept (epoch ms) so a claim can be timed from it to its reply.
 * test/support/dovecot.ts's appendMany opens a session per call and waits for each batch;
 * a steady rate needs one session and commands that do not wait for each other.
 */
import { createConnection, type Socket } from 'node:net';
import { sleep } from './support.ts';

export interface AppendTarget {
  port: number;
  user: string;
  password: string;
}

/** Epoch ms with sub-millisecond precision, on the clock the sink and the database share. */
export const epochMs = () => performance.timeOrigin + performance.now();

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

function imapDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

/** One logged-in IMAP session whose commands may overlap; each resolves on its tagged reply. */
export class ImapAppender {
  private buffer = '';
  private counter = 0;
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private greeted: (() => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('IMAP connection closed')));
  }

  static async open(target: AppendTarget): Promise<ImapAppender> {
    const socket = createConnection({ host: '127.0.0.1', port: target.port });
    socket.setNoDelay(true);
    const session = new ImapAppender(socket);
    await new Promise<void>((resolve) => {
      session.greeted = resolve;
    });
    const q = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;
    await session.command([`LOGIN ${q(target.user)} ${q(target.password)}`]);
    return session;
  }

  /** CREATE, tolerating a mailbox that exists already. */
  async create(mailbox: string): Promise<void> {
    await this.command([`CREATE "${mailbox}"`]).catch(() => undefined);
  }

  /**
   * One APPEND of `messages` (MULTIAPPEND, RFC 3502, when more than one) with `internalDate`;
   * resolves once the server has saved them all. Not awaited, it overlaps the next command.
   */
  append(mailbox: string, messages: Buffer[], internalDate: Date): Promise<void> {
    const parts: (string | Buffer)[] = [`APPEND "${mailbox}"`];
    for (const raw of messages)
      parts.push(` () ${imapDate(internalDate)} {${raw.length}+}\r\n`, raw);
    return this.command(parts);
  }

  close(): void {
    this.socket.destroy();
  }

  private command(parts: (string | Buffer)[]): Promise<void> {
    const tag = `b${++this.counter}`;
    const done = new Promise<void>((resolve, reject) => this.pending.set(tag, { resolve, reject }));
    this.socket.write(Buffer.concat([`${tag} `, ...parts, '\r\n'].map((p) => Buffer.from(p))));
    return done;
  }

  private read(chunk: Buffer): void {
    this.buffer += chunk.toString('latin1');
    for (let end = this.buffer.indexOf('\r\n'); end >= 0; end = this.buffer.indexOf('\r\n')) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      // Dovecot first greets "* OK Waiting for authentication process to respond.." at times.
      if (this.greeted && /^\* OK (?!Waiting for auth)/.test(line)) {
        this.greeted();
        this.greeted = undefined;
        continue;
      }
      const m = /^(b\d+) (OK|NO|BAD)/.exec(line);
      const waiter = m && this.pending.get(m[1]!);
      if (!m || !waiter) continue;
      this.pending.delete(m[1]!);
      if (m[2] === 'OK') waiter.resolve();
      else waiter.reject(new Error(`IMAP: ${line}`));
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

export interface Delivered {
  /** Message-ID (without brackets) → when its APPEND was written to the socket, epoch ms. */
  at: Map<string, number>;
  /** When the last APPEND was acknowledged, epoch ms. */
  lastSavedAt: number;
}

/** The Message-ID a generated claim carries (bench/generate.ts writes one per message). */
export function claimMessageId(raw: Buffer): string {
  const m = /^Message-ID:[ \t]*<([^>]+)>/im.exec(raw.subarray(0, 4096).toString('latin1'));
  if (!m) throw new Error('generated claim without a Message-ID');
  return m[1]!;
}

/** Everything at once: MULTIAPPEND batches of `batch`, all in flight together. */
export async function appendBurst(
  session: ImapAppender,
  mailbox: string,
  messages: Buffer[],
  received: Date,
  batch: number,
): Promise<Delivered> {
  const at = new Map<string, number>();
  const saved: Promise<void>[] = [];
  for (let i = 0; i < messages.length; i += batch) {
    const slice = messages.slice(i, i + batch);
    const now = epochMs();
    for (const raw of slice) at.set(claimMessageId(raw), now);
    saved.push(session.append(mailbox, slice, received));
  }
  await Promise.all(saved);
  return { at, lastSavedAt: epochMs() };
}

/**
 * One APPEND per message at `perSecond`, each due at start + i / rate (late ones go at
 * once, so the mean rate holds even when a timer fires late); `deliver` is the Maildir's
 * or the mailbox's way of putting one message in.
 */
export async function deliverSteady(
  messages: Buffer[],
  perSecond: number,
  deliver: (raw: Buffer) => Promise<void> | void,
): Promise<Delivered> {
  const at = new Map<string, number>();
  const saved: Promise<void>[] = [];
  const start = epochMs();
  for (let i = 0; i < messages.length; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - epochMs();
    if (wait > 1) await sleep(wait);
    const raw = messages[i]!;
    at.set(claimMessageId(raw), epochMs());
    saved.push(Promise.resolve(deliver(raw)));
  }
  await Promise.all(saved);
  return { at, lastSavedAt: epochMs() };
}
