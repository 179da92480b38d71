/**
 * When the supervisor restarts a crashed process: 1 s, 2 s, 4 s … up to 30 s
 * between attempts; a process that stayed up for a minute starts over at 1 s.
 */
export const RESTART_MIN_MS = 1_000;
export const RESTART_MAX_MS = 30_000;
export const STABLE_AFTER_MS = 60_000;

export class RestartBackoff {
  private failures = 0;

  /** Delay before the next start, given how long the process ran before it died. */
  next(uptimeMs: number): number {
    if (uptimeMs >= STABLE_AFTER_MS) this.failures = 0;
    const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** this.failures);
    this.failures++;
    return delay;
  }

  /** How many restarts in a row so far (for the log line). */
  get count(): number {
    return this.failures;
  }
}
