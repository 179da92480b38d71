import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { artifactStore, type ArtifactDownload } from "../../../infra/artifacts";
import { env } from "../../../infra/env";
import { MAX_INT32 } from "../../../contract/api/common";
import { getModelByName, getModelVersion as queryVersion, listModels as queryList } from "../../../db/queries/models";
import type { ModelManifest } from "../../../contract/model";
import { lineageOf, reproduce } from "./lineage";

/** Starts a reproduction of a version (./lineage.ts). */
export async function reproduceModelVersion(ctx: RequestContext, opts: { name: string; version: number }) {
  const row = await findVersion(ctx, opts);
  return reproduce(ctx, { name: row.model.name, version: row.version.version, runId: row.version.runId, sha256: row.version.sha256 });
}

export async function listModels(ctx: RequestContext, opts: { q?: string; sort?: "name" | "updated" | "created" } = {}) {
  return queryList(ctx.db, ctx.teamId, opts);
}

export async function getModel(ctx: RequestContext, opts: { name: string }) {
  const found = await getModelByName(ctx.db, ctx.teamId, opts.name);
  if (!found) throw new ServiceError("not_found", `model ${opts.name} does not exist`);
  return {
    name: found.model.name,
    versions: found.versions.map((v) => ({ version: v.version, metrics: v.metrics, runId: v.runId, createdAt: v.createdAt, sha256: v.sha256 })),
    aliases: found.aliases,
    events: found.events.map((e) => ({
      alias: e.alias,
      fromVersion: e.fromVersion,
      toVersion: e.toVersion,
      actor: e.actor,
      reason: e.reason,
      runId: e.runId,
      pipelineName: e.pipelineName,
      createdAt: e.createdAt,
    })),
  };
}

async function findVersion(ctx: RequestContext, opts: { name: string; version: number }) {
  const row = opts.version <= MAX_INT32 ? await queryVersion(ctx.db, ctx.teamId, opts.name, opts.version) : null;
  if (!row) throw new ServiceError("not_found", `model ${opts.name} version ${opts.version} does not exist`);
  return row;
}

export async function getModelVersion(ctx: RequestContext, opts: { name: string; version: number }) {
  const row = await findVersion(ctx, opts);
  const manifest = row.version.manifest as unknown as ModelManifest;
  return {
    lineage: await lineageOf(ctx, { name: row.model.name, version: row.version.version, runId: row.version.runId, sha256: row.version.sha256, manifest }),
    name: row.model.name,
    version: row.version.version,
    manifest: row.version.manifest as unknown as ModelManifest,
    metrics: row.version.metrics,
    runId: row.version.runId,
    sha256: row.version.sha256,
    createdAt: row.version.createdAt,
    modelUrl: `/api/v1/models/${encodeURIComponent(row.model.name)}/versions/${row.version.version}/model.onnx`,
  };
}

/**
 * The ONNX file of a version (team-checked), for the browser preview and
 * downloads: streamed, never held in memory whole, or a redirect to a
 * presigned S3 URL when ARTIFACT_DOWNLOAD=redirect.
 */
export async function downloadModelFile(ctx: RequestContext, opts: { name: string; version: number }, store = artifactStore()): Promise<ArtifactDownload> {
  const row = await findVersion(ctx, opts);
  return store.download(row.version.artifactUri, env().ARTIFACT_DOWNLOAD);
}
