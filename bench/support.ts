/** What every benchmark prints with: rates, megabytes, percentiles, the service's problems, clean-up. */

export const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
export const mb = (kb: number) => (kb / 1024).toFixed(0);
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p-th percentile (nearest rank) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The service's warnings and errors collected during the run, the first ten printed. */
export function printProblems(problems: string[]): void {
  if (problems.length === 0) return;
  console.log(`service warnings/errors (${problems.length}):`);
  for (const p of problems.slice(0, 10)) console.log(`  ${p}`);
}

/** Runs each clean-up step that exists, in order; one failing does not skip the others. */
export async function cleanUp(
  steps: [string, (() => Promise<unknown>) | undefined][],
): Promise<void> {
  for (const [name, step] of steps) {
    await step?.().catch((error: unknown) => console.error(`cleanup ${name} failed:`, error));
  }
}
