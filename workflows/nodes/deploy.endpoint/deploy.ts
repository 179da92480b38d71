/**
 * What every deploy.endpoint version does: register the trained model as a
 * version, then serve it by the strategy. `replace` moves the alias at once;
 * canary, shadow and ab mark the version `challenger` and hand the rollout
 * to the workflow (a child workflow with durable timers), which promotes it
 * or rolls back.
 */
import { inputOf, type RolloutPlan, type StepContext } from "../step-context";
import { getAliasedVersion, getModelByName, moveAlias, registerModelVersion } from "../../../db/queries/models";
import { getDeployment, upsertDeployment } from "../../../db/queries/deployments";
import type { ModelManifest } from "../../../contract/model";
import { DataError } from "../../ml/types";
import type { StepOutputs } from "../../spec/refs";
import { durationSeconds } from "../../../contract/duration";
import { confirmServing } from "./confirm-serving";
import type v2 from "./v2/definition";
import type { z } from "zod";

/** The config as compiled: `complete` has given `model` its default (the pipeline's name) when it was empty. */
export type DeployConfig = z.infer<typeof v2.config> & { model: string };

export const CHALLENGER_ALIAS = "challenger";

export async function deploy(ctx: StepContext<DeployConfig>): Promise<StepOutputs> {
  const model = inputOf(ctx, "model", "model");
  const decision = inputOf(ctx, "decision", "decision");
  if (!decision.passed) throw new Error(`step ${ctx.nodeId}: the gate did not pass; deploy must not run`);
  const { db } = ctx.deps;
  const { model: name, alias, strategy } = ctx.config;
  const actor = `pipeline:${ctx.pipelineId}`;

  // Refusals first: nothing is registered or moved when the rollout cannot happen.
  const champion = await getAliasedVersion(db, ctx.teamId, name, alias);
  if ((strategy === "shadow" || strategy === "ab") && !champion) {
    throw new DataError(
      `strategy ${strategy} needs two versions, and ${name} has no ${alias} yet to compare with: deploy the first version with strategy replace (or canary)`,
    );
  }
  const existing = await getDeployment(db, ctx.teamId, name);
  if (existing?.rollout && existing.rollout.runId !== ctx.runId) {
    throw new DataError(
      `deployment ${name} has a ${existing.rollout.strategy} rollout of v${existing.rollout.challenger} in progress (run ${existing.rollout.runId}): wait for it, or promote or roll it back first`,
    );
  }

  const manifest: ModelManifest = { ...model.manifest, metrics: decision.metrics };
  // A cancelled run registers nothing: stop here if this attempt was told to.
  ctx.signal.throwIfAborted();
  ctx.progress({ phase: `registering ${name}` });
  const { modelId, version, unchanged } = await registerModelVersion(db, {
    teamId: ctx.teamId,
    modelName: name,
    runId: ctx.runId,
    artifactUri: model.uri,
    sha256: model.sha256,
    manifest,
    metrics: decision.metrics,
  });
  const ref = { kind: "deployment" as const, name, model: name, version, alias, strategy };
  if (unchanged) {
    // Retrained to the same bytes: no new version, and nothing moves.
    ctx.log(`unchanged: v${version} (the trained model equals ${name} version ${version}); ${alias} not moved`);
    return { deployment: { ...ref, unchanged: true } };
  }
  ctx.log(`registered ${name} version ${version}`);
  const why = `run ${ctx.runId} passed its gate: ${decision.reasons.join("; ")}`;

  if (strategy === "replace" || !champion || champion.version === version) {
    if (strategy !== "replace") ctx.log(`${name} has no ${alias} yet: v${version} becomes ${alias} at once (nothing to ${strategy} against)`);
    const { fromVersion } = await moveAlias(db, { modelId, alias, version, actor, reason: why, runId: ctx.runId });
    ctx.log(`alias ${alias}: ${fromVersion ?? "none"} → ${version}`);
    await upsertDeployment(db, {
      teamId: ctx.teamId,
      name,
      modelId,
      alias,
      strategy,
      runId: ctx.runId,
      actor,
      reason: `run ${ctx.runId} deployed ${name} v${version}`,
    });
    ctx.progress({ phase: `waiting for serving to load ${name} v${version}` });
    const ms = await confirmServing(ctx, name, version);
    if (ms !== null) ctx.log(`serving ${name} v${version} (live after ${ms} ms)`);
    return { deployment: ref };
  }

  // A rollout: the new version is the challenger until the workflow promotes it or rolls back.
  await moveAlias(db, {
    modelId,
    alias: CHALLENGER_ALIAS,
    version,
    actor,
    reason: `${why}; ${strategy} rollout against ${alias} v${champion.version}`,
    runId: ctx.runId,
  });
  if (!existing) {
    await upsertDeployment(db, {
      teamId: ctx.teamId,
      name,
      modelId,
      alias,
      strategy: "replace",
      runId: ctx.runId,
      actor,
      reason: `run ${ctx.runId} created the endpoint for ${alias}`,
    });
  }
  const found = await getModelByName(db, ctx.teamId, name);
  if (!found) throw new Error(`model ${name} disappeared while deploying`);
  const c = ctx.config;
  const plan: RolloutPlan = {
    teamId: ctx.teamId,
    runId: ctx.runId,
    pipelineId: ctx.pipelineId,
    nodeId: ctx.nodeId,
    deployment: name,
    modelName: name,
    alias,
    challenger: version,
    champion: champion.version,
    workflowId: `rollout-${name}-${ctx.runId}`,
    strategy,
    ...(strategy === "canary"
      ? (() => {
          const canary = c.canary ?? { steps: [10, 50, 100], interval: "10m", rollback: { minRequests: 10 } };
          return { canary: { steps: canary.steps, intervalSeconds: durationSeconds(canary.interval)!, rollback: canary.rollback } };
        })()
      : {}),
    ...(strategy === "shadow"
      ? { shadow: { durationSeconds: durationSeconds(c.shadow?.duration ?? "1h")!, ...(c.shadow?.promote ? { promote: c.shadow.promote } : {}) } }
      : {}),
    ...(strategy === "ab" ? { ab: { weight: c.ab!.weight, durationSeconds: durationSeconds(c.ab!.duration)!, sticky: c.ab!.sticky } } : {}),
  };
  ctx.log(`v${version} is the ${CHALLENGER_ALIAS}; ${strategy} rollout against ${alias} v${champion.version} starts (workflow ${plan.workflowId})`);
  ctx.continueWith({ kind: "rollout", rollout: plan, deploymentPort: "deployment" });
  return { deployment: ref };
}
