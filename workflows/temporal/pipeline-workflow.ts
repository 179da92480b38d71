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
  condition,
  defineUpdate,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from "@temporalio/workflow";
import { ZPipelinePlan, type PlanStep } from "../compiler/plan";
import type { createActivities } from "./activities";
import type { createLifecycleActivities } from "./lifecycle-activities";
import {
  APPROVAL_DECIDE_UPDATE,
  stepActivityOptions,
  type ApprovalDecision,
  type ApprovalOutcome,
  type Continuation,
  type ExecuteStepResult,
  type PipelineRunInput,
  type PipelineRunResult,
  type StepSummary,
} from "./contracts";
import type { DecisionRef, DeploymentRef, PortValue, StepOutputs } from "../spec/refs";
import { deploymentRollout } from "./rollout-workflow";

type Activities = ReturnType<typeof createActivities>;
type Lifecycle = ReturnType<typeof createLifecycleActivities>;

/** A person approves or rejects a pending gate.approval step of this run. */
export const approvalDecide = defineUpdate<ApprovalOutcome, [ApprovalDecision]>(APPROVAL_DECIDE_UPDATE);

// Bookkeeping (run/step status rows) runs as local activities: short DB
// writes that need no task-queue round trip (≈100 ms each on a dev server).
const control = proxyLocalActivities<Activities>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10, initialInterval: "500ms" },
});

const lifecycle = proxyActivities<Lifecycle>({
  startToCloseTimeout: "30 seconds",
  retry: { initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "30 seconds", maximumAttempts: 20 },
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
  /** The outcomes of this run's approvals, by step. */
  const outcomes = new Map<string, ApprovalOutcome>();
  setHandler(
    approvalDecide,
    async (d) => {
      const outcome = await lifecycle.approvalDecide({
        approvalId: d.approvalId,
        runId: run.runId,
        nodeId: d.nodeId,
        status: d.decision === "approve" ? "approved" : "rejected",
        actor: d.actor,
        comment: d.comment,
      });
      if (outcome.status !== "pending") outcomes.set(d.nodeId, outcome);
      return outcome;
    },
    {
      // The approval may be decided before this workflow has seen its step's activity finish (the row exists
      // first): the decision activity checks that the approval is this run's and this step's.
      validator: (d: ApprovalDecision) => {
        const o = outcomes.get(d.nodeId);
        if (o) throw new Error(`approval ${d.approvalId} was already ${o.status}${o.decidedBy ? ` by ${o.decidedBy}` : ""}`);
      },
    },
  );

  /** Waits for a person's decision (or the deadline) on an approval the step created; the step's decision output. */
  async function awaitApproval(step: PlanStep, c: Extract<Continuation, { kind: "approval" }>, outputs: StepOutputs): Promise<StepOutputs> {
    try {
      const decided = await condition(() => outcomes.has(step.nodeId), c.timeoutSeconds * 1000);
      if (!decided) {
        const outcome = await lifecycle.approvalDecide({
          approvalId: c.approvalId,
          runId: run.runId,
          nodeId: step.nodeId,
          status: "expired",
          actor: "conveyor",
          comment: `no decision within ${c.timeoutSeconds} s`,
        });
        outcomes.set(step.nodeId, outcome);
      }
    } catch (err) {
      if (isCancellation(err) && !outcomes.has(step.nodeId)) {
        await CancellationScope.nonCancellable(() =>
          lifecycle.approvalDecide({
            approvalId: c.approvalId,
            runId: run.runId,
            nodeId: step.nodeId,
            status: "expired",
            actor: "conveyor",
            comment: "the run was cancelled",
          }),
        );
      }
      throw err;
    }
    const o = outcomes.get(step.nodeId)!;
    const pending = outputs[c.decisionPort] as DecisionRef;
    const who = o.decidedBy ? ` by ${o.decidedBy}` : "";
    const reason =
      o.status === "approved"
        ? `approved${who}${o.comment ? `: ${o.comment}` : ""} ✓`
        : o.status === "rejected"
          ? `rejected${who}${o.comment ? `: ${o.comment}` : ""} ✗`
          : `${o.comment ?? "expired"}: rejected ✗`;
    return { ...outputs, [c.decisionPort]: { ...pending, passed: o.status === "approved", reasons: [...pending.reasons, reason] } };
  }

  /** Runs a deployment's rollout as a child workflow; the deploy step fails when the challenger was not promoted. */
  async function awaitRollout(c: Extract<Continuation, { kind: "rollout" }>, outputs: StepOutputs): Promise<{ outputs: StepOutputs; failed?: string }> {
    const r = await executeChild(deploymentRollout, { args: [c.rollout], workflowId: c.rollout.workflowId });
    const dep = outputs[c.deploymentPort] as DeploymentRef;
    if (!r.promoted) return { outputs, failed: r.reason };
    return { outputs: { ...outputs, [c.deploymentPort]: { ...dep, version: r.version } } };
  }

  /** A step whose activity handed it to the workflow: wait, then finish it. */
  async function continueStep(step: PlanStep, result: ExecuteStepResult): Promise<{ outputs: StepOutputs; failed?: string }> {
    const c = result.continuation!;
    if (c.kind === "approval") {
      const outputs = await awaitApproval(step, c, result.outputs);
      await lifecycle.stepFinished({ runId: run.runId, nodeId: step.nodeId, status: "succeeded", outputs });
      return { outputs };
    }
    const r = await awaitRollout(c, result.outputs);
    await lifecycle.stepFinished({ runId: run.runId, nodeId: step.nodeId, status: r.failed ? "failed" : "succeeded", outputs: r.outputs, error: r.failed });
    return r;
  }

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
      const result = await executeStep({ run, step, params: plan.params, inputs, ...(input.fresh ? { fresh: true } : {}) });
      if (result.continuation) {
        const r = await continueStep(step, result);
        if (r.failed) {
          summaries.set(step.nodeId, { nodeId: step.nodeId, status: "failed", reason: r.failed });
          return;
        }
        outputs.set(step.nodeId, r.outputs);
        summaries.set(step.nodeId, { nodeId: step.nodeId, status: "succeeded" });
        return;
      }
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
