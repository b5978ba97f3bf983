/**
 * Issue #12, item 6: the plausibility score that chooses between GB18030 and Big5 for raw
 * header bytes no charset is declared for. Real text scores high in its own charset; the
 * same bytes read in the other charset score lower.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { plausibility } from '../../src/mail/frequent-hanzi.ts';

const misread = (text: string, from: string, as: string): string =>
  iconv.decode(iconv.encode(text, from), as);

describe('plausibility of a decoding', () => {
  it('is 1 for Simplified text in GB18030 and Traditional text in Big5', () => {
    expect(plausibility('关于服务中断的赔偿申请：请尽快处理。', 'gb18030')).toBe(1);
    expect(plausibility('關於服務中斷的賠償申請：請盡快處理。', 'big5')).toBe(1);
  });

  it('is lower for GBK bytes read as Big5', () => {
    const text = '服务器无法访问，请尽快处理';
    expect(plausibility(misread(text, 'gbk', 'big5'), 'big5')).toBeLessThan(0.6);
  });

  it('is lower for Big5 bytes read as GB18030', () => {
    const text = '伺服器無法連線，請盡快處理';
    expect(plausibility(misread(text, 'big5', 'gb18030'), 'gb18030')).toBeLessThan(0.6);
  });

  it('is 1 for text without any non-ASCII character', () => {
    expect(plausibility('Compensation claim', 'gb18030')).toBe(1);
  });
});
