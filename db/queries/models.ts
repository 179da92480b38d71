import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { aliasEvents, deployments, modelAliases, models, modelVersions, pipelines, runs } from "../schema";
import type { ModelManifest } from "../../contract/model";

/** NOTIFY channel: payload is the deployment/model name whose target changed. */
export const MODEL_CHANGES_CHANNEL = "conveyor_models";

export interface ServedModel {
  name: string;
  modelName: string;
  version: number;
  artifactUri: string;
  sha256: string;
  manifest: ModelManifest;
}

/**
 * What `/v2/models/{name}/versions/{v}` serves: version `v` of the model the
 * active deployment `name` serves (any version of it, routed or not). Without
 * a version the deployment's routes decide (./deployments resolveDeployment).
 */
export async function resolveServedVersion(db: Db, name: string, version: number): Promise<(ServedModel & { logTo?: string }) | null> {
  const [row] = await db
    .select({ modelName: models.name, mv: modelVersions, deploymentId: deployments.id, monitoring: deployments.monitoring })
    .from(deployments)
    .innerJoin(models, eq(models.id, deployments.modelId))
    .innerJoin(modelVersions, and(eq(modelVersions.modelId, deployments.modelId), eq(modelVersions.version, version)))
    .where(and(eq(deployments.name, name), eq(deployments.status, "active")))
    .limit(1);
  if (!row) return null;
  return {
    name,
    modelName: row.modelName,
    version: row.mv.version,
    artifactUri: row.mv.artifactUri,
    sha256: row.mv.sha256,
    manifest: row.mv.manifest as unknown as ModelManifest,
    // Predictions of an explicit version are logged too (as the deployment's), unless its monitoring is off.
    ...(row.monitoring.enabled !== false ? { logTo: row.deploymentId } : {}),
  };
}

export interface RegisterVersionInput {
  teamId: string;
  modelName: string;
  runId: string;
  artifactUri: string;
  sha256: string;
  manifest: ModelManifest;
  metrics: Record<string, number>;
}

/**
 * Registers a new immutable version. Idempotent per (model, run): a retried
 * activity gets the version it already created.
 */
export async function registerModelVersion(db: Db, input: RegisterVersionInput): Promise<{ modelId: string; version: number; unchanged: boolean }> {
  return db.transaction(async (tx) => {
    const [model] = await tx
      .insert(models)
      .values({ teamId: input.teamId, name: input.modelName })
      .onConflictDoUpdate({ target: [models.teamId, models.name], set: { name: sql`excluded.name` } })
      .returning({ id: models.id });
    const modelId = model!.id;
    // Serialize version allocation per model.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${modelId}))`);
    const [existing] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.runId, input.runId), eq(modelVersions.sha256, input.sha256)))
      .limit(1);
    if (existing) return { modelId, version: existing.version, unchanged: false };
    // The same bytes as a version another run registered: nothing new to register.
    const [same] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.sha256, input.sha256)))
      .orderBy(desc(modelVersions.version))
      .limit(1);
    if (same) return { modelId, version: same.version, unchanged: true };
    const [last] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(eq(modelVersions.modelId, modelId))
      .orderBy(desc(modelVersions.version))
      .limit(1);
    const version = (last?.version ?? 0) + 1;
    await tx.insert(modelVersions).values({
      modelId,
      version,
      runId: input.runId,
      artifactUri: input.artifactUri,
      sha256: input.sha256,
      manifest: input.manifest,
      metrics: input.metrics,
    });
    return { modelId, version, unchanged: false };
  });
}

/** Moves an alias with an audit event and notifies serving processes. */
export async function moveAlias(
  db: Db,
  input: { modelId: string; alias: string; version: number; actor: string; reason: string; runId?: string },
): Promise<{ fromVersion: number | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.modelId + ":" + input.alias}))`);
    const [prev] = await tx
      .select({ version: modelAliases.version })
      .from(modelAliases)
      .where(and(eq(modelAliases.modelId, input.modelId), eq(modelAliases.alias, input.alias)))
      .limit(1);
    if (prev?.version === input.version) return { fromVersion: prev.version };
    await tx
      .insert(modelAliases)
      .values({ modelId: input.modelId, alias: input.alias, version: input.version })
      .onConflictDoUpdate({ target: [modelAliases.modelId, modelAliases.alias], set: { version: input.version, updatedAt: new Date() } });
    await tx.insert(aliasEvents).values({
      modelId: input.modelId,
      alias: input.alias,
      fromVersion: prev?.version ?? null,
      toVersion: input.version,
      actor: input.actor,
      reason: input.reason,
      runId: input.runId ?? null,
    });
    const [m] = await tx.select({ name: models.name }).from(models).where(eq(models.id, input.modelId));
    await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${m!.name})`);
    return { fromVersion: prev?.version ?? null };
  });
}

/** Removes an alias with an audit event and notifies serving processes; fromVersion null when there was none. */
export async function removeAlias(db: Db, input: { modelId: string; alias: string; actor: string; reason: string }): Promise<{ fromVersion: number | null }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.modelId + ":" + input.alias}))`);
    const [gone] = await tx
      .delete(modelAliases)
      .where(and(eq(modelAliases.modelId, input.modelId), eq(modelAliases.alias, input.alias)))
      .returning({ version: modelAliases.version });
    if (!gone) return { fromVersion: null };
    await tx
      .insert(aliasEvents)
      .values({ modelId: input.modelId, alias: input.alias, fromVersion: gone.version, toVersion: null, actor: input.actor, reason: input.reason });
    const [m] = await tx.select({ name: models.name }).from(models).where(eq(models.id, input.modelId));
    await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${m!.name})`);
    return { fromVersion: gone.version };
  });
}

export async function getModelByName(db: Db, teamId: string, name: string) {
  const [model] = await db
    .select()
    .from(models)
    .where(and(eq(models.teamId, teamId), eq(models.name, name)))
    .limit(1);
  if (!model) return null;
  const versions = await db
    .select({
      version: modelVersions.version,
      metrics: modelVersions.metrics,
      runId: modelVersions.runId,
      createdAt: modelVersions.createdAt,
      sha256: modelVersions.sha256,
      manifest: modelVersions.manifest,
    })
    .from(modelVersions)
    .where(eq(modelVersions.modelId, model.id))
    .orderBy(desc(modelVersions.version));
  const aliasRows = await db.select().from(modelAliases).where(eq(modelAliases.modelId, model.id));
  const events = await db
    .select({
      alias: aliasEvents.alias,
      fromVersion: aliasEvents.fromVersion,
      toVersion: aliasEvents.toVersion,
      actor: aliasEvents.actor,
      reason: aliasEvents.reason,
      runId: aliasEvents.runId,
      createdAt: aliasEvents.createdAt,
      pipelineName: pipelines.name,
    })
    .from(aliasEvents)
    .leftJoin(runs, eq(runs.id, aliasEvents.runId))
    .leftJoin(pipelines, eq(pipelines.id, runs.pipelineId))
    .where(eq(aliasEvents.modelId, model.id))
    .orderBy(desc(aliasEvents.createdAt))
    .limit(100);
  return {
    model,
    versions,
    aliases: Object.fromEntries(aliasRows.map((a) => [a.alias, a.version])) as Record<string, number>,
    events,
  };
}

export async function getModelVersion(db: Db, teamId: string, name: string, version: number) {
  const [row] = await db
    .select({ model: models, version: modelVersions })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(and(eq(models.teamId, teamId), eq(models.name, name), eq(modelVersions.version, version)))
    .limit(1);
  return row ?? null;
}

/** A team's models: latest version, aliases and active deployments; `q` filters by name (substring, any case). */
export async function listModels(db: Db, teamId: string, opts: { q?: string; sort?: "name" | "updated" | "created" } = {}) {
  const latestAt = sql<Date | null>`(select max(${modelVersions.createdAt}) from ${modelVersions} where ${modelVersions.modelId} = ${models.id})`;
  const rows = await db
    .select({
      id: models.id,
      name: models.name,
      createdAt: models.createdAt,
      latestVersion: sql<number | null>`(select max(${modelVersions.version}) from ${modelVersions} where ${modelVersions.modelId} = ${models.id})`,
      latestAt,
    })
    .from(models)
    .where(and(eq(models.teamId, teamId), opts.q ? sql`strpos(lower(${models.name}), lower(${opts.q})) > 0` : undefined))
    .orderBy(
      ...(opts.sort === "updated"
        ? [sql`${latestAt} desc nulls last`, models.name]
        : opts.sort === "created"
          ? [desc(models.createdAt), models.name]
          : [models.name]),
    );
  const ids = rows.map((r) => r.id);
  const [aliasRows, depRows] = ids.length
    ? await Promise.all([
        db.select().from(modelAliases).where(inArray(modelAliases.modelId, ids)),
        db
          .select({ modelId: deployments.modelId, name: deployments.name })
          .from(deployments)
          .where(and(inArray(deployments.modelId, ids), eq(deployments.status, "active"))),
      ])
    : [[], []];
  return rows.map(({ id, ...r }) => ({
    ...r,
    latestAt: r.latestAt ? new Date(r.latestAt) : null,
    aliases: Object.fromEntries(aliasRows.filter((a) => a.modelId === id).map((a) => [a.alias, a.version])),
    deployments: depRows.filter((d) => d.modelId === id).map((d) => d.name),
  }));
}

/** The version an alias of a team's model points at (e.g. its `champion`), or null when the model or the alias does not exist. */
export async function getAliasedVersion(db: Db, teamId: string, modelName: string, alias: string) {
  const [row] = await db
    .select({
      version: modelVersions.version,
      sha256: modelVersions.sha256,
      artifactUri: modelVersions.artifactUri,
      manifest: modelVersions.manifest,
      metrics: modelVersions.metrics,
    })
    .from(models)
    .innerJoin(modelAliases, and(eq(modelAliases.modelId, models.id), eq(modelAliases.alias, alias)))
    .innerJoin(modelVersions, and(eq(modelVersions.modelId, models.id), eq(modelVersions.version, modelAliases.version)))
    .where(and(eq(models.teamId, teamId), eq(models.name, modelName)))
    .limit(1);
  return row ? { ...row, manifest: row.manifest as unknown as ModelManifest } : null;
}

/**
 * Deletes the team's model `name` with its versions, aliases and alias
 * events, unless a deployment uses it or an alias points at a version (then
 * nothing changes and `used` says what). The model row is locked, so an alias
 * cannot appear between the check and the delete.
 */
export async function deleteModelUnlessUsed(
  db: Db,
  teamId: string,
  name: string,
): Promise<
  | { status: "missing" }
  | { status: "used"; deployments: { name: string; status: string }[]; aliases: { alias: string; version: number }[] }
  | { status: "deleted"; versions: number }
> {
  return db.transaction(async (tx) => {
    const [model] = await tx
      .select({ id: models.id })
      .from(models)
      .where(and(eq(models.teamId, teamId), eq(models.name, name)))
      .for("update");
    if (!model) return { status: "missing" as const };
    const deps = await tx
      .select({ name: deployments.name, status: deployments.status })
      .from(deployments)
      .where(eq(deployments.modelId, model.id))
      .orderBy(deployments.name);
    const aliases = await tx
      .select({ alias: modelAliases.alias, version: modelAliases.version })
      .from(modelAliases)
      .where(eq(modelAliases.modelId, model.id))
      .orderBy(modelAliases.alias);
    if (deps.length || aliases.length) return { status: "used" as const, deployments: deps, aliases };
    const gone = await tx.delete(modelVersions).where(eq(modelVersions.modelId, model.id)).returning({ version: modelVersions.version });
    await tx.delete(models).where(eq(models.id, model.id));
    await tx.execute(sql`select pg_notify(${MODEL_CHANGES_CHANNEL}, ${name})`);
    return { status: "deleted" as const, versions: gone.length };
  });
}
