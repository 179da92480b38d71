/**
 * Deployments as objects: each endpoint's routes (which versions get how
 * much traffic, or a shadow copy), its rollout in progress, its live figures
 * per version and its history; promote and roll back by hand. During a
 * rollout a person's promote or rollback goes to the rollout's workflow (a
 * workflow update), which applies it; otherwise they are audited alias moves.
 */
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import {
  deploymentFigures,
  deploymentHistory,
  getDeployment as queryDeployment,
  listDeployments as queryList,
  type DeploymentRoute,
} from "../../../db/queries/deployments";
import { getModelByName } from "../../../db/queries/models";
import { latestVersionQuality } from "../../../db/queries/monitoring";
import { ROLLOUT_DECIDE_UPDATE, type RolloutDecision, type RolloutResult } from "../../../workflows/temporal/contracts";
import { setAlias } from "../models/aliases";
import { sendUpdate } from "../temporal-updates";

type Row = NonNullable<Awaited<ReturnType<typeof queryDeployment>>>;

/** Routes with the version each alias route points at now. */
function routesView(routes: DeploymentRoute[], aliases: Record<string, number>) {
  return routes.map((r) => ({
    version: r.version ?? (r.alias !== undefined ? (aliases[r.alias] ?? null) : null),
    alias: r.alias ?? null,
    weight: r.weight,
    mode: r.mode,
  }));
}

function summary(d: Row) {
  return {
    name: d.name,
    model: d.modelName,
    alias: d.alias,
    status: d.status,
    routes: routesView(d.routes, d.aliases),
    rollout: d.rollout ?? null,
    sticky: (d.config as { sticky?: { parameter?: string; column?: string } }).sticky ?? null,
    updatedAt: d.updatedAt,
  };
}

async function find(ctx: RequestContext, name: string): Promise<Row> {
  const d = await queryDeployment(ctx.db, ctx.teamId, name);
  if (!d) throw new ServiceError("not_found", `deployment ${name} does not exist`);
  return d;
}

export async function listDeployments(ctx: RequestContext, opts: { model?: string } = {}) {
  const rows = await queryList(ctx.db, ctx.teamId, { modelName: opts.model });
  return rows.map((d) => summary(d));
}

/** One deployment: routes, rollout, live figures per version (since the rollout's step began, else the last `minutes`) and history. */
export async function getDeployment(ctx: RequestContext, opts: { name: string; minutes?: number }) {
  const d = await find(ctx, opts.name);
  const since = d.rollout ? new Date(d.rollout.stepStartedAt) : new Date(Date.now() - (opts.minutes ?? 15) * 60_000);
  const [figures, history, quality] = await Promise.all([
    deploymentFigures(ctx.db, d.name, since),
    deploymentHistory(ctx.db, d.id),
    latestVersionQuality(ctx.db, d.id),
  ]);
  return {
    ...summary(d),
    figuresSince: since,
    figures,
    quality,
    history: history.map((h) => ({
      ...h,
      fromRoutes: h.fromRoutes ? routesView(h.fromRoutes, {}) : null,
      toRoutes: routesView(h.toRoutes, {}),
    })),
  };
}

async function decideRollout(ctx: RequestContext, d: Row, action: RolloutDecision["action"], reason: string) {
  const rollout = d.rollout!;
  const decision: RolloutDecision = { action, actor: `user:${ctx.userId}`, reason };
  const result = await sendUpdate<RolloutResult>(
    rollout.workflowId,
    ROLLOUT_DECIDE_UPDATE,
    decision,
    `the ${rollout.strategy} rollout of ${d.name} has already ended`,
  );
  return result;
}

/**
 * Promote: during a rollout, the challenger now (the rollout ends); else
 * `version` becomes what the deployment's alias points at.
 */
export async function promoteDeployment(ctx: RequestContext, opts: { name: string; version?: number; reason: string }) {
  const d = await find(ctx, opts.name);
  if (d.rollout) {
    if (opts.version !== undefined && opts.version !== d.rollout.challenger) {
      throw new ServiceError(
        "invalid",
        `deployment ${d.name} is rolling out v${d.rollout.challenger}; promote it, or roll it back before promoting v${opts.version}`,
        [{ nodeId: null, field: "version", message: `the rollout's challenger is v${d.rollout.challenger}` }],
      );
    }
    const result = await decideRollout(ctx, d, "promote", opts.reason);
    return { ...summary(await find(ctx, opts.name)), outcome: result.reason };
  }
  if (opts.version === undefined) {
    throw new ServiceError("invalid", `deployment ${d.name} has no rollout in progress: say which version to promote`, [
      { nodeId: null, field: "version", message: "which version to promote" },
    ]);
  }
  const moved = await setAlias(ctx, { name: d.modelName, alias: d.alias, version: opts.version, reason: opts.reason });
  return { ...summary(await find(ctx, opts.name)), outcome: `${d.alias}: v${moved.fromVersion ?? "none"} → v${moved.version}` };
}

/**
 * Roll back: during a rollout, back to the champion now (the rollout ends);
 * else the deployment's alias goes back to the version it pointed at before
 * its last move.
 */
export async function rollbackDeployment(ctx: RequestContext, opts: { name: string; reason: string }) {
  const d = await find(ctx, opts.name);
  if (d.rollout) {
    const result = await decideRollout(ctx, d, "rollback", opts.reason);
    return { ...summary(await find(ctx, opts.name)), outcome: result.reason };
  }
  const model = await getModelByName(ctx.db, ctx.teamId, d.modelName);
  const current = model?.aliases[d.alias];
  const last = model?.events.find((e) => e.alias === d.alias && e.toVersion === current && e.fromVersion !== null);
  if (current === undefined || !last || last.fromVersion === null) {
    throw new ServiceError("invalid", `deployment ${d.name}: ${d.alias} has no earlier version to roll back to`, [
      { nodeId: null, field: "name", message: `${d.alias} has no earlier version` },
    ]);
  }
  const moved = await setAlias(ctx, { name: d.modelName, alias: d.alias, version: last.fromVersion, reason: opts.reason });
  return { ...summary(await find(ctx, opts.name)), outcome: `${d.alias}: v${moved.fromVersion} → v${moved.version} (rolled back)` };
}
