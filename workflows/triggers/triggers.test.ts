import { describe, expect, it } from "vitest";
import { compile } from "../compiler/compile";
import { ZTrigger, describeTrigger } from "./registry";
import { nextFireTimes } from "./schedule";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const withTriggers = (triggers: unknown[], params: unknown[] = []) => ({ ...structuredClone(boston), params, triggers });

describe("triggers", () => {
  it("describes each trigger for people", () => {
    expect(describeTrigger(ZTrigger.parse({ type: "schedule", cron: "0 2 * * *", timezone: "Europe/Berlin" }))).toBe("at 02:00, every day (Europe/Berlin)");
    expect(describeTrigger(ZTrigger.parse({ type: "schedule", cron: "*/15 9-17 * * 1-5" }))).toBe(
      "every 15 minutes, between 09:00 and 17:59, Monday through Friday (UTC)",
    );
    expect(describeTrigger(ZTrigger.parse({ type: "dataset", dataset: "flights" }))).toBe('when a new version of dataset "flights" is uploaded');
  });

  it("computes the next fire times in the trigger's time zone", () => {
    const from = new Date("2026-03-28T12:00:00Z"); // Berlin moves to summer time on 29 March
    const times = nextFireTimes({ cron: "0 2 * * *", timezone: "Europe/Berlin" }, 3, from).map((d) => d.toISOString());
    expect(times[0]).toBe("2026-03-29T01:00:00.000Z"); // 02:00 CET... is skipped at 02:00 → 03:00 CEST = 01:00Z
    expect(times[2]).toBe("2026-03-31T00:00:00.000Z"); // 02:00 CEST
    expect(nextFireTimes({ cron: "nope", timezone: "UTC" })).toEqual([]);
  });

  it("a spec with a bad cron, time zone, trigger type or schedule param is refused, naming the trigger and field", () => {
    const bad = compile(
      withTriggers(
        [
          { type: "schedule", cron: "61 * * * *" },
          { type: "schedule", cron: "0 2 * *", timezone: "Mars/Olympus" },
          { type: "schedule", cron: "@daily", params: { month: 3, nope: "x" } },
        ],
        [{ name: "month", type: "string" }],
      ),
    );
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors;
    expect(errors.map((e) => e.field)).toEqual([
      "triggers[0].cron",
      "triggers[1].cron",
      "triggers[1].timezone",
      "triggers[2].params.month",
      "triggers[2].params.nope",
    ]);
    expect(errors[0]!.message).toBe('trigger 1 (schedule): "61 * * * *" is not a valid cron expression: Constraint error, got value 61 expected range 0-59');
    expect(errors[2]!.message).toContain('"Mars/Olympus" is not a time zone');
    const unknownType = compile(withTriggers([{ type: "cron" }]));
    expect(unknownType.ok ? [] : unknownType.errors).toEqual([expect.objectContaining({ field: "triggers[0].type" })]);
    expect(
      compile(withTriggers([{ type: "schedule", cron: "0 2 * * 1-5", timezone: "Europe/Berlin" }, { type: "webhook" }, { type: "dataset", dataset: "x" }])).ok,
    ).toBe(true);
  });

  it("a drift trigger defaults to psi and a day's cooldown, and refuses a bad metric, threshold or cooldown by field", () => {
    const t = ZTrigger.parse({ type: "drift", deployment: "seattle-weather", threshold: 0.2, features: ["temp_max"] });
    expect(t).toMatchObject({ metric: "psi", cooldown: "1d", features: ["temp_max"] });
    expect(describeTrigger(t)).toBe('when psi of temp_max of deployment "seattle-weather" is above 0.2 (cooldown 1d)');
    expect(describeTrigger(ZTrigger.parse({ type: "drift", deployment: "d", metric: "accuracy", threshold: 0.8 }))).toBe(
      'when accuracy of deployment "d" is below 0.8 (cooldown 1d)',
    );
    const fields = (triggers: unknown[]) => {
      const r = compile(withTriggers(triggers));
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(
      fields([
        { type: "drift", deployment: "d", metric: "median", threshold: 0.2 },
        { type: "drift", deployment: "d", threshold: 0.2, cooldown: "soon" },
      ]),
    ).toEqual(expect.arrayContaining(["triggers[0].metric", "triggers[1].cooldown"]));
    expect(fields([{ type: "drift", deployment: "d", metric: "psi", threshold: -1 }])).toEqual(["triggers[0].threshold"]);
  });
});
