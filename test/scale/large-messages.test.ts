/**
 * Bounded memory at intake (issue #11, item 5): 200 messages of 20 MiB each (4 GiB) wait in
 * a real Dovecot INBOX; the real poller process (`claim-intake start --role poller`) stores
 * every one exactly once, moves it to Processed, and its own peak resident set (VmHWM,
 * the kernel's high-water mark for that process) stays under 500 MB.
 *
 * Cheap to set up on purpose: every message is a unique header in front of one shared
 * base64 block of repeated bytes, written straight into Dovecot's Maildir (as a local
 * delivery agent does) with writev, so the test process never builds a 20 MiB buffer per
 * message, and PostgreSQL compresses the repetitive sources to almost nothing.
 */
import { randomBytes } from 'node:crypto';
import { chown, open, readFile, rename, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';
import { type PollerProcess, startPollerProcess } from '../support/poller-process.ts';
import { createTestRedis, type TestRedis } from '../support/redis.ts';
import { waitFor } from '../support/wait.ts';

const MESSAGES = 200;
const MESSAGE_BYTES = 20 * 2 ** 20;
/** 500 MB, in the KiB that /proc reports ("kB"). */
const RSS_LIMIT_KIB = (500 * 10 ** 6) / 1024;
const BOUNDARY = 'large-attachment-boundary';
const RECEIVED = Date.parse('2026-03-02T02:00:00Z');

let db: TestDatabase;
let redis: TestRedis;
let dovecot: DovecotServer;
let poller: PollerProcess | undefined;

beforeAll(async () => {
  [db, redis, dovecot] = await Promise.all([
    createTestDatabase(),
    createTestRedis(),
    startDovecot(),
  ]);
  await migrate(db.pool);
});
afterAll(async () => {
  await poller?.kill();
  await dovecot?.stop();
  await db?.drop();
  await redis?.cleanup();
});

function header(n: number): Buffer {
  return Buffer.from(
    [
      `From: Large Sender ${n} <large${n}@customers.example>`,
      'To: claims@example.net',
      `Subject: Compensation claim #${n} with a large log file`,
      `Message-ID: <large-${n}-${randomBytes(4).toString('hex')}@customers.example>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
      '',
      `--${BOUNDARY}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Account: ACC-${n}; the log is attached.`,
      `--${BOUNDARY}`,
      'Content-Type: application/octet-stream; name="server.log"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="server.log"',
      '',
      '',
    ].join('\r\n'),
  );
}

const TRAILER = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** Base64 lines (76 characters + CRLF) of repeated bytes, sized so header + block + trailer ≈ 20 MiB. */
function base64Block(bytes: number): Buffer {
  const line = `${Buffer.alloc(57, 'claim-intake ').toString('base64')}\r\n`; // 76 + 2
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)));
}

/**
 * Delivers into the Maildir's new/ through tmp/, owned by the user Dovecot runs as, with the
 * receipt time as mtime (Dovecot's INTERNALDATE for Maildir). `S=`/`W=` give the physical and
 * virtual (CRLF) size, equal here, so Dovecot need not read 4 GiB to answer RFC822.SIZE.
 */
async function deliver(maildir: string, n: number, block: Buffer): Promise<number> {
  const parts = [header(n), block, TRAILER];
  const size = parts.reduce((sum, p) => sum + p.length, 0);
  const name = `${1_772_400_000 + n}.M${n}P${process.pid}.large-test,S=${size},W=${size}`;
  const tmp = join(maildir, 'tmp', name);
  const file = await open(tmp, 'w');
  try {
    await file.writev(parts);
  } finally {
    await file.close();
  }
  const owner = await stat(maildir);
  await chown(tmp, owner.uid, owner.gid);
  const received = new Date(RECEIVED + n * 60_000);
  await utimes(tmp, received, received);
  await rename(tmp, join(maildir, 'new', name));
  return size;
}

/** The process's peak resident set size in KiB (VmHWM), or NaN once it has exited. */
async function peakRssKib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}

describe('intake memory', () => {
  it('stores 200 messages of 20 MiB from Dovecot exactly once, with the poller under 500 MB peak RSS', async () => {
    expect(await dovecot.count('INBOX')).toBe(0); // Dovecot creates the Maildir
    const block = base64Block(MESSAGE_BYTES - header(0).length - TRAILER.length);
    const sizes: number[] = [];
    for (let n = 0; n < MESSAGES; n += 8) {
      const group = Array.from({ length: Math.min(8, MESSAGES - n) }, (_, i) => n + i);
      sizes.push(...(await Promise.all(group.map((k) => deliver(dovecot.mailDir, k, block)))));
    }
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MESSAGE_BYTES);
    expect(await dovecot.count('INBOX')).toBe(MESSAGES);

    const mailbox = loadConfig({ IMAP_URL: dovecot.url }).mailboxes[0]!.name;
    poller = startPollerProcess({
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      IMAP_URL: dovecot.url,
      IMAP_POLL_INTERVAL_MS: '500',
      LOG_LEVEL: 'info',
    });
    const pid = poller.pid;
    const started = Date.now();
    let peak = 0;
    const stored = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>('SELECT count(*) n FROM messages WHERE mailbox = $1', [
            mailbox,
          ])
        ).rows[0]!.n,
      );
    // Stops early once the bound is broken (the assertion below then fails), so a regression
    // does not grow a process towards 4 GiB on a shared machine.
    await waitFor(
      async () => {
        peak = Math.max(peak, (await peakRssKib(pid)) || 0);
        if (peak > RSS_LIMIT_KIB || poller!.dead) return true;
        return (await stored()) === MESSAGES && (await dovecot.count('INBOX')) === 0;
      },
      { timeoutMs: 600_000, intervalMs: 500, message: '200 large messages stored and moved' },
    );
    const seconds = (Date.now() - started) / 1000;
    peak = Math.max(peak, (await peakRssKib(pid)) || 0);
    const cpu = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    const cpuSeconds = (Number(cpu[11]) + Number(cpu[12])) / 100; // utime + stime, in ticks
    console.info(
      `poller with ${MESSAGES} × 20 MiB: peak RSS ${Math.round((peak * 1024) / 10 ** 6)} MB, ` +
        `stored and moved in ${seconds.toFixed(1)} s, CPU ${cpuSeconds} s`,
    );
    expect(peak).toBeLessThan(RSS_LIMIT_KIB);
    expect(poller.dead, poller.output().slice(-2000)).toBe(false);

    const { rows } = await db.pool.query<{
      n: string;
      ids: string;
      bytes: string;
      whole: string;
      quarantined: string;
      dates: string;
    }>(
      `SELECT count(*) n, count(DISTINCT message_id) ids, sum(size)::text bytes,
              count(*) FILTER (WHERE octet_length(raw) = size) whole,
              count(*) FILTER (WHERE state <> 'stored') quarantined,
              count(DISTINCT internal_date) dates
         FROM messages WHERE mailbox = $1`,
      [mailbox],
    );
    expect(rows[0]).toEqual({
      n: '200',
      ids: '200',
      bytes: String(sizes.reduce((a, b) => a + b, 0)),
      whole: '200',
      quarantined: '0',
      dates: '200',
    });
    const claims = await db.pool.query<{ n: string }>(
      `SELECT count(*) n FROM claims c JOIN messages m ON m.id = c.message_id WHERE m.mailbox = $1`,
      [mailbox],
    );
    expect(claims.rows[0]!.n).toBe('200');
    expect(await dovecot.count('Processed')).toBe(MESSAGES);
    // One at a time: a 20 MiB message is over half of INTAKE_BATCH_BYTES (64 MiB), the most a
    // batch holds while the next one downloads beside it.
    const batches = poller.logs().filter((l) => l.msg === 'batch stored and moved');
    expect(batches.map((b) => b.stored)).toEqual(Array(MESSAGES).fill(1));
    await poller.stop();
  }, 900_000);
});
