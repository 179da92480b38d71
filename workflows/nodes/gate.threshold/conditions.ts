import { z } from "zod";
import { METRIC_NAMES } from "../../spec/metrics";
import type { DecisionRef } from "../../spec/refs";

/** One condition of a gate (every version of gate.threshold). */
export const ZCondition = z.object({
  metric: z.enum(METRIC_NAMES, { error: `metric must be one of ${METRIC_NAMES.join(", ")}` }).describe("Metric of the evaluate step (see Metrics)"),
  op: z.enum([">=", ">", "<=", "<", "=="]).describe("Comparison"),
  value: z.number().finite().describe("Threshold"),
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
