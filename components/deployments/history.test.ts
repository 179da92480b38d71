import { describe, expect, it } from "vitest";
import { deploymentTimeline, describeRollout, describeRoutes, rollbackTarget, type AliasEvent, type DeploymentEvent, type Route } from "./history";

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 12, 0, s)).toISOString();
const stable: Route[] = [{ version: null, alias: "champion", weight: 100, mode: "live" }];
const canary = (w: number): Route[] => [
  { version: null, alias: "champion", weight: 100 - w, mode: "live" },
  { version: 2, alias: null, weight: w, mode: "live" },
];
const pipe = "pipeline:11111111-1111-1111-1111-111111111111";
const move = (s: number, alias: string, from: number | null, to: number | null, actor = pipe, runId: string | null = "r1"): AliasEvent => ({
  alias,
  fromVersion: from,
  toVersion: to,
  actor,
  reason: `move ${s}`,
  runId,
  pipelineName: runId ? "boston" : null,
  createdAt: at(s),
});
const event = (s: number, kind: string, from: Route[] | null, to: Route[], actor = pipe, runId: string | null = "r1"): DeploymentEvent => ({
  kind,
  fromRoutes: from,
  toRoutes: to,
  actor,
  reason: `${kind} ${s}`,
  runId,
  pipelineName: runId ? "boston" : null,
  createdAt: at(s),
});

describe("deploymentTimeline", () => {
  it("folds the promotion's alias move into it and shows alias routes with the version of the moment", () => {
    const history = [
      event(40, "promoted", canary(50), stable, pipe, "r2"),
      event(30, "canary-step", stable, canary(50), pipe, "r2"),
      event(1, "created", null, stable, pipe, "r1"),
    ];
    const aliases = [
      move(40, "champion", 1, 2, pipe, "r2"),
      move(40, "challenger", 2, null, pipe, "r2"),
      move(29, "challenger", null, 2, pipe, "r2"),
      move(0, "champion", null, 1, pipe, "r1"),
    ];
    const t = deploymentTimeline(history, aliases, "champion");
    expect(t.map((e) => e.kind)).toEqual(["promoted", "canary-step", "created"]);
    expect(describeRoutes(t[0]!.fromRoutes)).toBe("v1 50% · v2 50%");
    expect(describeRoutes(t[0]!.toRoutes)).toBe("v2 100%");
    expect(t[0]!.aliasMove).toEqual({ alias: "champion", from: 1, to: 2 });
    expect(describeRoutes(t[1]!.toRoutes)).toBe("v1 50% · v2 50%");
    expect(t[2]!.aliasMove).toEqual({ alias: "champion", from: null, to: 1 });
    expect(describeRoutes(t[2]!.toRoutes)).toBe("v1 100%");
  });

  it("lists alias moves that changed no route (a replace deploy, a move by hand) as their own entries", () => {
    const user = "user:22222222-2222-2222-2222-222222222222";
    const history = [event(1, "created", null, stable)];
    const aliases = [move(90, "champion", 2, 1, user, null), move(60, "champion", 1, 2, pipe, "r2"), move(0, "champion", null, 1)];
    const t = deploymentTimeline(history, aliases, "champion");
    expect(t.map((e) => [e.kind, e.aliasMove?.from, e.aliasMove?.to, e.actor])).toEqual([
      ["alias-moved", 2, 1, user],
      ["alias-moved", 1, 2, pipe],
      ["created", null, 1, pipe],
    ]);
    expect(t[0]!.reason).toBe("move 90");
  });

  it("does not fold a move of another actor or run", () => {
    const user = "user:2";
    const t = deploymentTimeline([event(10, "rolled-back", canary(10), stable, user, null)], [move(10, "champion", 1, 3, pipe, "r9")], "champion");
    expect(t).toHaveLength(2);
    expect(t.find((e) => e.kind === "rolled-back")!.aliasMove).toBeNull();
  });
});

describe("rollbackTarget", () => {
  it("is the version before the alias's last move to where it points now", () => {
    const events = [move(30, "champion", 2, 3), move(20, "champion", 1, 2), move(10, "champion", null, 1), move(25, "staging", 1, 3)];
    expect(rollbackTarget(events, "champion", 3)).toBe(2);
    expect(rollbackTarget(events, "champion", 1)).toBeNull();
    expect(rollbackTarget(events, "champion", undefined)).toBeNull();
    expect(rollbackTarget(events, "staging", 3)).toBe(1);
  });
});

describe("describeRollout", () => {
  const base = { challenger: 2, startedAt: at(0), stepStartedAt: at(0) };
  it("says the canary's step and weight", () => {
    expect(describeRollout({ ...base, strategy: "canary", step: 1, steps: [10, 50, 100] }, canary(50))).toBe("canary · step 2 of 3 (50%)");
  });
  it("says the A/B split and the shadow", () => {
    expect(describeRollout({ ...base, strategy: "ab" }, canary(30))).toBe("A/B · 30% to v2");
    expect(describeRollout({ ...base, strategy: "shadow" }, stable)).toBe("shadow");
  });
});
