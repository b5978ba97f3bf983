/**
 * The service's heap policy (src/ops/heap-policy.ts), in a process of its own: the same
 * churn of short-lived objects over a fixed live set peaks far lower with it than without.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const POLICY = new URL('../../src/ops/heap-policy.ts', import.meta.url).href;

/** Peak RSS (MB) of a child that keeps ~30 MB live and allocates a few GB of garbage. */
function peakRss(withPolicy: boolean): number {
  const script = `
    ${withPolicy ? `const { keepHeapNearLiveData } = await import(${JSON.stringify(POLICY)}); keepHeapNearLiveData();` : ''}
    const live = [];
    for (let i = 0; i < 300000; i++) live.push({ i, s: 'x'.repeat(20) + i });
    let junk = [];
    let peak = 0;
    for (let r = 0; r < 3000; r++) {
      for (let i = 0; i < 2000; i++) junk.push({ a: i, b: 'y' + i + r, c: [i, i + 1] });
      if (junk.length > 60000) junk = [];
      if (r % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    process.stdout.write(String(Math.round(peak / 2 ** 20)) + ' ' + live.length);
  `;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8' },
  );
  const [mb, live] = out.trim().split(' ').map(Number);
  expect(live).toBe(300000);
  return mb!;
}

describe('the heap policy', () => {
  it('keeps the heap near the live data under a churn of garbage', () => {
    const without = peakRss(false);
    const withPolicy = peakRss(true);
    // Seen here: about 300 MB without, 160 MB with.
    expect(withPolicy).toBeLessThan(without * 0.8);
  });
});
