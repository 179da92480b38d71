/**
 * The heartbeat of one executeStep attempt. A ticker heartbeats every two
 * seconds (a third of the heartbeat timeout when that is shorter) with the
 * latest progress, so every step heartbeats while it runs, and the run's
 * cancellation reaches the attempt within seconds (the worker sends at most
 * one heartbeat per maxHeartbeatThrottleInterval, worker.ts). Progress goes
 * into the step's row at most once a second (fenced: only while this attempt
 * owns the step). A step done within its first tick costs neither a heartbeat
 * nor a progress write.
 *
 * The ticker also watches the event loop: when two heartbeats are further
 * apart than the heartbeat timeout, the server has given this attempt up
 * (and may have started another), so its results must not be written —
 * `lostFor` says so.
 */
import type { Context } from "@temporalio/activity";
import type { StepProgress } from "../../db/schema";

export type ProgressUpdate = Omit<StepProgress, "attempt" | "updatedAt">;

const MAX_TICK_MS = 2_000;
const WRITE_EVERY_MS = 1_000;

export class StepHeartbeat {
  private latest: ProgressUpdate = { phase: "starting" };
  private lastBeat = performance.now();
  private longestGap = 0;
  private readonly timeoutMs: number;
  private readonly ticker: NodeJS.Timeout;
  /** The first progress write waits a second too: short steps never write one. */
  private lastWrite = performance.now();
  private writeTimer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly actx: Context,
    private readonly write: (p: StepProgress) => Promise<unknown>,
  ) {
    this.timeoutMs = actx.info.heartbeatTimeoutMs ?? 0;
    const tick = Math.min(MAX_TICK_MS, this.timeoutMs > 0 ? this.timeoutMs / 3 : MAX_TICK_MS);
    this.ticker = setInterval(() => this.beat(), tick);
  }

  /** Heartbeat details: the progress, and which attempt sends it. */
  details(): StepProgress {
    return { ...this.latest, attempt: this.actx.info.attempt, updatedAt: new Date().toISOString() };
  }

  /** The latest progress (what the step is doing): the next heartbeat carries it, and it is written to the step soon. */
  report(p: ProgressUpdate): void {
    if (this.stopped) return;
    this.latest = p;
    this.scheduleWrite();
  }

  /** A heartbeat with the latest progress (node activities waiting on something call it). */
  beat(): void {
    if (this.stopped) return;
    const now = performance.now();
    this.longestGap = Math.max(this.longestGap, now - this.lastBeat);
    this.lastBeat = now;
    this.actx.heartbeat(this.details());
  }

  /** Milliseconds of the longest silence beyond the heartbeat timeout, or 0 if the attempt never went silent that long. */
  lostFor(): number {
    if (this.timeoutMs <= 0) return 0;
    const gap = Math.max(this.longestGap, performance.now() - this.lastBeat);
    return gap > this.timeoutMs ? gap : 0;
  }

  /** Where the step was, for a log line: " at tree 140 / 3000", " while reading the training data". */
  where(): string {
    const p = this.latest;
    if (p.iteration !== undefined && p.total !== undefined) return ` at ${p.unit ?? "iteration"} ${p.iteration} / ${p.total}`;
    return p.phase === "starting" ? "" : ` while ${p.phase}`;
  }

  private scheduleWrite(): void {
    if (this.writeTimer) return;
    const wait = Math.max(0, this.lastWrite + WRITE_EVERY_MS - performance.now());
    this.writeTimer = setTimeout(() => {
      this.writeTimer = undefined;
      if (this.stopped) return;
      this.lastWrite = performance.now();
      const p = this.details();
      // A database that is down only loses progress lines; the step goes on.
      this.writing = this.writing.then(() => this.write(p)).catch(() => {});
    }, wait);
  }

  /** Stops the ticker and pending writes; resolves when a write in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.writeTimer);
    await this.writing;
  }
}
