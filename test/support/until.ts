/**
 * Waits until `condition` holds, checking every `everyMs`; fails with "timed out waiting until <what>" after
 * `timeoutMs`, so a test that waits for something that never comes says what it was waiting for instead of hanging.
 */
export async function until(what: string, condition: () => boolean, { timeoutMs = 30_000, everyMs = 10 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
