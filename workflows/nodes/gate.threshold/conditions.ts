import { z } from "zod";
import { METRIC_NAMES, thresholdProblem } from "../../spec/metrics";
import type { DecisionRef } from "../../spec/refs";

/** One condition of a gate (every version of gate.threshold); a threshold outside the metric's range (accuracy 1.5, mae -1) is refused. */
export const ZCondition = z
  .object({
    metric: z.enum(METRIC_NAMES, { error: `metric must be one of ${METRIC_NAMES.join(", ")}` }).describe("Metric of the evaluate step (see Metrics)"),
    op: z.enum([">=", ">", "<=", "<", "=="]).describe("Comparison"),
    value: z.number().finite().describe("Threshold, within the metric's range (e.g. 0–1 for accuracy, at most 1 for r2, never negative for mae)"),
  })
  .superRefine((c, ctx) => {
    const problem = thresholdProblem(c.metric, c.value);
    if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
  });

type Condition = z.infer<typeof ZCondition>;

const OPS: Record<Condition["op"], (a: number, b: number) => boolean> = {
  ">=": (a, b) => a >= b,
  ">": (a, b) => a > b,
  "<=": (a, b) => a <= b,
  "<": (a, b) => a < b,
  "==": (a, b) => a === b,
};

/** Pure: every condition must hold; a metric that is absent fails its condition. */
export function evaluateConditions(conditions: Condition[], values: Record<string, number>): DecisionRef {
  const reasons: string[] = [];
  let passed = true;
  for (const c of conditions) {
    const v = values[c.metric];
    if (v === undefined || Number.isNaN(v)) {
      passed = false;
      reasons.push(`${c.metric} is not among the metrics (${Object.keys(values).join(", ") || "none"}) ✗`);
      continue;
    }
    const ok = OPS[c.op](v, c.value);
    passed &&= ok;
    reasons.push(`${c.metric} ${+v.toPrecision(4)} ${c.op} ${c.value} ${ok ? "✓" : "✗"}`);
  }
  return { kind: "decision", passed, reasons, metrics: values };
}
