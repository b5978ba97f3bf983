import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, without declarations
import { simplifiedMarks } from '../../scripts/simplified-marks.mjs';
import { SIMPLIFIED_MARKS } from '../../src/reply/render/simplified-marks.ts';

describe('the list of Simplified marks', () => {
  it('is what opencc-js converts today (run `node scripts/simplified-marks.mjs` after an upgrade)', () => {
    const current = [...(simplifiedMarks() as string)];
    expect(current.length).toBeGreaterThan(4000);
    expect([...SIMPLIFIED_MARKS].sort()).toEqual([...new Set(current)].sort());
  });

  it('holds the Simplified forms the desk sees, and no Traditional one', () => {
    for (const char of '账号赔偿订单费时间') expect(SIMPLIFIED_MARKS.has(char)).toBe(true);
    for (const char of '帳號賠償訂單費時間') expect(SIMPLIFIED_MARKS.has(char)).toBe(false);
  });
});
