import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from '../../src/domain/email.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import {
  bigAttachment,
  brokenBase64,
  brokenEncodedWords,
  deepMultipart,
  flowedUrls,
  hugeHeader,
  longLine,
  manyParts,
  nestedHtml,
  nulBytes,
  randomGarbage,
} from '../support/hostile.ts';

const MB = 1024 * 1024;

/** Every field present with the right type, whatever the input was. */
function expectWellFormed(email: ParsedEmail): void {
  expect(typeof email.subject).toBe('string');
  expect(typeof email.text).toBe('string');
  expect(Array.isArray(email.to)).toBe(true);
  expect(Array.isArray(email.references)).toBe(true);
  expect(Array.isArray(email.attachments)).toBe(true);
  expect(Array.isArray(email.headers.authenticationResults)).toBe(true);
  expect(email.text.length).toBeLessThanOrEqual(MB);
  expect(email.html === null || email.html.length <= 2 * MB).toBe(true);
  expect(email.subject.length).toBeLessThanOrEqual(4000);
}

/** The header every generator writes is read back intact. */
function expectIntactHeader(email: ParsedEmail, subject: string): void {
  expect(email.subject).toBe(subject);
  expect(email.from).toBe('attacker@example.com');
  expect(email.fromName).toBe('Hostile Sender');
  expect(email.to).toEqual(['claims@example.net']);
  expect(email.messageId).toBe('hostile@example.com');
}

describe('parseEmail on hostile input', () => {
  it('falls back on multipart nested 3,000 levels deep and keeps the header', async () => {
    const email = await parseEmail(deepMultipart(3000));
    expectWellFormed(email);
    expectIntactHeader(email, 'deep nesting');
    expect(email.parseError).toMatch(/child nodes/i);
    expect(email.headers.contentType).toBe('multipart/mixed');
  });

  it('falls back on 20,000 parts and keeps the header', async () => {
    const email = await parseEmail(manyParts(20_000));
    expectWellFormed(email);
    expectIntactHeader(email, 'many parts');
    expect(email.parseError).toMatch(/child nodes/i);
    expect(email.text).toContain('part 0');
  });

  it('falls back on a 3 MB header of many lines, reading the first 256 KB of it', async () => {
    const email = await parseEmail(hugeHeader(3 * MB));
    expectWellFormed(email);
    expectIntactHeader(email, 'huge header');
    expect(email.parseError).toMatch(/header size/i);
    expect(email.text.trim()).toBe('body after it');
  });

  it('falls back on a single 3 MB header line', async () => {
    const email = await parseEmail(hugeHeader(3 * MB, true));
    expectWellFormed(email);
    expectIntactHeader(email, 'huge header');
    expect(email.parseError).toMatch(/header size/i);
    expect(email.text.trim()).toBe('body after it');
  });

  it('parses an 8 MB line and cuts the text at 1 MB', async () => {
    const email = await parseEmail(longLine(8 * MB));
    expectWellFormed(email);
    expectIntactHeader(email, 'long line');
    expect(email.parseError).toBeNull();
    expect(email.text.length).toBe(MB);
    expect(email.text).toMatch(/^x+$/);
  });

  it('survives NUL bytes in headers, boundaries and the body', async () => {
    const email = await parseEmail(nulBytes());
    expectWellFormed(email);
    expect(email.from).toBe('attacker@example.com');
    expect(email.subject).toBe('nul subject');
    expect(email.text).toContain('before');
  });

  it('survives broken base64 in a text part and a truncated attachment', async () => {
    const email = await parseEmail(brokenBase64());
    expectWellFormed(email);
    expectIntactHeader(email, 'broken base64');
    expect(email.text).toContain('Hello');
    for (const attachment of email.attachments) {
      expect(attachment.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('survives malformed, unterminated and unknown-charset encoded words', async () => {
    const email = await parseEmail(brokenEncodedWords());
    expectWellFormed(email);
    expect(email.from).toBe('ew@example.com');
    expect(email.to).toEqual(['to@example.net']);
    expect(email.subject).toContain('Hello');
    expect(email.subject).toContain('unterminated');
    expect(email.text.trim()).toBe('body');
  });

  it('hashes a 25 MB attachment in a 35 MB message without holding it in memory', async () => {
    const big = bigAttachment(25 * MB, 35 * MB);
    expect(big.raw.length).toBeGreaterThan(34 * MB);
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    let email: ParsedEmail;
    try {
      email = await parseEmail(big.raw);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage.rss());
    expect(peak - before).toBeLessThan(400 * MB);
    expectWellFormed(email);
    expectIntactHeader(email, 'big attachment');
    expect(email.parseError).toBeNull();
    expect(email.attachments).toEqual([
      {
        filename: 'dump.bin',
        contentType: 'application/octet-stream',
        size: big.size,
        sha256: big.sha256,
      },
    ]);
    expect(email.text.trimEnd().endsWith('the end')).toBe(true);
  });

  it('derives text from 200,000 nested HTML elements', async () => {
    const email = await parseEmail(nestedHtml(200_000));
    expectWellFormed(email);
    expectIntactHeader(email, 'nested html');
    expect(email.parseError).toBeNull();
    expect(email.text).toContain('deep claim text');
    expect(email.text).toContain('after the nesting');
    expect(email.html).not.toBeNull();
  });

  it('parses 3 MB of format=flowed text full of URLs', async () => {
    const email = await parseEmail(flowedUrls(3 * MB));
    expectWellFormed(email);
    expectIntactHeader(email, 'flowed urls');
    expect(email.text.startsWith('see https://example.com/')).toBe(true);
  });

  it('gives an empty email for an empty buffer', async () => {
    const email = await parseEmail(Buffer.alloc(0));
    expectWellFormed(email);
    expect(email).toMatchObject({ from: null, subject: '', text: '', html: null, attachments: [] });
  });

  it('gives a well-formed email for random binary garbage', async () => {
    for (const seed of [1, 2, 3]) {
      const email = await parseEmail(randomGarbage(256 * 1024, seed));
      expectWellFormed(email);
      expect(email.from).toBeNull();
    }
  });
});
