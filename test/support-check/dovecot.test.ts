/** The private Dovecot used by IMAP intake tests behaves like a real mailbox server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '../support/dovecot.ts';

let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

function message(n: number, extra = ''): Buffer {
  return Buffer.from(
    `From: customer${n}@example.com\r\nTo: claims@example.net\r\nSubject: Claim ${n}\r\n` +
      `Message-ID: <claim-${n}@example.com>\r\n\r\nOutage on account ACC-${n}.${extra}\r\n`,
  );
}

describe('startDovecot', () => {
  it('serves what was appended: UIDs, internal dates and the exact bytes', async () => {
    const dates = [
      new Date('2024-03-01T08:00:00Z'),
      new Date('2024-03-02T09:30:15Z'),
      new Date('2024-03-03T23:59:59Z'),
    ];
    const raws = dates.map((_, i) => message(i + 1, ' Ünïcode \u{1F600}'));
    const uids = [];
    for (const [i, raw] of raws.entries()) {
      uids.push((await dovecot.append(raw, { internalDate: dates[i] })).uid);
    }
    expect(uids).toEqual([1, 2, 3]);

    expect(await dovecot.count('INBOX')).toBe(3);
    expect(await dovecot.list('INBOX')).toEqual(
      dates.map((internalDate, i) => ({ uid: i + 1, internalDate })),
    );

    const client = await dovecot.connect();
    try {
      await client.mailboxOpen('INBOX');
      const fetched = await client.fetchAll('1:*', { uid: true, internalDate: true, source: true });
      expect(fetched.map((m) => m.uid)).toEqual([1, 2, 3]);
      expect(fetched.map((m) => new Date(m.internalDate ?? 0).toISOString())).toEqual(
        dates.map((d) => d.toISOString()),
      );
      expect(fetched.map((m) => m.source?.equals(raws[m.seq - 1]!))).toEqual([true, true, true]);
    } finally {
      await client.logout();
    }
  });

  it('advertises IDLE and MOVE, and MOVE to a created folder works', async () => {
    const { uid } = await dovecot.append(message(10));
    const client = await dovecot.connect();
    try {
      expect(client.capabilities.has('IDLE')).toBe(true);
      expect(client.capabilities.has('MOVE')).toBe(true);
      await client.mailboxCreate('Processed');
      await client.mailboxOpen('INBOX');
      const moved = await client.messageMove(String(uid), 'Processed', { uid: true });
      expect(moved ? moved.uidMap?.size : 0).toBe(1);
    } finally {
      await client.logout();
    }
    expect(await dovecot.count('Processed')).toBe(1);
    expect((await dovecot.list('INBOX')).map((m) => m.uid)).not.toContain(uid);
  });

  it('setUidValidity changes the UIDVALIDITY a new client sees', async () => {
    const before = await uidValidity();
    const next = Number(before % 1_000_000n) + 12_345;
    await dovecot.setUidValidity(next);
    expect(await uidValidity()).toBe(BigInt(next));
  });

  it('restart() and kill() keep the mail and serve on the same port', async () => {
    const before = await dovecot.list('INBOX');
    const port = dovecot.port;
    await dovecot.restart();
    expect(dovecot.port).toBe(port);
    expect(await dovecot.list('INBOX')).toEqual(before);

    const client = await dovecot.connect();
    client.on('error', () => {}); // the kill below may surface as a socket error
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await dovecot.kill();
    await closed; // a crash drops open sessions
    await expect(dovecot.count('INBOX')).rejects.toThrow();
    await dovecot.restart();
    expect(await dovecot.list('INBOX')).toEqual(before);
  });

  it('appendMany stores 2,000 messages over one connection', async () => {
    const box = 'Bulk';
    const client = await dovecot.connect();
    await client.mailboxCreate(box);
    await client.logout();
    const date = new Date('2024-05-05T05:05:05Z');
    const raws = Array.from({ length: 2000 }, (_, i) => message(1000 + i));
    const started = performance.now();
    await dovecot.appendMany(raws, { mailbox: box, internalDate: date, flags: ['\\Seen'] });
    const ms = performance.now() - started;
    console.info(`appendMany: 2000 messages in ${ms.toFixed(0)} ms (${(2e6 / ms).toFixed(0)}/s)`);
    expect(await dovecot.count(box)).toBe(2000);
    const listed = await dovecot.list(box);
    expect(listed.map((m) => m.uid)).toEqual(raws.map((_, i) => i + 1));
    expect(listed.every((m) => m.internalDate.getTime() === date.getTime())).toBe(true);
  });
});

async function uidValidity(): Promise<bigint> {
  const client = await dovecot.connect();
  try {
    return (await client.mailboxOpen('INBOX')).uidValidity;
  } finally {
    await client.logout();
  }
}
