/**
 * Parses every message of the shared external corpus, when it is present beside the
 * repository. The corpus is read in place and never copied into the project.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParsedEmail } from '../../src/domain/email.ts';
import { parseEmail } from '../../src/mail/parse.ts';

const dir = path.resolve(import.meta.dirname, '../../../shared/corpus/external');
const present = existsSync(dir);
const files = present
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort()
  : [];

/** What marks the auto-generated messages of the corpus (bounces, DSNs, ARF, lists). */
const MARKERS: Record<string, (email: ParsedEmail) => void> = {
  'mailparser-delivery-status.eml': (email) => {
    expect(email.headers.contentType).toBe('multipart/report');
    expect(email.from).toBe('mailer-daemon@amazonses.com');
  },
  'postal-mime-bounce.eml': (email) => {
    expect(email.headers.contentType).toBe('multipart/report');
    expect(email.headers.returnPath).toBe('<>');
    expect(email.headers.autoSubmitted).toBe('auto-replied');
    expect(email.from).toBe('mailer-daemon@messagingengine.com');
    expect(email.headers.authenticationResults.length).toBe(4);
  },
  'postal-mime-arf.eml': (email) => {
    expect(email.headers.contentType).toBe('multipart/report');
    expect(email.attachments.map((a) => a.contentType)).toContain('message/feedback-report');
  },
  'mailparser-large_text.eml': (email) => {
    expect(email.headers.precedence).toBe('bulk');
    expect(email.headers.listId).toContain('<ubuntu-bugs.lists.ubuntu.com>');
  },
};

describe.runIf(present)('the shared external corpus', () => {
  for (const file of files) {
    it(`parses ${file} without throwing`, async () => {
      const email = await parseEmail(readFileSync(path.join(dir, file)));
      expect(typeof email.subject).toBe('string');
      expect(typeof email.text).toBe('string');
      expect(email.text.length).toBeLessThanOrEqual(1024 * 1024);
      expect(Array.isArray(email.attachments)).toBe(true);
      MARKERS[file]?.(email);
    });
  }

  it('has the auto-generated messages the markers describe', () => {
    for (const file of Object.keys(MARKERS)) expect(files).toContain(file);
  });
});
