/** Tests wait for conditions, never for fixed times: poll until true or fail with a message. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 50, message = 'condition not met' }: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      // A throwing condition counts as "not yet" (e.g. connection refused while starting up),
      // but its error is reported if the wait times out.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message}${cause}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
