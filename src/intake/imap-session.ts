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
 * UIDs are searched first, then each batch's metadata and sources are fetched whole before
 * any other command (imap-fetch.ts): issuing commands inside a fetch loop deadlocks imapflow.
 * A batch holds at most INTAKE_BATCH_SIZE messages and INTAKE_BATCH_BYTES of sources, and
 * its sources are dropped once stored and moved: memory stays bounded whatever waits.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../config.ts';
import type { AccessTokenSource } from '../mail/oauth2.ts';
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
import { type FetchedMessage, fetchSources, heldBytes, plannedBatches } from './imap-fetch.ts';
import { classifyIncoming, logOutcomes, stripBrackets } from './incoming.ts';
import type { IntakeDeps } from './intake-deps.ts';
import { uidRanges } from './uid-ranges.ts';

/**
 * `tokens` (IMAP_AUTH=oauth2): sign in with XOAUTH2 (OAUTHBEARER where the server offers it)
 * and a token asked for now, at each session: a reconnect never reuses an expired one.
 * Without it, the password from IMAP_URL.
 */
export async function runImapSession(
  mailbox: ImapMailbox,
  deps: IntakeDeps,
  signal: AbortSignal,
  tokens?: AccessTokenSource,
): Promise<void> {
  const log = deps.logger.child({ component: 'imap', mailbox: mailbox.name });
  const accessToken = tokens ? (await tokens.accessToken()).accessToken : undefined;
  const client = new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    // Off loopback, STARTTLS before LOGIN or no session (mail-tls.ts, ALLOW_PLAINTEXT_MAIL).
    ...imapTlsOptions(mailbox),
    auth:
      accessToken === undefined
        ? { user: mailbox.user, pass: mailbox.password }
        : { user: mailbox.user, accessToken },
    logger: false,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 5 * 60_000,
  });
  let news: (() => void) | undefined;
  let closed = false;
  // EXISTS seen since the last cycle began: the server reports arrivals in the answers to our
  // own commands too (a MOVE's, a SEARCH's), and one that came during a cycle must start the
  // next cycle at once, not wait for the poll interval.
  let arrived = false;
  client.on('exists', (data: { count: number; prevCount: number }) => {
    if (data.count <= data.prevCount) return;
    arrived = true;
    news?.();
  });
  client.on('error', (error: Error) => log.warn({ err: error }, 'IMAP connection error'));
  client.on('close', () => {
    closed = true;
    news?.();
  });
  const onAbort = () => news?.();
  signal.addEventListener('abort', onAbort);
  try {
    await client.connect().catch((error: unknown) => {
      // Refused before its time (revoked, or the server's clock is ahead): the next session
      // asks for a new token instead of offering this one again.
      if (accessToken && (error as { authenticationFailed?: unknown }).authenticationFailed)
        tokens?.invalidate(accessToken);
      throw error;
    });
    deps.metrics?.connected(mailbox.name);
    await ensureFolders(client, [deps.config.processedFolder, deps.config.quarantineFolder]);
    await client.mailboxOpen(mailbox.folder);
    const idle = client.capabilities.has('IDLE');
    log.info({ idle, move: client.capabilities.has('MOVE') }, 'IMAP session open');
    let lastReconcile = Date.now();
    while (!signal.aborted && !closed) {
      arrived = false;
      await cycle(client, mailbox, deps, log, signal);
      if (Date.now() - lastReconcile >= deps.config.reconcileIntervalMs) {
        await deps.sweep();
        lastReconcile = Date.now();
      }
      if (arrived) continue;
      // Wait for an EXISTS push (IDLE) or the poll interval, whichever comes first. IDLE starts
      // now: imapflow's own auto-IDLE would start only after 15 s of quiet, and a server that
      // is not idling tells of new mail only in answers to commands, so claims that came in
      // just after a cycle would wait that long. The next command ends the IDLE (imapflow).
      if (idle && !closed)
        client.idle({ whenFree: true }).catch((error: unknown) => {
          log.debug({ err: error }, 'IDLE ended with an error');
        });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deps.config.pollIntervalMs);
        function done() {
          clearTimeout(timer);
          news = undefined;
          resolve();
        }
        news = done;
        if (signal.aborted || closed || arrived) done();
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
  // Batches bounded by count and by half of INTAKE_BATCH_BYTES (byte-batches.ts), pipelined
  // within the whole bound: the next batch downloads while this one is written to PostgreSQL
  // when both fit in INTAKE_BATCH_BYTES together, which half-sized batches always do unless
  // a single message is larger than the half. So large messages flow one or two at a time
  // (download beside store) and never more than the bound is held. imapflow queues the MOVE
  // behind a running fetch, so no command is ever issued inside a fetch loop.
  const bound = config.batchBytes;
  const limits = { count: config.batchSize, bytes: Math.floor(bound / 2) };
  const planned = plannedBatches(client, fresh, limits, config.maxMessageBytes);
  const enqueued: Promise<void>[] = [];
  const first = await planned.next();
  let next: Promise<FetchedMessage[]> | undefined = first.done
    ? undefined
    : fetchSources(client, first.value, config.maxMessageBytes);
  // Outside the loop so it can be dropped explicitly: a dead `const` inside an async loop may
  // stay referenced by the suspended frame while the next batch downloads (two batches held).
  let fetched: FetchedMessage[] | undefined;
  while (next && !signal.aborted) {
    fetched = await next;
    next = undefined;
    // UIDs ascend with arrival: the batch in hand holds the oldest messages still waiting.
    const oldest = Math.min(
      ...fetched.map((m) => m.internalDate.getTime()).filter(Number.isFinite),
    );
    if (Number.isFinite(oldest)) deps.metrics?.lag(mailbox.name, (Date.now() - oldest) / 1000);
    const following = signal.aborted ? undefined : (await planned.next()).value;
    if (following && heldBytes(fetched) + following.bytes <= bound) {
      next = fetchSources(client, following, config.maxMessageBytes);
      // A failed prefetch is rethrown when awaited; keep it from being reported as unhandled meanwhile.
      next.catch(() => undefined);
    }
    enqueued.push((await storeBatch(client, mailbox, uidValidity, fetched, deps, log)).enqueued);
    fetched = undefined; // stored and moved: its sources go before the next batch comes
    if (following && !next && !signal.aborted)
      next = fetchSources(client, following, config.maxMessageBytes);
  }
  if (next) await next.catch(() => undefined);
  await Promise.all(enqueued);
  deps.metrics?.polled(mailbox.name);
  if (!signal.aborted) deps.metrics?.lag(mailbox.name, 0);
}

/** Stores a fetched batch, moves it out, and returns the (not awaited) enqueue of its claims. */
async function storeBatch(
  client: ImapFlow,
  mailbox: ImapMailbox,
  uidValidity: number,
  batch: FetchedMessage[],
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
