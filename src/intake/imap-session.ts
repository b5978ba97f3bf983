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
import { parseEmail } from '../mail/parse.ts';
import {
  type Checkpoint,
  ensureMailbox,
  type IncomingMessage,
  markPolled,
  resetCheckpoint,
  sha256Of,
  storedStates,
  storeMessages,
} from '../store/messages-store.ts';
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
  if (fresh.length === 0) return;
  const meta = await client.fetchAll(
    uidRanges(fresh),
    { uid: true, size: true, internalDate: true, envelope: true },
    { uid: true },
  );
  meta.sort((a, b) => a.uid - b.uid);
  // Stopping, or the lock lost (another instance may be polling now): end after the batch in
  // hand rather than work through the rest of a large inbox.
  for (let i = 0; i < meta.length && !signal.aborted; ) {
    const batch: typeof meta = [];
    let bytes = 0;
    while (
      i < meta.length &&
      batch.length < config.batchSize &&
      (batch.length === 0 || bytes < BATCH_BYTES)
    ) {
      const m = meta[i++]!;
      batch.push(m);
      if ((m.size ?? 0) <= config.maxMessageBytes) bytes += m.size ?? 0;
    }
    await storeBatch(client, mailbox, uidValidity, batch, deps, log);
  }
  deps.metrics?.polled(mailbox.name);
}

type Meta = Awaited<ReturnType<ImapFlow['fetchAll']>>[number];

async function storeBatch(
  client: ImapFlow,
  mailbox: ImapMailbox,
  uidValidity: number,
  batch: Meta[],
  deps: IntakeDeps,
  log: Logger,
): Promise<void> {
  const { config } = deps;
  const wanted = batch.filter((m) => (m.size ?? 0) <= config.maxMessageBytes).map((m) => m.uid);
  const sources = new Map<number, Buffer>();
  if (wanted.length > 0) {
    for (const m of await client.fetchAll(
      uidRanges(wanted),
      { uid: true, source: true },
      { uid: true },
    )) {
      if (m.source) sources.set(m.uid, m.source);
    }
  }
  const incoming: IncomingMessage[] = [];
  for (const m of batch) {
    const raw = sources.get(m.uid) ?? null;
    const messageId = stripBrackets(m.envelope?.messageId);
    const internalDate =
      m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? Date.now());
    const base = {
      sourceKey: `${uidValidity}:${m.uid}`,
      uidValidity,
      uid: m.uid,
      internalDate,
      messageId,
    };
    if (raw === null && (m.size ?? 0) <= config.maxMessageBytes) continue; // vanished meanwhile: next cycle
    incoming.push(await classifyIncoming(base, raw, m.size ?? 0, config.maxMessageBytes));
  }
  const lastUid = Math.max(...incoming.map((m) => m.uid ?? 0), 0);
  const outcomes = await storeMessages(deps.pool, mailbox.name, incoming, { uidValidity, lastUid });
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
  await deps
    .enqueue(claimIds)
    .catch((error: unknown) => log.warn({ err: error }, 'enqueue failed; the sweep will retry'));
}

/** Decides whether a message is kept for assessment or quarantined (too large, unparseable). */
export async function classifyIncoming(
  base: Pick<IncomingMessage, 'sourceKey' | 'uidValidity' | 'uid' | 'internalDate' | 'messageId'>,
  raw: Buffer | null,
  size: number,
  maxBytes: number,
): Promise<IncomingMessage> {
  if (raw === null || size > maxBytes || raw.length > maxBytes) {
    // Not downloaded: identified by what the server said of it, so a resync finds it again.
    const identity = `oversized\0${base.messageId ?? ''}\0${size}\0${base.internalDate.toISOString()}`;
    return {
      ...base,
      raw: null,
      size,
      sha256: sha256Of(Buffer.from(identity)),
      quarantine: 'too_large',
    };
  }
  const parsed = await parseEmail(raw);
  const messageId = base.messageId ?? parsed.messageId;
  const common = { ...base, messageId, raw, size: raw.length, sha256: sha256Of(raw) };
  if (parsed.parseError !== null) {
    return {
      ...common,
      quarantine: 'unparseable',
      quarantineDetail: parsed.parseError.slice(0, 200),
    };
  }
  return { ...common, quarantine: null };
}

async function move(client: ImapFlow, uids: number[], folder: string): Promise<void> {
  // Keep each command line short: Dovecot limits a line to 64 KB.
  for (let i = 0; i < uids.length; i += 1000) {
    await client.messageMove(uidRanges(uids.slice(i, i + 1000)), folder, { uid: true });
  }
}

function stripBrackets(id: string | undefined): string | null {
  if (!id) return null;
  return id.trim().replace(/^<|>$/g, '').slice(0, 998) || null;
}
