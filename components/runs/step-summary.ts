/** One line saying what a step did, from its status and outputs (pure). */
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { PortValue } from "../../workflows/spec/refs";
import { formatNumber, shortSha } from "../ui/format";
import type { ProgressLike } from "./step-progress";

export interface StepLike {
  type: string;
  status: string;
  error: string | null;
  outputs: unknown;
  progress?: ProgressLike | null;
}

export function stepSummary(step: StepLike): string {
  if (step.status === "skipped") return step.error ? `skipped: ${step.error}` : "skipped";
  if (step.status === "failed") return step.error ?? "failed";
  if (step.status === "cancelled") {
    const p = step.progress;
    return p?.iteration !== undefined && p.total !== undefined
      ? `cancelled at ${p.unit ?? "iteration"} ${p.iteration.toLocaleString("en-US")} / ${p.total.toLocaleString("en-US")}`
      : "cancelled";
  }
  const outputs = (step.outputs ?? {}) as Record<string, PortValue>;
  // In the order the node type declares its outputs (train before test).
  const order = resolveNodeType(step.type)?.outputs.map((p) => p.name) ?? [];
  const entries = Object.entries(outputs).sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const parts = entries.map(([port, o]) => {
    const prefix = entries.length > 1 ? `${port} ` : "";
    switch (o?.kind) {
      case "dataset":
        return `${prefix}${o.rows.toLocaleString("en-US")} rows × ${o.schema.length} cols`;
      case "model":
        return `${o.manifest.task} on ${o.manifest.target} · ${shortSha(o.sha256, 8)}`;
      case "metrics":
        return Object.entries(o.values)
          .map(([k, v]) => `${k} ${formatNumber(v)}`)
          .join(" · ");
      case "decision":
        return `${o.passed ? "passed" : "did not pass"}: ${o.reasons.join("; ")}`;
      case "deployment":
        return o.unchanged ? `unchanged: ${o.model} v${o.version} (${o.alias} not moved)` : `${o.model} v${o.version} → ${o.alias}`;
      default:
        return "";
    }
  });
  return parts.filter(Boolean).join(" · ");
}
