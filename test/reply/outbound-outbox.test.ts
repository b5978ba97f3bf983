import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outboxFileName } from '../../src/reply/outbound/outbox-transport.ts';
import {
  composeReply,
  createReplyTransport,
  DEFAULT_OUTBOX_DIR,
  OutboxWriteError,
} from '../../src/reply/outbound/transport.ts';

const envelope = { from: 'claims@provider.example', to: ['alice@customer.example'] };

function reply(messageId = '<clm-123.v1@claims.example>'): Promise<Buffer> {
  return composeReply({
    claimRef: 'CLM-000123',
    to: 'alice@customer.example',
    from: 'claims@provider.example',
    originalSubject: '关于服务中断的赔偿申请',
    originalMessageId: '<orig-1@customer.example>',
    originalReferences: [],
    messageId,
    text: '您好，您的申请已受理。',
    html: '<p>您好，您的申请已受理。</p>',
    lang: 'zh',
    date: new Date('2026-11-20T10:15:30Z'),
  });
}

describe('outbox reply transport', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'outbox-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the reply as one .eml file, creating the directory, with nothing partial left', async () => {
    const dir = join(root, 'var', 'outbox');
    const transport = createReplyTransport({ outboxDir: dir });
    const raw = await reply();

    const result = await transport.send(raw, envelope);
    await transport.close();

    const name = '20261120T101530Z-clm-123.v1@claims.example.eml';
    expect(await readdir(dir)).toEqual([name]);
    expect(result).toEqual({
      accepted: true,
      response: `written to ${join(dir, name)}`,
      rejected: [],
    });
    const stored = await readFile(join(dir, name));
    expect(stored.equals(raw)).toBe(true);
    const mail = await simpleParser(stored);
    expect(mail.subject).toBe('Re: 关于服务中断的赔偿申请 [CLM-000123]');
    expect(mail.inReplyTo).toBe('<orig-1@customer.example>');
  });

  it('keeps a reply sent twice (a retry) as one file', async () => {
    const transport = createReplyTransport({ outboxDir: root });
    const raw = await reply();
    await transport.send(raw, envelope);
    await transport.send(raw, envelope);
    await transport.send(await reply('<clm-123.v2@claims.example>'), envelope);

    expect((await readdir(root)).sort()).toEqual([
      '20261120T101530Z-clm-123.v1@claims.example.eml',
      '20261120T101530Z-clm-123.v2@claims.example.eml',
    ]);
  });

  it('reports a directory it cannot write as retryable, leaving no temporary file', async () => {
    const blocker = join(root, 'not-a-dir');
    await writeFile(blocker, 'x');
    const transport = createReplyTransport({ outboxDir: join(blocker, 'outbox') });

    const error = await transport.send(await reply(), envelope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxWriteError);
    expect(error).toMatchObject({ code: 'outbox_write_failed', retryable: true });
    expect(await readdir(root)).toEqual(['not-a-dir']);
  });

  it('makes a file name no Message-ID can steer out of the directory', () => {
    const raw = Buffer.from('Message-ID: <../../etc/passwd@x>\r\nDate: nonsense\r\n\r\nbody');
    const name = outboxFileName(raw, new Date('2026-01-02T03:04:05Z'));
    expect(name).toBe('20260102T030405Z-__.._etc_passwd@x.eml');
    expect(name).not.toContain('/');
  });

  it('defaults to var/outbox under the working directory', () => {
    expect(resolve(DEFAULT_OUTBOX_DIR)).toBe(join(process.cwd(), 'var', 'outbox'));
  });
});
