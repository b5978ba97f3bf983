/**
 * What the IMAP session downloads, in batches bounded by count and bytes: first the
 * metadata of a chunk of UIDs (size, INTERNALDATE and three header lines: cheap), then the
 * sources of one byte-bounded batch at a time. A batch's sources are collected whole
 * (fetchAll) before anything uses them: issuing commands inside a fetch loop deadlocks
 * imapflow.
 */
import type { ImapFlow } from 'imapflow';
import { type BatchLimits, byteBatches } from './byte-batches.ts';
import { uidRanges } from './uid-ranges.ts';

export interface MessageMeta {
  uid: number;
  /** RFC822.SIZE as the server reports it. */
  size: number;
  internalDate: Date;
  /** Message-ID, From and Subject header lines as the server gave them. */
  headerLines: string;
}

export interface FetchedMessage extends MessageMeta {
  /** The raw source; null when too large to download or gone meanwhile. */
  raw: Buffer | null;
}

/** A batch to download: its messages' metadata and the bytes their sources will take. */
export interface PlannedBatch {
  meta: MessageMeta[];
  bytes: number;
}

/**
 * The batches of `uids`, in UID order: metadata per chunk of `limits.count` UIDs (not for the
 * whole inbox first, so the first batch is stored at once even when thousands wait), each
 * chunk cut into batches of at most `limits.bytes` of sources. A message over `maxBytes` is
 * never downloaded, so it costs no bytes.
 */
export async function* plannedBatches(
  client: ImapFlow,
  uids: number[],
  limits: BatchLimits,
  maxBytes: number,
): AsyncGenerator<PlannedBatch> {
  const download = (m: MessageMeta) => (m.size <= maxBytes ? m.size : 0);
  for (let i = 0; i < uids.length; i += limits.count) {
    const meta = await fetchMeta(client, uids.slice(i, i + limits.count));
    for (const batch of byteBatches(meta, download, limits)) {
      yield { meta: batch, bytes: batch.reduce((sum, m) => sum + download(m), 0) };
    }
  }
}

async function fetchMeta(client: ImapFlow, uids: number[]): Promise<MessageMeta[]> {
  const meta = await client.fetchAll(
    uidRanges(uids),
    { uid: true, size: true, internalDate: true, headers: ['message-id', 'from', 'subject'] },
    { uid: true },
  );
  return meta
    .sort((a, b) => a.uid - b.uid)
    .map((m) => ({
      uid: m.uid,
      size: m.size ?? 0,
      internalDate:
        m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? Date.now()),
      headerLines: m.headers ? m.headers.toString('latin1') : '',
    }));
}

/** The sources of one planned batch, in one FETCH (its bytes are bounded by the plan). */
export async function fetchSources(
  client: ImapFlow,
  batch: PlannedBatch,
  maxBytes: number,
): Promise<FetchedMessage[]> {
  const wanted = batch.meta.filter((m) => m.size <= maxBytes).map((m) => m.uid);
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
  return batch.meta.map((m) => ({ ...m, raw: sources.get(m.uid) ?? null }));
}

/** Bytes of sources actually held. */
export function heldBytes(batch: FetchedMessage[]): number {
  return batch.reduce((sum, m) => sum + (m.raw?.length ?? 0), 0);
}
