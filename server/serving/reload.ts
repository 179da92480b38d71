/**
 * Hot reload: the server LISTENs for registry changes (an alias moved, a
 * model changed: Postgres NOTIFY through the source's `subscribe`) and drops
 * the registry's cached resolution of what changed, so the next request
 * resolves and loads it again; when the subscription is (re-)established,
 * everything is resolved again. A subscription that cannot be made is
 * retried with backoff (0.5 s doubling, at most 10 s) until the server stops.
 */
import type { Logger } from "../../infra/log";
import type { ModelRegistry } from "./model-registry";
import type { ServingSource } from "./source";

export interface ModelReload {
  /** Subscribes; resolves once subscribed (retrying as long as it takes), at once without a `subscribe`, never after `stop()`. */
  start(): Promise<void>;
  /** Resolves after the subscription is active (or immediately without one). */
  subscribed(): Promise<void>;
  /** Subscribed, or there is nothing to subscribe to (readiness). */
  readonly active: boolean;
  /** No more attempts; a subscription that arrives after this is dropped. */
  stop(): void;
  /** Ends the subscription, if any. */
  unlisten(): Promise<void>;
}

export function modelReload({ source, registry, log }: { source: ServingSource; registry: ModelRegistry; log: Logger }): ModelReload {
  let subscription: { unlisten(): Promise<void> } | undefined;
  let subscribedResolve: () => void = () => {};
  const subscribedPromise = new Promise<void>((r) => (subscribedResolve = r));
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;

  async function subscribe(attempt = 0): Promise<void> {
    if (!source.subscribe || stopped) return;
    try {
      const sub = await source.subscribe(
        (name) => {
          log.info({ deployment: name }, `registry change: "${name}"`);
          void registry.invalidate(name);
        },
        () => void registry.invalidateAll(),
      );
      if (stopped) {
        await sub.unlisten().catch(() => {});
        return;
      }
      subscription = sub;
      subscribedResolve();
    } catch (e) {
      const delay = Math.min(10_000, 500 * 2 ** attempt);
      log.warn({ err: e, retryMs: delay }, `cannot LISTEN for model changes (${e instanceof Error ? e.message : String(e)}); retrying in ${delay} ms`);
      await new Promise<void>((resolve) => {
        retryTimer = setTimeout(resolve, delay);
        retryTimer.unref();
      });
      return subscribe(attempt + 1);
    }
  }

  return {
    start: () => subscribe(),
    subscribed: () => (source.subscribe ? subscribedPromise : Promise.resolve()),
    get active() {
      return subscription !== undefined || !source.subscribe;
    },
    stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
    async unlisten() {
      await subscription?.unlisten().catch(() => {});
    },
  };
}
