import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { MAX_INT32 } from "../../../contract/api/common";
import { getModelByName, moveAlias, removeAlias } from "../../../db/queries/models";

async function findModel(ctx: RequestContext, name: string) {
  const found = await getModelByName(ctx.db, ctx.teamId, name);
  if (!found) throw new ServiceError("not_found", `model ${name} does not exist`);
  return found;
}

/**
 * Points `alias` at `version` by hand (promote, demote, roll back): an audited
 * move that the serving process follows at once. Moving it where it already
 * points changes nothing.
 */
export async function setAlias(ctx: RequestContext, opts: { name: string; alias: string; version: number; reason: string }) {
  const found = await findModel(ctx, opts.name);
  if (opts.version > MAX_INT32 || !found.versions.some((v) => v.version === opts.version)) {
    const latest = found.versions[0]?.version;
    throw new ServiceError("invalid", `model ${opts.name} has no version ${opts.version}${latest ? ` (latest is ${latest})` : ""}`, [
      { nodeId: null, field: "version", message: `model ${opts.name} has no version ${opts.version}` },
    ]);
  }
  const { fromVersion } = await moveAlias(ctx.db, {
    modelId: found.model.id,
    alias: opts.alias,
    version: opts.version,
    actor: `user:${ctx.userId}`,
    reason: opts.reason,
  });
  return { name: found.model.name, alias: opts.alias, version: opts.version, fromVersion };
}

/** Removes `alias` (audited). A missing alias is a 404, and nothing is recorded. */
export async function deleteAlias(ctx: RequestContext, opts: { name: string; alias: string; reason: string }) {
  const found = await findModel(ctx, opts.name);
  const { fromVersion } = await removeAlias(ctx.db, { modelId: found.model.id, alias: opts.alias, actor: `user:${ctx.userId}`, reason: opts.reason });
  if (fromVersion === null) throw new ServiceError("not_found", `model ${opts.name} has no alias ${opts.alias}`);
  return { name: found.model.name, alias: opts.alias, version: null, fromVersion };
}
