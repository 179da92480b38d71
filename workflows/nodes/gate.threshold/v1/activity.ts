import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf } from "../../step-context";
import { evaluateConditions } from "../conditions";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const metrics = inputOf(ctx, "metrics", "metrics");
  const decision = evaluateConditions(ctx.config.conditions, metrics.values);
  for (const r of decision.reasons) ctx.log(r, decision.passed ? "info" : "warn");
  ctx.log(decision.passed ? "gate passed" : "gate did not pass: downstream steps will be skipped");
  return { decision };
});
