/**
 * The approvals inbox: gate.approval steps waiting for a person, and the
 * decision, which reaches the waiting run as a workflow update (the run
 * records it: the first decision wins, and nothing is decided twice).
 */
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { artifactStore, type ArtifactDownload } from "../../../infra/artifacts";
import { env } from "../../../infra/env";
import { getApproval as queryApproval, listApprovals as queryList, type ApprovalStatus } from "../../../db/queries/approvals";
import { getPipeline } from "../../../db/queries/pipelines";
import { diffSpecs } from "../../../workflows/spec/diff";
import type { PipelineSpecInput } from "../../../workflows/spec/spec";
import { APPROVAL_DECIDE_UPDATE, type ApprovalDecision, type ApprovalOutcome } from "../../../workflows/temporal/contracts";
import { sendUpdate } from "../temporal-updates";
import { isUuid } from "../../../contract/api/common";

type Row = NonNullable<Awaited<ReturnType<typeof queryApproval>>>;

interface Detail {
  instructions?: string;
  task?: string;
  rows?: number;
  metrics?: Record<string, number>;
  champion?: {
    version: number;
    runId: string;
    pipeline: { id: string; version: number; nodeId: string };
    metrics: Record<string, number>;
    sameRows: boolean;
  } | null;
  model?: { uri: string; sha256: string; manifest: Record<string, unknown> };
}

function view(r: Row) {
  const a = r.approval;
  const d = a.detail as Detail;
  return {
    id: a.id,
    status: a.status,
    runId: a.runId,
    nodeId: a.nodeId,
    modelName: a.modelName,
    pipeline: { id: r.pipelineId, name: r.pipelineName, version: r.pipelineVersion },
    instructions: d.instructions ?? "",
    task: d.task ?? null,
    rows: d.rows ?? null,
    metrics: d.metrics ?? {},
    champion: d.champion ?? null,
    model: d.model ? { sha256: d.model.sha256, manifest: d.model.manifest } : null,
    modelUrl: `/api/v1/approvals/${a.id}/model.onnx`,
    expiresAt: a.expiresAt,
    decidedBy: a.decidedBy,
    comment: a.comment,
    decidedAt: a.decidedAt,
    createdAt: a.createdAt,
  };
}

async function find(ctx: RequestContext, id: string): Promise<Row> {
  const row = isUuid(id) ? await queryApproval(ctx.db, ctx.teamId, id) : null;
  if (!row) throw new ServiceError("not_found", `approval ${id} does not exist`);
  return row;
}

export async function listApprovals(ctx: RequestContext, opts: { status?: ApprovalStatus }) {
  return (await queryList(ctx.db, ctx.teamId, opts)).map(view);
}

/** One approval, with the diff of its pipeline version against the one that made the champion. */
export async function getApproval(ctx: RequestContext, opts: { id: string }) {
  const row = await find(ctx, opts.id);
  const v = view(row);
  let diff: ReturnType<typeof diffSpecs> | null = null;
  const champion = v.champion;
  if (champion?.pipeline) {
    const [before, after] = await Promise.all([
      getPipeline(ctx.db, ctx.teamId, champion.pipeline.id, champion.pipeline.version),
      getPipeline(ctx.db, ctx.teamId, v.pipeline.id, v.pipeline.version),
    ]);
    if (before && after) diff = diffSpecs(before.version.spec as PipelineSpecInput, after.version.spec as PipelineSpecInput);
  }
  return { ...v, championPipeline: champion?.pipeline ?? null, diff };
}

export async function decideApproval(ctx: RequestContext, opts: { id: string; decision: "approve" | "reject"; comment: string }) {
  const row = await find(ctx, opts.id);
  const a = row.approval;
  if (a.status !== "pending") {
    throw new ServiceError(
      "conflict",
      `approval ${a.id} was already ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ""}${a.decidedAt ? ` at ${a.decidedAt.toISOString()}` : ""}`,
    );
  }
  const decision: ApprovalDecision = { nodeId: a.nodeId, approvalId: a.id, decision: opts.decision, actor: `user:${ctx.userId}`, comment: opts.comment };
  const outcome = await sendUpdate<ApprovalOutcome>(a.workflowId, APPROVAL_DECIDE_UPDATE, decision, `run ${a.runId} is no longer waiting for this approval`);
  if (!outcome.decided) {
    throw new ServiceError("conflict", `approval ${a.id} was already ${outcome.status}${outcome.decidedBy ? ` by ${outcome.decidedBy}` : ""}`);
  }
  return view(await find(ctx, opts.id));
}

/** The challenger's ONNX file, for the in-browser preview. */
export async function downloadApprovalModel(ctx: RequestContext, opts: { id: string }, store = artifactStore()): Promise<ArtifactDownload> {
  const row = await find(ctx, opts.id);
  const uri = (row.approval.detail as Detail).model?.uri;
  if (!uri) throw new ServiceError("not_found", `approval ${opts.id} has no model file`);
  return store.download(uri, env().ARTIFACT_DOWNLOAD);
}
