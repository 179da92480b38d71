import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import type { Problem } from "../../../contract/api/common";
import { deleteModelUnlessUsed } from "../../../db/queries/models";

/**
 * Deletes registered model `name` with its versions, aliases and their audit
 * trail. Refused (409, one detail per dependent) while a deployment uses it
 * or an alias points at one of its versions: serving and pipelines follow
 * those. Not undoable (the registry's audit trail goes with it).
 */
export async function deleteModel(ctx: RequestContext, opts: { name: string }) {
  const result = await deleteModelUnlessUsed(ctx.db, ctx.teamId, opts.name);
  if (result.status === "missing") throw new ServiceError("not_found", `model ${opts.name} does not exist`);
  if (result.status === "used") {
    const problems: Problem[] = [
      ...result.deployments.map((d) => ({
        nodeId: null,
        field: "deployment",
        message: `deployment ${d.name}${d.status === "active" ? "" : ` (${d.status})`} serves it`,
      })),
      ...result.aliases.map((a) => ({ nodeId: null, field: "alias", message: `alias ${a.alias} points at v${a.version}: remove it first` })),
    ];
    throw new ServiceError("conflict", `model ${opts.name} is in use: ${problems.map((p) => p.message).join("; ")}`, problems);
  }
  return { name: opts.name, versions: result.versions };
}
