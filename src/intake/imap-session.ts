/**
 * One connected IMAP session for one mailbox: fetch what is in the inbox, store it, move
 * it out, enqueue it; then wait for news (IDLE, or polling where the server lacks IDLE).
 *
 * Order of effects, which is what makes a crash anywhere lose nothing and duplicate
 * nothing: (1) store raw + INTERNALDATE and advance the checkpoint in one transaction,
 * (2) MOVE to the Processed folder, (3) enqueue. A crash after (1) leaves the message in
 * the inbox at a UID ≤ last_uid: the next cycle moves it, to the folder its row names
 * (Processed or Quarantine), without storing it again. A crash after (2) leaves the claim
 * 'received': the sweep enqueues it.
 *
 * UIDs are fetched first and each batch is fetched whole before any other command:
 * issuing commands inside a fetch loop deadlocks imapflow.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../config.ts';
import { imapTlsOptions } from '../mail-tls.ts';
import {
  type Checkpoint,
  ensureMailbox,
  type IncomingMessage,
  markPolled,
  resetCheckpoint,
  storedStates,
  storeMessages,
} from '../store/messages-store.ts';
import { classifyIncoming, logOutcomes, stripBrackets } from './incoming.ts';
import type { IntakeDeps } from './intake-deps.ts';
import { uidRanges } from './uid-ranges.ts';

/** Bytes fetched per batch at most (besides the batch's message count). */
const BATCH_BYTES = 32 * 2 ** 20;

export async function runImapSession(
  mailbox: ImapMailbox,
  deps: IntakeDeps,
  signal: AbortSignal,
): Promise<void> {
  const log = deps.logger.child({ component: 'imap', mailbox: mailbox.name });
  const client = new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    // Off loopback, STARTTLS before LOGIN or no session (mail-tls.ts, ALLOW_PLAINTEXT_MAIL).
    ...imapTlsOptions(mailbox),
    auth: { user: mailbox.user, pass: mailbox.password },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 5 * 60_000,
  });
  let news: (() => void) | undefined;
  let closed = false;
  client.on('exists', () => news?.());
  client.on('error', (error: Error) => log.warn({ err: error }, 'IMAP connection error'));
  client.on('close', () => {
    closed = true;
    news?.();
  });
  const onAbort = () => news?.();
  signal.addEventListener('abort', onAbort);
  try {
    await client.connect();
    deps.metrics?.connected(mailbox.name);
    await ensureFolders(client, [deps.config.processedFolder, deps.config.quarantineFolder]);
    await client.mailboxOpen(mailbox.folder);
    const idle = client.capabilities.has('IDLE');
    log.info({ idle, move: client.capabilities.has('MOVE') }, 'IMAP session open');
    let lastReconcile = Date.now();
    while (!signal.aborted && !closed) {
      await cycle(client, mailbox, deps, log, signal);
      if (Date.now() - lastReconcile >= deps.config.reconcileIntervalMs) {
        await deps.sweep();
        lastReconcile = Date.now();
      }
      // Wait for an EXISTS push (IDLE) or the poll interval, whichever comes first.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deps.config.pollIntervalMs);
        function done() {
          clearTimeout(timer);
          news = undefined;
          resolve();
        }
        news = done;
        if (signal.aborted || closed) done();
      });
    }
    if (closed && !signal.aborted) throw new Error('IMAP connection closed');
  } finally {
    signal.removeEventListener('abort', onAbort);
    news = undefined;
    if (!closed) await client.logout().catch(() => client.close());
  }
}

async function ensureFolders(client: ImapFlow, folders: string[]): Promise<void> {
  const existing = new Set((await client.list()).map((f) => f.path));
  for (const folder of folders) {
    if (!existing.has(folder)) await client.mailboxCreate(folder).catch(() => undefined);
  }
}

/** One pass over the inbox: everything in it is, by construction, not yet moved out. */
async function cycle(
  client: ImapFlow,
  mailbox: ImapMailbox,
  deps: IntakeDeps,
  log: Logger,
  signal: AbortSignal,
): Promise<void> {
  const { pool, config } = deps;
  const box = client.mailbox;
  if (!box) throw new Error('no mailbox selected');
  const uidValidity = Number(box.uidValidity);
  let checkpoint: Checkpoint = await ensureMailbox(pool, mailbox.name);
  if (checkpoint.uidValidity !== uidValidity) {
    if (checkpoint.uidValidity !== null) {
      log.warn(
        { from: checkpoint.uidValidity, to: uidValidity },
        'UIDVALIDITY changed: resyncing by content hash',
      );
    }
    await resetCheckpoint(pool, mailbox.name, uidValidity);
    checkpoint = { uidValidity, lastUid: 0 };
  }
  const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
  if (uids.length === 0) {
    await markPolled(pool, mailbox.name);
    deps.metrics?.polled(mailbox.name);
    deps.metrics?.lag(mailbox.name, 0);
    return;
  }
  const fresh = uids.filter((u) => u > checkpoint.lastUid);
  const earlier = uids.filter((u) => u <= checkpoint.lastUid);
  if (earlier.length > 0) {
    // Stored before an interruption (crash between store and move). Each goes where its row
    // says (a quarantined one to Quarantine); a UID the database does not know (a duplicate
    // by content, or one skipped in its batch) is fetched again like a fresh one.
    const key = (uid: number) => `${uidValidity}:${uid}`;
    const states = await storedStates(pool, mailbox.name, earlier.map(key));
    const processed = earlier.filter((u) => states.get(key(u)) === 'stored');
    const quarantined = earlier.filter((u) => states.get(key(u)) === 'quarantined');
    fresh.unshift(...earlier.filter((u) => !states.has(key(u))));
    log.info(
      { processed: processed.length, quarantined: quarantined.length },
      'moving messages stored before an interruption',
    );
    if (processed.length > 0) await move(client, processed, config.processedFolder);
    if (quarantined.length > 0) await move(client, quarantined, config.quarantineFolder);
  }
  if (fresh.length === 0) {
    deps.metrics?.lag(mailbox.name, 0);
    return;
  }
  // Metadata per chunk (not for the whole inbox first), so the first batch is stored at
  // once even when thousands are waiting. Only the header lines we need, not ENVELOPE.
  const batches = batchesOf(fresh, config.batchSize);
  const enqueued: Promise<void>[] = [];
  // Pipelined: the IMAP fetch of batch k+1 runs while batch k is written to PostgreSQL.
  // Each fetch is collected whole (fetchAll) before its messages are used, and imapflow
  // queues the MOVE behind it, so no command is ever issued inside a fetch loop.
  let next: Promise<Fetched> | undefined = batches[0]
    ? fetchBatch(client, batches[0], config.maxMessageBytes)
    : undefined;
  for (let k = 0; next && !signal.aborted; k++) {
    const fetched = await next;
    // UIDs ascend with arrival: the batch in hand holds the oldest messages still waiting.
    const oldest = Math.min(
      ...fetched.map((m) => m.internalDate.getTime()).filter(Number.isFinite),
    );
    if (Number.isFinite(oldest)) deps.metrics?.lag(mailbox.name, (Date.now() - oldest) / 1000);
    next =
      batches[k + 1] && !signal.aborted
        ? fetchBatch(client, batches[k + 1]!, config.maxMessageBytes)
        : undefined;
    // A failed prefetch is rethrown when awaited; keep it from being reported as unhandled meanwhile.
    next?.catch(() => undefined);
    enqueued.push((await storeBatch(client, mailbox, uidValidity, fetched, deps, log)).enqueued);
  }
  if (next) await next.catch(() => undefined);
  await Promise.all(enqueued);
  deps.metrics?.polled(mailbox.name);
  if (!signal.aborted) deps.metrics?.lag(mailbox.name, 0);
}

function batchesOf(uids: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < uids.length; i += size) out.push(uids.slice(i, i + size));
  return out;
}

interface FetchedMessage {
  uid: number;
  size: number;
  internalDate: Date;
  /** The raw source; null when too large to download or gone meanwhile. */
  raw: Buffer | null;
  /** Message-ID, From and Subject header lines as the server gave them. */
  headerLines: string;
}

type Fetched = FetchedMessage[];

/** Metadata of a batch of UIDs, then the sources of those small enough, collected whole. */
async function fetchBatch(client: ImapFlow, uids: number[], maxBytes: number): Promise<Fetched> {
  const meta = await client.fetchAll(
    uidRanges(uids),
    { uid: true, size: true, internalDate: true, headers: ['message-id', 'from', 'subject'] },
    { uid: true },
  );
  meta.sort((a, b) => a.uid - b.uid);
  const wanted = meta.filter((m) => (m.size ?? 0) <= maxBytes).map((m) => m.uid);
  const sources = new Map<number, Buffer>();
  // Sources in slices of bounded bytes, so a batch of large messages cannot exhaust memory.
  for (let i = 0; i < wanted.length; ) {
    const slice: number[] = [];
    let bytes = 0;
    for (; i < wanted.length && (slice.length === 0 || bytes < BATCH_BYTES); i++) {
      slice.push(wanted[i]!);
      bytes += meta.find((m) => m.uid === wanted[i])?.size ?? 0;
    }
    for (const m of await client.fetchAll(
      uidRanges(slice),
      { uid: true, source: true },
      { uid: true },
    )) {
      if (m.source) sources.set(m.uid, m.source);
    }
  }
  return meta.map((m) => ({
    uid: m.uid,
    size: m.size ?? 0,
    internalDate:
      m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? Date.now()),
    raw: sources.get(m.uid) ?? null,
    headerLines: m.headers ? m.headers.toString('latin1') : '',
  }));
}

/** Stores a fetched batch, moves it out, and returns the (not awaited) enqueue of its claims. */
async function storeBatch(
  client: ImapFlow,
  mailbox: ImapMailbox,
  uidValidity: number,
  batch: Fetched,
  deps: IntakeDeps,
  log: Logger,
): Promise<{ enqueued: Promise<void> }> {
  const { config } = deps;
  const incoming: IncomingMessage[] = [];
  for (const m of batch) {
    const idLine = /^message-id:[ \t]*(.*)$/im.exec(m.headerLines.replace(/\r?\n[ \t]+/g, ' '));
    const base = {
      sourceKey: `${uidValidity}:${m.uid}`,
      uidValidity,
      uid: m.uid,
      internalDate: m.internalDate,
      messageId: stripBrackets(idLine?.[1]),
    };
    if (m.raw === null && m.size <= config.maxMessageBytes) continue; // vanished meanwhile: next cycle
    incoming.push(
      await classifyIncoming(base, m.raw, m.size, config.maxMessageBytes, m.headerLines),
    );
  }
  const lastUid = Math.max(...incoming.map((m) => m.uid ?? 0), 0);
  const outcomes = await storeMessages(deps.pool, mailbox.name, incoming, { uidValidity, lastUid });
  logOutcomes(log, incoming, outcomes);
  const byKey = new Map(outcomes.map((o) => [o.sourceKey, o]));
  const processed: number[] = [];
  const quarantined: number[] = [];
  for (const m of incoming) (m.quarantine ? quarantined : processed).push(m.uid!);
  if (processed.length > 0) await move(client, processed, config.processedFolder);
  if (quarantined.length > 0) await move(client, quarantined, config.quarantineFolder);
  const stored = outcomes.filter((o) => o.status === 'stored');
  deps.metrics?.stored(
    mailbox.name,
    stored.filter((o) => !o.quarantined).length,
    quarantined.length,
  );
  log.info(
    {
      stored: stored.length,
      duplicates: outcomes.length - stored.length,
      quarantined: quarantined.length,
      lastUid,
    },
    'batch stored and moved',
  );
  const claimIds = incoming
    .map((m) => byKey.get(m.sourceKey))
    .filter((o) => o?.status === 'stored' && !o.quarantined)
    .map((o) => o!.claimId!);
  // Stored and moved already: if Redis is away, the sweep enqueues these later.
  const enqueued = deps
    .enqueue(claimIds)
    .catch((error: unknown) => log.warn({ err: error }, 'enqueue failed; the sweep will retry'));
  return { enqueued };
}

async function move(client: ImapFlow, uids: number[], folder: string): Promise<void> {
  // Keep each command line short: Dovecot limits a line to 64 KB.
  for (let i = 0; i < uids.length; i += 1000) {
    await client.messageMove(uidRanges(uids.slice(i, i + 1000)), folder, { uid: true });
  }
}
