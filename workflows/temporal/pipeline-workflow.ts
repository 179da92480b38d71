/**
 * The pipeline workflow: a small deterministic interpreter over a compiled
 * plan (after the SDK's DSL interpreter sample). Steps start as soon as their
 * inputs are ready, so independent branches run in parallel. No I/O here:
 * every effect is an activity.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from "@temporalio/workflow";
import { ZPipelinePlan, type PlanStep } from "../compiler/plan";
import type { createActivities } from "./activities";
import { stepActivityOptions, type PipelineRunInput, type PipelineRunResult, type StepSummary } from "./contracts";
import type { PortValue, StepOutputs } from "../spec/refs";

type Activities = ReturnType<typeof createActivities>;

// Bookkeeping (run/step status rows) runs as local activities: short DB
// writes that need no task-queue round trip (≈100 ms each on a dev server).
const control = proxyLocalActivities<Activities>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10, initialInterval: "500ms" },
});

function errorMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}

export async function pipelineRun(input: PipelineRunInput): Promise<PipelineRunResult> {
  const plan = ZPipelinePlan.parse(input.plan);
  const run = { runId: input.runId, teamId: input.teamId, pipelineId: input.pipelineId, pipelineVersion: input.pipelineVersion };
  const outputs = new Map<string, StepOutputs>();
  const summaries = new Map<string, StepSummary>();
  const done = new Map<string, Promise<void>>();

  async function skip(step: PlanStep, reason: string, gated: boolean): Promise<void> {
    summaries.set(step.nodeId, { nodeId: step.nodeId, status: "skipped", reason, ...(gated ? { gated } : {}) });
    await control.stepSkipped({ runId: run.runId, nodeId: step.nodeId, reason });
  }

  async function execute(step: PlanStep): Promise<void> {
    await Promise.all(step.dependsOn.map((d) => done.get(d)!));
    const blocked = step.dependsOn.map((d) => summaries.get(d)!).find((s) => s.status !== "succeeded");
    if (blocked) return skip(step, `upstream step "${blocked.nodeId}" ${blocked.status === "failed" ? "failed" : "was skipped"}`, blocked.gated === true);
    const inputs: Record<string, PortValue> = {};
    for (const [port, src] of Object.entries(step.inputs)) {
      const value = outputs.get(src.nodeId)?.[src.port];
      if (!value) throw ApplicationFailure.nonRetryable(`step ${step.nodeId}: output ${src.nodeId}.${src.port} is missing`);
      if (value.kind === "decision" && !value.passed) {
        return skip(step, `gate "${src.nodeId}" did not pass: ${value.reasons.filter((r) => r.endsWith("✗")).join("; ")}`, true);
      }
      inputs[port] = value;
    }
    const reused = input.reuse?.outputs[step.nodeId];
    if (reused && input.reuse) {
      await control.stepReused({ runId: run.runId, nodeId: step.nodeId, fromRunId: input.reuse.runId, outputs: reused });
      outputs.set(step.nodeId, reused);
      summaries.set(step.nodeId, { nodeId: step.nodeId, status: "succeeded", cached: true });
      return;
    }
    const { executeStep } = proxyActivities<Activities>(stepActivityOptions(step, workflowInfo().taskQueue));
    try {
      const result = await executeStep({ run, step, params: plan.params, inputs });
      outputs.set(step.nodeId, result.outputs);
      summaries.set(step.nodeId, { nodeId: step.nodeId, status: "succeeded", cached: result.cached });
    } catch (err) {
      if (isCancellation(err)) throw err;
      const reason = errorMessage(err);
      summaries.set(step.nodeId, { nodeId: step.nodeId, status: "failed", reason });
      await control.stepFailed({ runId: run.runId, nodeId: step.nodeId, error: reason });
    }
  }

  await control.runStarted({ runId: run.runId, workflowId: workflowInfo().workflowId });
  try {
    for (const step of plan.steps) done.set(step.nodeId, execute(step));
    await Promise.all(done.values());
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => control.runFinished({ runId: run.runId, status: "cancelled", error: "cancelled" }));
      throw err;
    }
    await control.runFinished({ runId: run.runId, status: "failed", error: errorMessage(err) });
    throw err;
  }
  const steps = plan.steps.map((s) => summaries.get(s.nodeId)!);
  const failed = steps.filter((s) => s.status === "failed");
  // A gate that said no blocks the run: it finished, but its downstream did not happen.
  const gates = steps.filter((s) => s.gated && s.reason?.startsWith("gate "));
  const status = failed.length ? "failed" : gates.length ? "blocked" : "succeeded";
  await control.runFinished({
    runId: run.runId,
    status,
    error: failed.length
      ? failed.map((f) => `${f.nodeId}: ${f.reason}`).join("\n")
      : gates.length
        ? [...new Set(gates.map((g) => g.reason!))].join("\n")
        : null,
  });
  return { status, steps };
}
