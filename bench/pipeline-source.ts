/**
 * Where bench:pipeline's claims come from: the service's Maildir (renamed from tmp/ into
 * new/, as a mail server delivers) or a private Dovecot's INBOX (APPEND over one IMAP
 * connection, as a mail server's delivery agent would). Either delivers all at once (a
 * burst) or one by one at a steady rate, and keeps each claim's delivery time by Message-ID.
 */
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { type DovecotServer, startDovecot } from '../test/support/dovecot.ts';
import {
  appendBurst,
  claimMessageId,
  type Delivered,
  deliverSteady,
  epochMs,
  ImapAppender,
} from './imap-append.ts';
import { makeMaildir, stage } from './service-run.ts';

export type SourceKind = 'maildir' | 'imap';

export interface Source {
  kind: SourceKind;
  /** The service's settings naming this mailbox (MAILDIR_PATH or IMAP_URL). */
  env: Record<string, string>;
  /** Stages what a delivery needs beforehand (Maildir: files in tmp/), untimed. */
  prepare(messages: Buffer[]): void;
  burst(): Promise<Delivered>;
  steady(perSecond: number): Promise<Delivered>;
  /** The Dovecot, when there is one (the baselines use it too). */
  dovecot?: DovecotServer | undefined;
  appender?: ImapAppender | undefined;
  stop(): Promise<void>;
}

export async function openSource(
  kind: SourceKind,
  root: string,
  received: Date,
  options: { appendBatch: number; needDovecot: boolean },
): Promise<Source> {
  const dovecot = kind === 'imap' || options.needDovecot ? await startDovecot() : undefined;
  const appender = dovecot ? await ImapAppender.open(dovecot) : undefined;
  const stop = async () => {
    appender?.close();
    await dovecot?.stop();
  };
  if (kind === 'imap') {
    let messages: Buffer[] = [];
    return {
      kind,
      env: { IMAP_URL: dovecot!.url },
      prepare(m) {
        messages = m;
      },
      burst: () => appendBurst(appender!, 'INBOX', messages, received, options.appendBatch),
      steady: (perSecond) =>
        deliverSteady(messages, perSecond, (raw) => appender!.append('INBOX', [raw], received)),
      dovecot,
      appender,
      stop,
    };
  }
  const maildir = makeMaildir(join(root, 'mail'));
  let staged: { name: string; id: string }[] = [];
  const byId = new Map<string, string>();
  return {
    kind,
    env: { MAILDIR_PATH: maildir },
    prepare(messages) {
      const names = stage(
        maildir,
        messages.map((raw, i) => ({ name: `${1_770_000_000 + i}.bench${i}.host`, raw, received })),
      );
      staged = names.map((name, i) => ({ name, id: claimMessageId(messages[i]!) }));
      for (const s of staged) byId.set(s.id, s.name);
    },
    async burst() {
      const at = new Map<string, number>();
      const now = epochMs();
      for (const { name, id } of staged) {
        renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
        at.set(id, now);
      }
      return { at, lastSavedAt: epochMs() };
    },
    steady(perSecond) {
      // deliverSteady reads the Message-ID from the bytes; the file is found by it.
      const raws = staged.map((s) => Buffer.from(`Message-ID: <${s.id}>\r\n`));
      return deliverSteady(raws, perSecond, (raw) => {
        const name = byId.get(claimMessageId(raw))!;
        renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
      });
    },
    ...(dovecot ? { dovecot } : {}),
    ...(appender ? { appender } : {}),
    stop,
  };
}
