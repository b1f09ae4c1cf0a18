// Polling with a deadline, and the error that says what was awaited and what was last seen.

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Checked every round: a message ends the wait at once (a process died, say). */
  abort?: () => string | null;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it returns a value other than undefined. A thrown error counts as "not yet"
 * (its message is kept for the timeout error).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let last = 'no attempt finished';
  for (;;) {
    const aborted = options.abort?.() ?? null;
    if (aborted !== null) throw new Error(`while waiting for ${what}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what} (last: ${last})`);
    await sleep(interval);
  }
}
