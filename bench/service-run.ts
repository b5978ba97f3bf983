/**
 * What the benches that run the whole service share (bench:pipeline, bench:records): an
 * SMTP sink, the service's warnings, Maildir staging and delivery, waiting for claims to
 * finish, and the figures read back from the database afterwards.
 */
import { mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../src/logger.ts';
import { FINISHED } from '../test/support/finished.ts';
import { sleep } from './support.ts';

/**
 * An SMTP server that takes every message and keeps only the count and, per reply, when it
 * arrived (epoch ms) keyed by its In-Reply-To (the claim's Message-ID, without brackets):
 * bodies are discarded.
 */
export async function startSink(): Promise<{
  url: string;
  received: () => number;
  /** In-Reply-To → arrival time (epoch ms) of the replies received since the last reset. */
  arrivals: Map<string, number>;
  /** Forgets the count and the arrivals (between a baseline and the service's run). */
  reset(): void;
  stop(): Promise<void>;
}> {
  let received = 0;
  const arrivals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      // The header block is at the start: the first few KB name the message answered.
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        received++;
        const id = /^in-reply-to:[ \t]*<?([^>\r\n]+)>?/im.exec(head)?.[1];
        if (id) arrivals.set(id.trim(), performance.timeOrigin + performance.now());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    arrivals,
    reset() {
      received = 0;
      arrivals.clear();
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Warnings and errors of an in-process service, kept to print; everything else is dropped. */
export function problemLog() {
  const problems: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line && (JSON.parse(line) as { level: number }).level >= 40)
          problems.push(line.slice(0, 300));
      done();
    },
  });
  return { logger: createLogger('warn', sink), problems };
}

/** A Maildir (new/, cur/, tmp/) at `dir`. */
export function makeMaildir(dir: string): string {
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
  return dir;
}

export interface Staged {
  /** The Maildir file name (messages.source_key once stored). */
  name: string;
  raw: Buffer;
  /** The delivery time: the file's mtime, the claim's received time. */
  received: Date;
}

/**
 * Written into tmp/ with the received time as mtime, as a Maildir writer does; a message is
 * delivered when `deliver` renames it into new/. Writing first keeps the (slow, synchronous)
 * file writes out of the timed run: only the renames block the service's event loop.
 */
export function stage(maildir: string, messages: Staged[]): string[] {
  return messages.map(({ name, raw, received }) => {
    const tmp = join(maildir, 'tmp', name);
    writeFileSync(tmp, raw);
    utimesSync(tmp, received, received);
    return name;
  });
}

/** Stages a file as it is on disk (an example or a generated claim). */
export function stageFile(maildir: string, name: string, path: string, received: Date): string {
  return stage(maildir, [{ name, raw: readFileSync(path), received }])[0]!;
}

export function deliver(maildir: string, names: string[]): void {
  for (const name of names) renameSync(join(maildir, 'tmp', name), join(maildir, 'new', name));
}

/** The database's clock, which also stamps messages stored and replies sent. */
export async function dbNow(pool: pg.Pool): Promise<Date> {
  return (await pool.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]!.t;
}

/**
 * Polls until `expected` claims whose message matches `where` (SQL on `m`) are finished
 * (test/support/finished.ts); throws with the counts after `timeoutMs`.
 */
export async function waitFinished(
  pool: pg.Pool,
  expected: number,
  timeoutMs: number,
  where = 'true',
): Promise<void> {
  const started = performance.now();
  const count = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
  for (;;) {
    const finished = await count(
      `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id WHERE (${where}) AND ${FINISHED}`,
    );
    if (finished >= expected) return;
    if (performance.now() - started > timeoutMs) {
      const claims = await count(
        `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id WHERE ${where}`,
      );
      throw new Error(
        `timed out: ${finished} of ${expected} claims finished, ${claims} claims stored`,
      );
    }
    await sleep(100);
  }
}

export interface RunFigures {
  storedFirst: Date;
  storedLast: Date;
  /** The last claim's finish: its reply's sending, or (ignored) its last update. */
  finishedLast: Date;
  /** Message stored → reply sent, ms, ascending. */
  latencies: number[];
  outcomes: { state: string; decision: string; n: string }[];
  unsent: number;
}

/** What a run did, for the claims whose message matches `where` (SQL on `m`). */
export async function runFigures(pool: pg.Pool, where = 'true'): Promise<RunFigures> {
  const { rows: timing } = await pool.query<{
    stored_first: Date;
    stored_last: Date;
    finished_last: Date;
  }>(
    `SELECT min(m.created_at) AS stored_first, max(m.created_at) AS stored_last,
            max(coalesce(r.sent_at, c.updated_at)) AS finished_last
       FROM claims c JOIN messages m ON m.id = c.message_id
       LEFT JOIN replies r ON r.claim_id = c.id AND r.state = 'sent'
      WHERE ${where}`,
  );
  const { rows: latency } = await pool.query<{ ms: number }>(
    `SELECT extract(epoch FROM r.sent_at - m.created_at) * 1000 AS ms
       FROM replies r JOIN claims c ON c.id = r.claim_id JOIN messages m ON m.id = c.message_id
      WHERE r.state = 'sent' AND ${where} ORDER BY ms`,
  );
  const { rows: outcomes } = await pool.query<{ state: string; decision: string; n: string }>(
    `SELECT c.state, coalesce(c.decision, '-') AS decision, count(*) AS n
       FROM claims c JOIN messages m ON m.id = c.message_id WHERE ${where}
      GROUP BY 1, 2 ORDER BY 3 DESC`,
  );
  const { rows: unsent } = await pool.query<{ n: string }>(
    `SELECT count(*) n FROM replies r JOIN claims c ON c.id = r.claim_id
       JOIN messages m ON m.id = c.message_id WHERE r.state <> 'sent' AND ${where}`,
  );
  const t = timing[0]!;
  return {
    storedFirst: t.stored_first,
    storedLast: t.stored_last,
    finishedLast: t.finished_last,
    latencies: latency.map((r) => Number(r.ms)),
    outcomes,
    unsent: Number(unsent[0]!.n),
  };
}

/** A process's peak and current RSS (KB) from /proc; undefined once it has gone. */
export function procRss(pid: number): { peakKb: number; nowKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    const peakKb = kb('VmHWM');
    return Number.isNaN(peakKb) ? undefined : { peakKb, nowKb: kb('VmRSS') };
  } catch {
    return undefined;
  }
}
