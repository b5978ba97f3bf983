import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyIncoming, messageIdOf } from '../../src/intake/incoming.ts';
import { looksSuspicious, unparseableReason } from '../../src/intake/parse-check.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { deepMultipart, hugeHeader, manyParts, nestedHtml } from '../support/hostile.ts';

/** The length after its colon at which a header line counts as overlong (256 KiB). */
const OVERLONG = 256 * 1024;
const example = readFileSync(join(REPO_ROOT, 'examples/emails/compensation-chinese.eml'));
const base = {
  sourceKey: 'k',
  uidValidity: 1,
  uid: 1,
  internalDate: new Date('2026-03-04T01:00:00Z'),
  messageId: null,
};

describe('intake decides quarantine cheaply', () => {
  it('an ordinary message is not even parsed', () => {
    expect(looksSuspicious(example)).toBe(false);
  });

  it('messages the MIME parser rejects are caught and confirmed', async () => {
    for (const raw of [deepMultipart(3000), manyParts(20_000), hugeHeader(3 * 2 ** 20)]) {
      expect(looksSuspicious(raw)).toBe(true);
      expect(await unparseableReason(raw)).toMatch(/Max /);
    }
  });

  it('a suspicious but parseable message is kept for assessment', async () => {
    const raw = nestedHtml(1000);
    expect(await unparseableReason(raw)).toBeNull();
  });

  it('an overlong header line inside a part is suspicious; a long body line is not', () => {
    // LF line ends: a CR before the LF would count as one more character of the line.
    const message = (line: string) => Buffer.from(`Subject: x\n\nbody\n${line}\nend\n`);
    expect(looksSuspicious(message(`X-Long:${'a'.repeat(OVERLONG)}`))).toBe(true);
    expect(looksSuspicious(message(`X-Long:${'a'.repeat(OVERLONG - 1)}`))).toBe(false);
    expect(looksSuspicious(message('a'.repeat(2 * OVERLONG)))).toBe(false);
    expect(looksSuspicious(message(` folded: ${'a'.repeat(2 * OVERLONG)}`))).toBe(false);
  });

  it('scans for overlong header lines in the bytes exactly as the pattern it replaced did', () => {
    // The pattern matched on a latin1 copy of the whole message; the scan reads the bytes.
    const pattern = /\n[\x21-\x39\x3b-\x7e]+:[^\n]{262144}/;
    const piece = fc.oneof(
      fc.constantFrom('\n', '\r\n', ':', ' ', 'X-Name', '\u00e9', 'a: b'),
      fc.integer({ min: OVERLONG - 8, max: OVERLONG + 8 }).map((n) => 'a'.repeat(n)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const raw = Buffer.from(`Subject: x\r\n\r\n${pieces.join('')}`, 'latin1');
        const expected = raw.length > OVERLONG && pattern.test(raw.toString('latin1'));
        expect(looksSuspicious(raw)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the Message-ID in the header block, folded or not', () => {
    expect(messageIdOf(example)).toBe('f82d66cd85e8dd61@mail.test');
    expect(
      messageIdOf(Buffer.from('Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\nMessage-ID: <not@body>')),
    ).toBe('a@b');
    expect(messageIdOf(Buffer.from('Subject: x\r\n\r\nMessage-ID: <not@body>'))).toBeNull();
  });

  it('a message over the limit is quarantined unread, identified by what the server said of it', async () => {
    const a = await classifyIncoming(base, null, 30_000_000, 25 * 2 ** 20, 'Subject: a');
    const b = await classifyIncoming(base, null, 30_000_000, 25 * 2 ** 20, 'Subject: b');
    expect(a).toMatchObject({ raw: null, quarantine: 'too_large', size: 30_000_000 });
    expect(a.sha256.equals(b.sha256)).toBe(false);
  });

  it('an ordinary message keeps its bytes, hash and Message-ID', async () => {
    const m = await classifyIncoming(base, example, example.length, 25 * 2 ** 20);
    expect(m).toMatchObject({
      quarantine: null,
      messageId: 'f82d66cd85e8dd61@mail.test',
      size: example.length,
    });
    expect(m.raw?.equals(example)).toBe(true);
  });
});
