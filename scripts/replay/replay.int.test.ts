/**
 * The worked examples of monitoring and continuous training, end to end on
 * real PostgreSQL, Temporal, workers and serving, through the public API:
 * `seattle` closes the loop by itself (winter drift → trigger → retraining
 * on the logged days with their truth → gate.compare → canary → new
 * champion); `flights` drifts mildly for five months and never fires.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../testing/temporal-harness";
import { inProcessClient } from "../../testing/api-client";
import { flights, seattle, type ReplayOptions } from "./scenarios";

let h: Harness;
let o: ReplayOptions;
const lines: string[] = [];
beforeAll(async () => {
  h = await startHarness({ localTeam: true });
  o = { client: inProcessClient(), servingUrl: h.servingUrl, rate: 200, feedbackLagMs: 1500, log: (l) => lines.push(l), runTimeoutMs: 240_000 };
});
afterAll(async () => {
  if (lines.length) console.log(lines.join("\n"));
  await h?.stop();
});

describe("replay scenarios", () => {
  it("seattle: winter drift fires the trigger, the retrained challenger passes the gate and the canary, and becomes the champion", async () => {
    const out = await seattle(o);
    const [summer, december, january, february, after] = out.periods;
    // Summer days are what the model was trained on: nothing drifts, nothing fires.
    expect(summer!.worstFeature!.psi).toBeLessThan(0.2);
    expect(summer!.events).toEqual([]);
    // December: temp_max drifts far past 0.2 and the trigger starts the retraining pipeline.
    expect(december!.psi.temp_max).toBeGreaterThan(0.2);
    expect(december!.worstFeature?.name).toBe("temp_max");
    expect(december!.liveQuality?.mae).toBeGreaterThan(summer!.liveQuality!.mae!);
    const started = december!.events.find((e) => e.kind === "retrain.started");
    expect(started?.runId).toBeTruthy();
    // January and February drift as much, but the cooldown holds the trigger back.
    for (const p of [january!, february!]) expect(p.events.map((e) => e.kind)).toEqual(["retrain.cooldown"]);
    expect(out.retrainRun).toEqual({ id: started!.runId, status: "succeeded" });
    expect(out.championAfter).toBeGreaterThan(out.championBefore);
    // The new champion was trained on winter days: against its own profile they no longer drift.
    expect(after!.period).toBe("winter, after retraining");
    expect(after!.psi.temp_max).toBeLessThan(0.2);
    expect(after!.liveQuality!.mae!).toBeLessThan(december!.liveQuality!.mae!);
  }, 420_000);

  it("flights: February to June drift mildly (target PSI about 0.01 a month) and the 0.2 trigger never fires", async () => {
    const out = await flights({ ...o, rate: 400, rowsPerMonth: 1000, trainingRows: 20_000 });
    expect(out.periods.map((p) => p.period)).toEqual(["February", "March", "April", "May", "June"]);
    for (const p of out.periods) {
      expect(p.rows).toBe(1000);
      expect(p.worstFeature!.psi).toBeLessThan(0.2);
      expect(p.targetPsi).toBeLessThan(0.05);
      expect(p.events.filter((e) => e.kind.startsWith("retrain."))).toEqual([]);
    }
    expect(out.championAfter).toBe(out.championBefore);
  }, 420_000);
});
