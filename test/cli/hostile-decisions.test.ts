/**
 * Hostile and oversized inputs, generated here, each yield a decision from the whole
 * engine (parse → classify → extract → decide) and from the real CLI; none crashes it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/domain/assess/engine.ts';
import { parseEmail } from '../../src/mail/parse.ts';
import { contextOf } from '../support/builders.ts';
import { jsonLines, REPO_ROOT, runCli } from '../support/cli.ts';
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

const DECISIONS = ['approved', 'rejected', 'needs_info', 'review', 'ignored'];
const ctx = contextOf();

const CASES: [string, () => Buffer][] = [
  ['3,000-deep multipart nesting', () => deepMultipart(3000)],
  ['20,000 parts', () => manyParts(20_000)],
  ['a 3 MB header', () => hugeHeader(3 * 2 ** 20)],
  ['a 3 MB single-line header', () => hugeHeader(3 * 2 ** 20, true)],
  ['an 8 MB line', () => longLine(8 * 2 ** 20)],
  ['NUL bytes', () => nulBytes()],
  ['broken base64', () => brokenBase64()],
  ['broken encoded words', () => brokenEncodedWords()],
  ['200,000 nested HTML elements', () => nestedHtml(200_000)],
  ['a 3 MB format=flowed text full of URLs', () => flowedUrls(3 * 2 ** 20)],
  ['an empty file', () => Buffer.alloc(0)],
  ['1 MB of random bytes', () => randomGarbage(2 ** 20)],
];

describe('every hostile input yields a decision from the engine', () => {
  for (const [name, make] of CASES) {
    it(name, async () => {
      const a = assess({ email: await parseEmail(make()), receivedAt: Date.now() }, ctx);
      expect(DECISIONS).toContain(a.decision);
      expect(a.reasons.length).toBeGreaterThan(0);
    });
  }

  it('a 35 MB email with a 25 MB attachment', async () => {
    const before = process.memoryUsage().rss;
    const { raw } = bigAttachment(25 * 2 ** 20, 35 * 2 ** 20);
    const a = assess({ email: await parseEmail(raw), receivedAt: Date.now() }, ctx);
    expect(a).toMatchObject({ type: 'unknown', decision: 'review', reasons: ['unclassified'] });
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 2 ** 20);
  });
});

describe('the real CLI decides hostile files and exits 0', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'claim-intake-hostile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one decision per hostile file, in order', async () => {
    const files = CASES.map(([name, make], i) => {
      const file = join(dir, `${i}.eml`);
      writeFileSync(file, make());
      return { name, file };
    });
    const big = join(dir, 'big.eml');
    writeFileSync(big, bigAttachment(25 * 2 ** 20, 35 * 2 ** 20).raw);
    const all = [...files.map((f) => f.file), big];
    const r = await runCli(['check', ...all, '--records', join(REPO_ROOT, 'examples/records')]);
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.file)).toEqual(all);
    for (const line of lines) expect(DECISIONS).toContain(line.decision);
  });
});
