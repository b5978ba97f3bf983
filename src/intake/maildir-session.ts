/**
 * The embedded mailbox: a Maildir (new/ → stored → cur/), so the service runs on a fresh
 * machine with no IMAP server. Same guarantees as IMAP: a file leaves new/ only after its
 * bytes and delivery time are committed; a crash in between leaves it in new/, and the
 * next pass finds it stored (duplicate) and only moves it. Too-large and unparseable files
 * go to the Maildir++ folder `.Quarantine`, kept as they are.
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MaildirMailbox } from '../config.ts';
import {
  ensureMailbox,
  type IncomingMessage,
  markPolled,
  storeMessages,
} from '../store/messages-store.ts';
import { byteBatches } from './byte-batches.ts';
import { classifyIncoming, logOutcomes } from './incoming.ts';
import type { IntakeDeps } from './intake-deps.ts';

export async function runMaildirSession(
  mailbox: MaildirMailbox,
  deps: IntakeDeps,
  signal: AbortSignal,
): Promise<void> {
  const log = deps.logger.child({ component: 'maildir', mailbox: mailbox.name });
  const quarantine = join(mailbox.path, `.${deps.config.quarantineFolder}`);
  for (const dir of [mailbox.path, quarantine]) {
    for (const sub of ['new', 'cur', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  }
  await ensureMailbox(deps.pool, mailbox.name);
  deps.metrics?.connected(mailbox.name);
  let lastReconcile = 0;
  const limits = { count: deps.config.batchSize, bytes: deps.config.batchBytes };
  while (!signal.aborted) {
    const names = (await readdir(join(mailbox.path, 'new'))).filter((f) => !f.startsWith('.'));
    // Sizes of a chunk of files first (stat is cheap), then batches bounded by count and bytes,
    // each read, stored, moved and dropped before the next is read: a Maildir of large files
    // never sits in memory. A file over MAX_MESSAGE_BYTES is never read, so it costs nothing.
    const chunks = byteBatches(names, () => 0, limits);
    const groups = async function* () {
      for (const chunk of chunks) {
        const files = await statFiles(mailbox, chunk);
        yield* byteBatches(
          files,
          (f) => (f.size > deps.config.maxMessageBytes ? 0 : f.size),
          limits,
        );
      }
    };
    for await (const group of groups()) {
      if (signal.aborted) break;
      // A call of its own: its sources go with its frame, never kept by this loop's frame
      // while the next group is read.
      const claimIds = await storeGroup(mailbox, quarantine, group, deps, log);
      await deps
        .enqueue(claimIds)
        .catch((error: unknown) =>
          log.warn({ err: error }, 'enqueue failed; the sweep will retry'),
        );
    }
    await markPolled(deps.pool, mailbox.name);
    deps.metrics?.polled(mailbox.name);
    if (!signal.aborted) deps.metrics?.lag(mailbox.name, 0);
    if (Date.now() - lastReconcile >= deps.config.reconcileIntervalMs) {
      await deps.sweep();
      lastReconcile = Date.now();
    }
    await waitForFiles(join(mailbox.path, 'new'), deps.config.pollIntervalMs, signal);
  }
}

/** Reads, stores and moves one group of files; returns the claims to enqueue. */
async function storeGroup(
  mailbox: MaildirMailbox,
  quarantine: string,
  group: Delivered[],
  deps: IntakeDeps,
  log: Logger,
): Promise<number[]> {
  const batch = await readBatch(mailbox, group, deps);
  const oldest = Math.min(...batch.map((b) => b.message.internalDate.getTime()));
  if (Number.isFinite(oldest)) deps.metrics?.lag(mailbox.name, (Date.now() - oldest) / 1000);
  const messages = batch.map((b) => b.message);
  const outcomes = await storeMessages(deps.pool, mailbox.name, messages);
  logOutcomes(log, messages, outcomes);
  for (const { file, message } of batch) {
    const target = message.quarantine ? quarantine : mailbox.path;
    await rename(
      join(mailbox.path, 'new', file),
      join(target, 'cur', `${file.split(':')[0]}:2,S`),
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // ENOENT: another pass moved it already
    });
  }
  const claimIds = outcomes
    .filter((o) => o.status === 'stored' && !o.quarantined)
    .map((o) => o.claimId!);
  deps.metrics?.stored(
    mailbox.name,
    claimIds.length,
    batch.filter((b) => b.message.quarantine).length,
  );
  log.info({ stored: claimIds.length, files: batch.length }, 'maildir batch stored and moved');
  return claimIds;
}

interface Delivered {
  file: string;
  size: number;
  mtime: Date;
}

async function statFiles(mailbox: MaildirMailbox, files: string[]): Promise<Delivered[]> {
  const out: Delivered[] = [];
  for (const file of files) {
    const info = await stat(join(mailbox.path, 'new', file)).catch(() => undefined);
    if (info?.isFile()) out.push({ file, size: info.size, mtime: info.mtime });
  }
  return out;
}

async function readBatch(
  mailbox: MaildirMailbox,
  files: Delivered[],
  deps: IntakeDeps,
): Promise<{ file: string; message: IncomingMessage }[]> {
  const out: { file: string; message: IncomingMessage }[] = [];
  for (const { file, size, mtime } of files) {
    const path = join(mailbox.path, 'new', file);
    const tooLarge = size > deps.config.maxMessageBytes;
    const raw = tooLarge ? null : await readFile(path).catch(() => null);
    if (!tooLarge && raw === null) continue; // moved away meanwhile
    // The delivery time: Maildir writers set the file's mtime when they deliver it.
    const base = {
      sourceKey: file.split(':')[0]!,
      uidValidity: null,
      uid: null,
      internalDate: mtime,
      messageId: null,
    };
    out.push({
      file,
      message: await classifyIncoming(base, raw, raw?.length ?? size, deps.config.maxMessageBytes),
    });
  }
  return out;
}

/** Polls new/ (cheap) until something arrives, the interval passes or the signal aborts. */
async function waitForFiles(dir: string, maxMs: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + maxMs;
  while (!signal.aborted && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(250, maxMs)));
    const names = await readdir(dir).catch(() => []);
    if (names.some((n) => !n.startsWith('.'))) return;
  }
}
