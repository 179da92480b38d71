/**
 * Live figures per served version (requests, errors, latency histogram,
 * shadow agreement), kept in 10-second windows and flushed to the store
 * every couple of seconds, where the deployments page and a canary's
 * rollback rules read them summed over every replica. Off the request path:
 * observing is a Map update; a flush that fails keeps its counts for the
 * next one (up to a bound, then drops them and says so).
 */
import { LATENCY_BUCKETS } from "../../contract/serving";
import { STATS_WINDOW_MS, type ServingStatsRow } from "../../db/queries/deployments";
import type { Logger } from "../../infra/log";

const MAX_PENDING_ROWS = 10_000;

export class RouteStats {
  private rows = new Map<string, ServingStatsRow>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  private lastPrune = 0;

  constructor(
    private readonly write: ((rows: ServingStatsRow[]) => Promise<void>) | undefined,
    private readonly opts: { intervalMs?: number; log?: Logger; now?: () => number; prune?: () => Promise<number> } = {},
  ) {}

  private row(deployment: string, version: number, mode: "live" | "shadow"): ServingStatsRow {
    const now = this.opts.now?.() ?? Date.now();
    const windowStart = Math.floor(now / STATS_WINDOW_MS) * STATS_WINDOW_MS;
    const key = `${deployment}\u0000${version}\u0000${mode}\u0000${windowStart}`;
    let r = this.rows.get(key);
    if (!r) {
      r = {
        deployment,
        version,
        mode,
        windowStart: new Date(windowStart),
        requests: 0,
        errors: 0,
        latencyBuckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
        latencySumMs: 0,
        compared: 0,
        agreed: 0,
      };
      this.rows.set(key, r);
    }
    return r;
  }

  /** One answered request of a route (`error`: the version did not answer it, status 400 or more). */
  observe(deployment: string, version: number, mode: "live" | "shadow", error: boolean, seconds: number): void {
    const r = this.row(deployment, version, mode);
    r.requests++;
    if (error) r.errors++;
    r.latencySumMs += seconds * 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    r.latencyBuckets[i]!++;
  }

  /** A shadow's rows compared with the live answer, and how many agreed. */
  compare(deployment: string, version: number, rows: number, agreed: number): void {
    const r = this.row(deployment, version, "shadow");
    r.compared += rows;
    r.agreed += agreed;
  }

  start(): void {
    if (!this.write || this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Writes what was counted since the last flush (and, once an hour, drops figures past their retention). */
  flush(): Promise<void> {
    const now = this.opts.now?.() ?? Date.now();
    if (this.opts.prune && now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      this.opts
        .prune()
        .catch((e: unknown) => this.opts.log?.warn({ err: e }, `pruning old serving figures failed: ${e instanceof Error ? e.message : String(e)}`));
    }
    if (!this.write || this.rows.size === 0) return this.flushing ?? Promise.resolve();
    if (this.flushing) return this.flushing;
    const batch = [...this.rows.values()];
    this.rows = new Map();
    const write = this.write;
    this.flushing = (async () => {
      try {
        await write(batch);
      } catch (e) {
        if (this.rows.size + batch.length > MAX_PENDING_ROWS) {
          this.opts.log?.warn(
            { err: e, rows: batch.length },
            `serving figures dropped: the store is unreachable (${e instanceof Error ? e.message : String(e)})`,
          );
        } else {
          for (const b of batch) this.merge(b);
          this.opts.log?.warn({ err: e }, `serving figures not written yet: ${e instanceof Error ? e.message : String(e)}`);
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private merge(b: ServingStatsRow): void {
    const key = `${b.deployment}\u0000${b.version}\u0000${b.mode}\u0000${b.windowStart.getTime()}`;
    const r = this.rows.get(key);
    if (!r) {
      this.rows.set(key, b);
      return;
    }
    r.requests += b.requests;
    r.errors += b.errors;
    r.latencySumMs += b.latencySumMs;
    r.compared += b.compared;
    r.agreed += b.agreed;
    b.latencyBuckets.forEach((c, i) => (r.latencyBuckets[i]! += c));
  }

  /** Stops the timer and writes the rest. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    await this.flush();
  }
}
