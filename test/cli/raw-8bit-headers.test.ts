/**
 * Issue #12, item 6, through the real CLI: `check` decides files whose Subject is raw GBK or
 * Big5 bytes exactly as their UTF-8 twins. The world (demo-shop, faults on
 * 2026-02-27 and 2026-03-02 10:00 +08:00 for 30 minutes) is written to a temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FILES, type Records } from '../../src/domain/records.ts';
import { rawHeaderMessage, TRADITIONAL_CLAIM, utf8Twin } from '../mail/raw-8bit.ts';
import { baseRecords, incident } from '../support/builders.ts';
import { jsonLines, runCli } from '../support/cli.ts';

describe('check decides raw 8-bit GBK and Big5 subjects as their UTF-8 twins', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'claim-intake-raw-8bit-'));
    const raw = baseRecords();
    raw.incidents = [
      incident('inc-0227', '2026-02-27T10:00:00+08:00', '2026-02-27T10:30:00+08:00'),
      incident('inc-0302', '2026-03-02T10:00:00+08:00', '2026-03-02T10:30:00+08:00'),
    ];
    mkdirSync(join(dir, 'records'));
    for (const kind of Object.keys(RECORD_FILES) as (keyof Records)[]) {
      writeFileSync(join(dir, 'records', RECORD_FILES[kind]), JSON.stringify(raw[kind]));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the same decision for the GBK, Big5 and UTF-8 files', async () => {
    const gbk = {
      charset: 'GBK',
      subject: '赔偿申请 账号：demo-shop 故障时间：2026-03-02 10:05 次数：1',
      fromName: '张三',
      declared: 'top-level' as const,
    };
    const big5 = {
      charset: 'Big5',
      subject: TRADITIONAL_CLAIM,
      fromName: '陳大文',
      declared: 'nowhere' as const,
    };
    const files = {
      gbk: rawHeaderMessage(gbk),
      gbkTwin: utf8Twin(gbk),
      big5: rawHeaderMessage(big5),
      big5Twin: utf8Twin(big5),
    };
    const paths = Object.entries(files).map(([name, bytes]) => {
      const path = join(dir, `${name}.eml`);
      writeFileSync(path, bytes);
      return path;
    });
    const r = await runCli([
      'check',
      ...paths,
      '--records',
      join(dir, 'records'),
      '--received',
      '2026-03-04T09:00:00+08:00',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [gbkLine, gbkTwinLine, big5Line, big5TwinLine] = jsonLines(r.stdout).map(
      ({ file: _file, ...decision }) => decision,
    );
    expect(gbkTwinLine).toMatchObject({
      type: 'compensation',
      decision: 'approved',
      amount: '100.00',
    });
    expect(gbkLine).toEqual(gbkTwinLine);
    expect(big5TwinLine).toMatchObject({ type: 'compensation', decision: 'approved' });
    expect(big5Line).toEqual(big5TwinLine);
  });
});
