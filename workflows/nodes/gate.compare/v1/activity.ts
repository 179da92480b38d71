import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf } from "../../step-context";
import { compareWithChampion } from "../compare";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const metrics = inputOf(ctx, "metrics", "metrics");
  if (metrics.champion === undefined) {
    throw new Error(`step ${ctx.nodeId}: its metrics come from an evaluate step that did not score the champion (compareWithChampion is off)`);
  }
  const decision = compareWithChampion(ctx.config, metrics);
  for (const r of decision.reasons) ctx.log(r, decision.passed ? "info" : "warn");
  ctx.log(decision.passed ? "gate passed" : "gate did not pass: the champion stays; downstream steps will be skipped");
  return { decision };
});
