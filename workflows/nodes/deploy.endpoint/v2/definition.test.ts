/** deploy.endpoint@2's rollout rules as a config: the live-quality rules parse with their defaults, and a shadow promotion needs a rule. */
import { describe, expect, it } from "vitest";
import def from "./definition";

const parse = (config: Record<string, unknown>) => def.config.safeParse({ model: "m", ...config });
const messages = (config: Record<string, unknown>) => {
  const r = parse(config);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("deploy.endpoint@2 quality rules", () => {
  it("canary minLiveMetric and shadow minImprovement parse, with minLabelled defaults", () => {
    const canary = parse({ strategy: "canary", canary: { steps: [10, 100], rollback: { minLiveMetric: { metric: "mae", value: 5 } } } });
    expect(canary.success && canary.data.canary?.rollback.minLiveMetric).toEqual({ metric: "mae", value: 5, minLabelled: 20 });
    const shadow = parse({ strategy: "shadow", shadow: { promote: { minImprovement: 0.02 } } });
    expect(shadow.success && shadow.data.shadow?.promote).toEqual({ minImprovement: 0.02, minCompared: 100, minLabelled: 100 });
  });

  it("refuses a promotion with no rule, an unknown metric, a negative improvement, naming the field", () => {
    expect(messages({ strategy: "shadow", shadow: { promote: { minCompared: 10 } } })).toEqual([
      "shadow.promote: shadow.promote needs minAgreement or minImprovement (or both)",
    ]);
    expect(messages({ strategy: "canary", canary: { steps: [100], rollback: { minLiveMetric: { metric: "psi", value: 1 } } } })[0]).toMatch(
      /^canary\.rollback\.minLiveMetric\.metric: metric must be one of accuracy, f1, auc, r2, mae, rmse, logloss/,
    );
    expect(messages({ strategy: "shadow", shadow: { promote: { minImprovement: -0.1 } } })[0]).toMatch(/^shadow\.promote\.minImprovement: /);
  });
});
