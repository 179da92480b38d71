/**
 * What a deployment did, in one timeline: its route changes (rollouts,
 * promotions, rollbacks) and the moves of the alias its stable route follows
 * (a replace deploy or a move by hand changes which version answers without
 * changing the routes). An alias move made together with a route change (a
 * promotion moves the alias, then the routes) is folded into it. Routes that
 * follow the alias are shown with the version it pointed at then. Pure.
 */
import { toDate } from "../ui/format";

export interface Route {
  version: number | null;
  alias: string | null;
  weight: number;
  mode: "live" | "shadow";
}

export interface DeploymentEvent {
  kind: string;
  fromRoutes: Route[] | null;
  toRoutes: Route[];
  actor: string;
  reason: string;
  runId: string | null;
  pipelineName: string | null;
  createdAt: string | Date;
}

export interface AliasEvent {
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  actor: string;
  reason: string;
  runId: string | null;
  pipelineName: string | null;
  createdAt: string | Date;
}

export interface TimelineEntry {
  /** A deployment event's kind, or "alias-moved" / "alias-removed". */
  kind: string;
  fromRoutes: Route[] | null;
  toRoutes: Route[] | null;
  aliasMove: { alias: string; from: number | null; to: number | null } | null;
  actor: string;
  reason: string;
  runId: string | null;
  pipelineName: string | null;
  at: Date;
}

/** An alias move and a route change by the same actor and run this close together are one act. */
const FOLD_MS = 5_000;

const time = (v: string | Date) => toDate(v)?.getTime() ?? 0;

/** Newest first. `aliasEvents` may hold every alias of the model: only `alias`'s count. */
export function deploymentTimeline(history: readonly DeploymentEvent[], aliasEvents: readonly AliasEvent[], alias: string): TimelineEntry[] {
  const moves = aliasEvents.filter((e) => e.alias === alias).sort((a, b) => time(a.createdAt) - time(b.createdAt));
  /** The alias's version just after `t` (moves at `t` included), or just before it. */
  const aliasAt = (t: number, includeAt = true): number | null => {
    let v: number | null = moves[0]?.fromVersion ?? null;
    for (const m of moves) {
      const mt = time(m.createdAt);
      if (mt < t || (includeAt && mt === t)) v = m.toVersion;
    }
    return v;
  };
  const resolve = (routes: Route[] | null, version: number | null): Route[] | null =>
    routes?.map((r) => (r.version === null && r.alias === alias ? { ...r, version } : r)) ?? null;

  const events = [...history].sort((a, b) => time(a.createdAt) - time(b.createdAt));
  const folded = new Map<number, AliasEvent>();
  const used = new Set<AliasEvent>();
  events.forEach((e, i) => {
    const t = time(e.createdAt);
    let best: AliasEvent | undefined;
    for (const m of moves) {
      if (used.has(m) || m.actor !== e.actor || m.runId !== e.runId) continue;
      const d = t - time(m.createdAt);
      if (d < -1000 || d > FOLD_MS) continue;
      if (!best || Math.abs(d) < Math.abs(t - time(best.createdAt))) best = m;
    }
    if (best) {
      used.add(best);
      folded.set(i, best);
    }
  });

  const out: TimelineEntry[] = events.map((e, i) => {
    const t = time(e.createdAt);
    const move = folded.get(i);
    const after = aliasAt(Math.max(t, move ? time(move.createdAt) : t));
    const before = move ? move.fromVersion : aliasAt(t, false);
    return {
      kind: e.kind,
      fromRoutes: resolve(e.fromRoutes, before),
      toRoutes: resolve(e.toRoutes, after),
      aliasMove: move ? { alias, from: move.fromVersion, to: move.toVersion } : null,
      actor: e.actor,
      reason: e.reason,
      runId: e.runId,
      pipelineName: e.pipelineName,
      at: toDate(e.createdAt) ?? new Date(0),
    };
  });
  for (const m of moves) {
    if (used.has(m)) continue;
    out.push({
      kind: m.toVersion === null ? "alias-removed" : "alias-moved",
      fromRoutes: null,
      toRoutes: null,
      aliasMove: { alias, from: m.fromVersion, to: m.toVersion },
      actor: m.actor,
      reason: m.reason,
      runId: m.runId,
      pipelineName: m.pipelineName,
      at: toDate(m.createdAt) ?? new Date(0),
    });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime());
}

/**
 * Where rolling `alias` back goes: the version it pointed at before its last
 * move to where it points now (the server's rule for a stable deployment's
 * rollback). Null when it has no earlier version.
 */
export function rollbackTarget(events: readonly AliasEvent[], alias: string, current: number | undefined): number | null {
  if (current === undefined) return null;
  const newestFirst = [...events].sort((a, b) => time(b.createdAt) - time(a.createdAt));
  const last = newestFirst.find((e) => e.alias === alias && e.toVersion === current && e.fromVersion !== null);
  return last?.fromVersion ?? null;
}

/** "v1 90% · v2 10%", "v1 100% · v2 shadow"; an alias route without a version is "@champion". */
export function describeRoutes(routes: readonly Route[] | null): string {
  if (!routes || routes.length === 0) return "nothing";
  return routes
    .map((r) => {
      const ref = r.version !== null ? `v${r.version}` : `@${r.alias ?? "?"}`;
      return r.mode === "shadow" ? `${ref} shadow` : `${ref} ${r.weight}%`;
    })
    .join(" · ");
}

export interface RolloutView {
  strategy: "canary" | "shadow" | "ab";
  challenger: number;
  step?: number;
  steps?: number[];
  startedAt: string;
  stepStartedAt: string;
}

/** "canary · step 1 of 3 (10%)", "shadow", "A/B 50%". */
export function describeRollout(r: RolloutView, routes: readonly Route[]): string {
  if (r.strategy === "canary" && r.steps && r.step !== undefined) return `canary · step ${r.step + 1} of ${r.steps.length} (${r.steps[r.step]}%)`;
  if (r.strategy === "shadow") return "shadow";
  const w = routes.find((x) => x.version === r.challenger && x.alias === null && x.mode === "live")?.weight;
  return w !== undefined ? `A/B · ${w}% to v${r.challenger}` : "A/B";
}

const KIND_LABEL: Record<string, string> = {
  created: "created",
  updated: "updated",
  "canary-step": "canary step",
  "shadow-started": "shadow started",
  "ab-started": "A/B started",
  promoted: "promoted",
  "rolled-back": "rolled back",
  "alias-moved": "alias moved",
  "alias-removed": "alias removed",
};

export const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind;
