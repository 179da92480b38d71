import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf } from "../../step-context";
import { createApproval } from "../../../../db/queries/approvals";
import { getAliasedVersion } from "../../../../db/queries/models";
import { durationSeconds } from "../../../../contract/duration";
import { CHAMPION_ALIAS } from "../../evaluate/v2/definition";

/**
 * Opens the approval (pending, with what the approver needs to see) and hands
 * the wait to the workflow, which finishes the step with the decision.
 */
export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const metrics = inputOf(ctx, "metrics", "metrics");
  const model = inputOf(ctx, "model", "model");
  const name = ctx.config.registryName;
  if (!name) throw new Error(`step ${ctx.nodeId}: the plan has no registryName`);
  const timeoutSeconds = durationSeconds(ctx.config.timeout)!;
  const champion = await getAliasedVersion(ctx.deps.db, ctx.teamId, name, CHAMPION_ALIAS);
  const approval = await createApproval(ctx.deps.db, {
    teamId: ctx.teamId,
    runId: ctx.runId,
    nodeId: ctx.nodeId,
    modelName: name,
    expiresAt: new Date(Date.now() + timeoutSeconds * 1000),
    detail: {
      instructions: ctx.config.instructions,
      task: metrics.task,
      rows: metrics.rows,
      metrics: metrics.values,
      champion: champion
        ? {
            version: champion.version,
            runId: champion.manifest.runId,
            pipeline: champion.manifest.pipeline,
            // Scored on the same rows when the evaluate step compared with it; else its registered metrics.
            metrics: metrics.champion?.version === champion.version ? metrics.champion.values : champion.metrics,
            sameRows: metrics.champion?.version === champion.version,
          }
        : null,
      model: { uri: model.uri, sha256: model.sha256, manifest: model.manifest },
      pipeline: { id: ctx.pipelineId, version: ctx.pipelineVersion },
    },
  });
  ctx.log(`waiting for a person to approve ${name} (approval ${approval.id}, until ${approval.expiresAt.toISOString()})`);
  ctx.continueWith({ kind: "approval", approvalId: approval.id, timeoutSeconds, decisionPort: "decision" });
  return { decision: { kind: "decision", passed: false, reasons: [], metrics: metrics.values } };
});
