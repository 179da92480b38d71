/**
 * A deployment's rollout (deploy.endpoint with strategy canary, shadow or
 * ab): a child workflow of the pipeline run, so its waits are durable timers
 * that survive any restart. It moves the deployment's routes step by step,
 * judges the challenger on its live figures (rollout-rules.ts), and ends by
 * promoting it (the alias moves to it) or rolling back (routes back to the
 * champion); a person can decide either at any time through the `decide`
 * update (POST /api/v1/deployments/{name}/promote|rollback). Cancelling the
 * run rolls back.
 */
import { CancellationScope, condition, defineUpdate, isCancellation, proxyActivities, setHandler } from "@temporalio/workflow";
import type { createLifecycleActivities, RolloutAction } from "./lifecycle-activities";
import { ROLLOUT_DECIDE_UPDATE, type RolloutDecision, type RolloutPlan, type RolloutResult } from "./contracts";
import { judgeCanary, judgeShadow } from "./rollout-rules";

type Lifecycle = ReturnType<typeof createLifecycleActivities>;

const act = proxyActivities<Lifecycle>({
  startToCloseTimeout: "30 seconds",
  retry: { initialInterval: "1 second", backoffCoefficient: 2, maximumInterval: "30 seconds", maximumAttempts: 20 },
});

/** A person's promote or rollback; answers how the rollout ended. */
export const rolloutDecide = defineUpdate<RolloutResult, [RolloutDecision]>(ROLLOUT_DECIDE_UPDATE);

/** How many extra intervals a canary step waits for enough traffic before it gives up. */
export const MAX_INCONCLUSIVE_INTERVALS = 5;

export async function deploymentRollout(plan: RolloutPlan): Promise<RolloutResult> {
  let decision: RolloutDecision | undefined;
  let result: RolloutResult | undefined;
  setHandler(
    rolloutDecide,
    async (d) => {
      decision ??= d;
      await condition(() => result !== undefined);
      return result!;
    },
    {
      validator: (_d: RolloutDecision) => {
        if (result) throw new Error(`the rollout has ended (${result.promoted ? "promoted" : "rolled back"})`);
        if (decision) throw new Error(`the rollout is already being ${decision.action === "promote" ? "promoted" : "rolled back"} by ${decision.actor}`);
      },
    },
  );
  const c = plan.challenger;
  const move = (action: RolloutAction, reason: string, actor = `pipeline:${plan.pipelineId}`) => act.rolloutMove({ plan, action, actor, reason });
  const log = (message: string, level: "info" | "warn" = "info") => act.rolloutLog({ runId: plan.runId, nodeId: plan.nodeId, message, level });

  async function promote(reason: string, actor?: string): Promise<RolloutResult> {
    await move({ kind: "promote" }, reason, actor);
    return (result = { promoted: true, reason, version: c });
  }
  async function rollback(reason: string, actor?: string): Promise<RolloutResult> {
    await move({ kind: "rollback" }, reason, actor);
    return (result = { promoted: false, reason, version: c });
  }
  /** Waits up to `seconds` for a person; true when one decided (and it has been applied). */
  async function waitOrDecide(seconds: number): Promise<boolean> {
    if (!(await condition(() => decision !== undefined, seconds * 1000))) return false;
    const d = decision!;
    const why = `${d.action === "promote" ? "promoted" : "rolled back"} by ${d.actor}: ${d.reason}`;
    if (d.action === "promote") await promote(`v${c} ${why}`, d.actor);
    else await rollback(`v${c} ${why}`, d.actor);
    return true;
  }

  try {
    if (plan.strategy === "canary") {
      const canary = plan.canary!;
      for (let i = 0; i < canary.steps.length; i++) {
        const weight = canary.steps[i]!;
        if (weight >= 100) break;
        const { at } = await move({ kind: "canary-step", step: i }, `canary: v${c} gets ${weight}% of live traffic`);
        let since = at;
        for (let extra = 0; ; extra++) {
          if (await waitOrDecide(canary.intervalSeconds)) return result!;
          const figures = await act.rolloutFigures({ deployment: plan.deployment, since, quality: canary.rollback.minLiveMetric !== undefined });
          const verdict = judgeCanary(
            canary.rollback,
            figures.find((f) => f.version === c && f.mode === "live"),
          );
          if (verdict.ok === false) return await rollback(`canary at ${weight}%: ${verdict.broken} (${verdict.summary}); rolled back to ${plan.alias}`);
          if (verdict.ok === true) {
            await log(`canary at ${weight}%: v${c} healthy (${verdict.summary})`);
            break;
          }
          if (extra >= MAX_INCONCLUSIVE_INTERVALS)
            return await rollback(`canary at ${weight}%: too little traffic to judge v${c} (${verdict.summary}); rolled back`);
          await log(`canary at ${weight}%: ${verdict.summary}; waiting another interval`, "warn");
          // Judge on everything since the step began.
          since = at;
        }
      }
      return await promote(`v${c} survived the canary (${canary.steps.join("% → ")}%): now ${plan.alias}`);
    }

    if (plan.strategy === "shadow") {
      const shadow = plan.shadow!;
      const { at } = await move({ kind: "shadow" }, `shadow: v${c} gets a copy of every request for ${shadow.durationSeconds} s`);
      if (await waitOrDecide(shadow.durationSeconds)) return result!;
      if (!shadow.promote) return await rollback(`shadow period of v${c} ended without a decision; ${plan.alias} keeps serving`);
      const figures = await act.rolloutFigures({ deployment: plan.deployment, since: at, quality: shadow.promote.minImprovement !== undefined });
      const verdict = judgeShadow(
        shadow.promote,
        figures.find((f) => f.version === c && f.mode === "shadow"),
        figures.find((f) => f.version === plan.champion && f.mode === "live"),
      );
      if (verdict.ok === true) return await promote(`v${c} passed its shadow period (${verdict.summary}): now ${plan.alias}`);
      return await rollback(`shadow period of v${c} ended: ${verdict.ok === false ? verdict.broken : verdict.summary} (${verdict.summary}); not promoted`);
    }

    const ab = plan.ab!;
    await move(
      { kind: "ab" },
      `A/B: v${c} gets ${ab.weight}% of live traffic, sticky by ${ab.sticky.parameter ? `parameter ${ab.sticky.parameter}` : `column ${ab.sticky.column}`}`,
    );
    if (await waitOrDecide(ab.durationSeconds)) return result!;
    return await rollback(`A/B test of v${c} ended after ${ab.durationSeconds} s without a decision; ${plan.alias} serves everything again`);
  } catch (err) {
    if (isCancellation(err) && !result) {
      await CancellationScope.nonCancellable(() => rollback(`the run was cancelled: v${c}'s rollout rolled back`));
    }
    throw err;
  }
}
