/**
 * Activities of the steps a workflow continues after their activity returned
 * (Continuation): finishing such a step, deciding an approval, and moving a
 * deployment's routes through a rollout (canary steps, shadow, A/B, promote,
 * roll back). Each move is one audited transaction the serving replicas
 * follow at once (NOTIFY).
 */
import { ApplicationFailure } from "@temporalio/activity";
import { decideApproval } from "../../db/queries/approvals";
import { changeDeployment, deploymentFigures, stableRoutes, type DeploymentRoute, type VersionFigures } from "../../db/queries/deployments";
import { getModelByName, moveAlias, removeAlias } from "../../db/queries/models";
import { appendStepLogs, updateStep } from "../../db/queries/runs";
import type { StepOutputs } from "../spec/refs";
import { versionQuality, type VersionQuality } from "../monitoring/quality";
import type { ActivityDeps, RolloutPlan } from "../nodes/step-context";
import { CHALLENGER_ALIAS } from "../nodes/deploy.endpoint/deploy";

export type RolloutAction = { kind: "canary-step"; step: number } | { kind: "shadow" } | { kind: "ab" } | { kind: "promote" } | { kind: "rollback" };

function routesFor(plan: RolloutPlan, action: RolloutAction): DeploymentRoute[] {
  const c = plan.challenger;
  switch (action.kind) {
    case "canary-step": {
      const weight = plan.canary!.steps[action.step]!;
      return [
        { alias: plan.alias, weight: 100 - weight, mode: "live" },
        { version: c, weight, mode: "live" },
      ];
    }
    case "shadow":
      return [
        { alias: plan.alias, weight: 100, mode: "live" },
        { version: c, weight: 0, mode: "shadow" },
      ];
    case "ab":
      return [
        { alias: plan.alias, weight: 100 - plan.ab!.weight, mode: "live" },
        { version: c, weight: plan.ab!.weight, mode: "live" },
      ];
    case "promote":
    case "rollback":
      return stableRoutes(plan.alias);
  }
}

export function createLifecycleActivities(deps: Pick<ActivityDeps, "db">) {
  const { db } = deps;
  const stepLog = (plan: { runId: string; nodeId: string }, message: string, level: "info" | "warn" = "info") =>
    appendStepLogs(db, plan.runId, plan.nodeId, [{ ts: new Date().toISOString(), level, message }]);

  return {
    /** Ends a continued step: succeeded with its final outputs, or failed with the reason. */
    async stepFinished(input: {
      runId: string;
      nodeId: string;
      status: "succeeded" | "failed";
      outputs?: StepOutputs;
      error?: string;
      log?: string;
    }): Promise<void> {
      await updateStep(db, input.runId, input.nodeId, {
        status: input.status,
        ...(input.outputs ? { outputs: input.outputs } : {}),
        error: input.error ?? null,
        finished: true,
      });
      if (input.log) await stepLog(input, input.log, input.status === "failed" ? "warn" : "info");
    },

    /** Records a decision on an approval; the first decision wins, and what it was comes back either way. */
    async approvalDecide(input: {
      approvalId: string;
      runId: string;
      nodeId: string;
      status: "approved" | "rejected" | "expired";
      actor: string;
      comment: string;
    }): Promise<{ status: "pending" | "approved" | "rejected" | "expired"; decidedBy: string | null; comment: string | null; decided: boolean }> {
      const r = await decideApproval(db, {
        id: input.approvalId,
        runId: input.runId,
        nodeId: input.nodeId,
        status: input.status,
        decidedBy: input.actor,
        comment: input.comment,
      });
      if (!r) throw ApplicationFailure.nonRetryable(`approval ${input.approvalId} is not one of step ${input.nodeId} of run ${input.runId}`);
      if (r.decided) {
        const what = input.status === "expired" ? "expired without a decision" : `${input.status} by ${input.actor}`;
        await stepLog(input, `${what}${input.comment ? `: ${input.comment}` : ""}`, input.status === "approved" ? "info" : "warn");
      }
      return { status: r.row.status, decidedBy: r.row.decidedBy, comment: r.row.comment, decided: r.decided };
    },

    /** Moves the deployment's routes for a rollout step; returns when the move happened (ISO time). */
    async rolloutMove(input: { plan: RolloutPlan; action: RolloutAction; actor: string; reason: string }): Promise<{ at: string }> {
      const { plan, action } = input;
      const at = new Date();
      if (action.kind === "promote") {
        const found = await getModelByName(db, plan.teamId, plan.modelName);
        if (!found) throw ApplicationFailure.nonRetryable(`model ${plan.modelName} no longer exists`);
        await moveAlias(db, {
          modelId: found.model.id,
          alias: plan.alias,
          version: plan.challenger,
          actor: input.actor,
          reason: input.reason,
          runId: plan.runId,
        });
      }
      const ended = action.kind === "promote" || action.kind === "rollback";
      const routes = routesFor(plan, action);
      const changed = await changeDeployment(db, { teamId: plan.teamId, name: plan.deployment }, async (row) => ({
        routes,
        rollout: ended
          ? null
          : {
              strategy: plan.strategy,
              challenger: plan.challenger,
              ...(action.kind === "canary-step" ? { step: action.step, steps: plan.canary!.steps } : {}),
              workflowId: plan.workflowId,
              runId: plan.runId,
              startedAt: row.rollout?.workflowId === plan.workflowId ? row.rollout.startedAt : at.toISOString(),
              stepStartedAt: at.toISOString(),
            },
        config: ended ? { ...row.config, sticky: undefined } : action.kind === "ab" ? { ...row.config, sticky: plan.ab!.sticky } : row.config,
        kind:
          action.kind === "canary-step"
            ? "canary-step"
            : action.kind === "promote"
              ? "promoted"
              : action.kind === "rollback"
                ? "rolled-back"
                : `${action.kind}-started`,
        actor: input.actor,
        reason: input.reason,
        runId: plan.runId,
      }));
      if (!changed) throw ApplicationFailure.nonRetryable(`deployment ${plan.deployment} no longer exists`);
      if (ended) {
        const found = await getModelByName(db, plan.teamId, plan.modelName);
        if (found && found.aliases[CHALLENGER_ALIAS] === plan.challenger) {
          await removeAlias(db, { modelId: found.model.id, alias: CHALLENGER_ALIAS, actor: input.actor, reason: input.reason });
        }
      }
      await stepLog(plan, input.reason, action.kind === "rollback" ? "warn" : "info");
      return { at: at.toISOString() };
    },

    /**
     * The deployment's live figures per version since `since`; with
     * `quality`, each version's quality over its logged predictions since
     * then whose ground truth has arrived (feedback).
     */
    async rolloutFigures(input: {
      deployment: string;
      since: string;
      quality?: boolean;
    }): Promise<Array<VersionFigures & { quality?: VersionQuality | null }>> {
      const figures = await deploymentFigures(db, input.deployment, new Date(input.since));
      if (!input.quality) return figures;
      const quality = await versionQuality(db, input.deployment, new Date(input.since), new Date());
      return figures.map((f) => ({ ...f, quality: quality.get(`${f.mode}:${f.version}`) ?? null }));
    },

    /** A line in the deploy step's log (the rollout's story in the run view). */
    async rolloutLog(input: { runId: string; nodeId: string; message: string; level?: "info" | "warn" }): Promise<void> {
      await stepLog(input, input.message, input.level);
    },
  };
}
