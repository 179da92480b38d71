/**
 * Which steps of a new run can take their outputs from an earlier run instead
 * of running again (retry, and resume after an edit): a step whose node is
 * the same type, version and config, fed from the same places, whose every
 * upstream step is reused too, and that succeeded in the earlier run.
 * Deploy steps always run again: a deployment is an effect, not an output.
 */
import type { PipelinePlan, PlanStep } from "./plan";

const stable = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

const sameStep = (a: PlanStep, b: PlanStep) =>
  a.type === b.type && a.version === b.version && stable(a.config) === stable(b.config) && stable(a.inputs) === stable(b.inputs);

export function reusableSteps<O>(earlier: PipelinePlan, next: PipelinePlan, succeeded: ReadonlyMap<string, O>, params = true): Map<string, O> {
  const before = new Map(earlier.steps.map((s) => [s.nodeId, s]));
  const reused = new Map<string, O>();
  if (params && stable(earlier.params) !== stable(next.params)) return reused;
  for (const step of next.steps) {
    const old = before.get(step.nodeId);
    const outputs = succeeded.get(step.nodeId);
    if (!old || outputs === undefined || step.type.startsWith("deploy.")) continue;
    if (!sameStep(old, step) || !step.dependsOn.every((d) => reused.has(d))) continue;
    reused.set(step.nodeId, outputs);
  }
  return reused;
}
