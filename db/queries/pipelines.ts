import { and, desc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { deployments, modelAliases, models, modelVersions, pipelineDrafts, pipelines, pipelineVersions, runs, users } from "../schema";

/** A pipeline that is not (soft-)deleted: every lookup but restore sees only these. */
const live = isNull(pipelines.deletedAt);

export async function insertPipeline(
  db: Db,
  input: { teamId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string; isTemplate?: boolean },
) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .insert(pipelines)
      .values({ teamId: input.teamId, name: input.name, description: input.description, latestVersion: 1, isTemplate: input.isTemplate ?? false })
      .returning();
    await tx.insert(pipelineVersions).values({ pipelineId: p!.id, version: 1, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    return { id: p!.id, version: 1 };
  });
}

/** Appends an immutable version and drops the draft (it is now a version); the row lock serializes concurrent saves. */
export async function insertPipelineVersion(
  db: Db,
  input: { teamId: string; pipelineId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string },
) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .select({ latest: pipelines.latestVersion })
      .from(pipelines)
      .where(and(eq(pipelines.id, input.pipelineId), eq(pipelines.teamId, input.teamId), live))
      .for("update");
    if (!p) return null;
    const version = p.latest + 1;
    await tx
      .insert(pipelineVersions)
      .values({ pipelineId: input.pipelineId, version, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    await tx
      .update(pipelines)
      .set({ latestVersion: version, name: input.name, description: input.description, updatedAt: sql`now()` })
      .where(eq(pipelines.id, input.pipelineId));
    await tx.delete(pipelineDrafts).where(and(eq(pipelineDrafts.pipelineId, input.pipelineId), eq(pipelineDrafts.teamId, input.teamId)));
    return { id: input.pipelineId, version };
  });
}

export async function getPipeline(db: Db, teamId: string, id: string, version?: number) {
  const [p] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id), live))
    .limit(1);
  if (!p) return null;
  const v = version ?? p.latestVersion;
  const [pv] = await db
    .select()
    .from(pipelineVersions)
    .where(and(eq(pipelineVersions.pipelineId, id), eq(pipelineVersions.version, v)))
    .limit(1);
  if (!pv) return null;
  const [versions, [draft]] = await Promise.all([
    listPipelineVersions(db, teamId, id),
    db
      .select({ baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt })
      .from(pipelineDrafts)
      .where(and(eq(pipelineDrafts.pipelineId, id), eq(pipelineDrafts.teamId, teamId))),
  ]);
  return { pipeline: p, version: pv, versions, draft: draft ?? null };
}

/** Newest first, with the author (null for versions saved by no user). */
export async function listPipelineVersions(db: Db, teamId: string, id: string) {
  const rows = await db
    .select({
      version: pipelineVersions.version,
      message: pipelineVersions.message,
      createdAt: pipelineVersions.createdAt,
      authorId: users.id,
      authorName: users.name,
    })
    .from(pipelineVersions)
    .innerJoin(pipelines, and(eq(pipelines.id, pipelineVersions.pipelineId), eq(pipelines.teamId, teamId), live))
    .leftJoin(users, eq(users.id, pipelineVersions.createdBy))
    .where(eq(pipelineVersions.pipelineId, id))
    .orderBy(desc(pipelineVersions.version));
  return rows.map(({ authorId, authorName, ...v }) => ({ ...v, createdBy: authorId ? { id: authorId, name: authorName! } : null }));
}

export async function findPipelineLatestVersion(db: Db, teamId: string, id: string): Promise<number | null> {
  const [p] = await db
    .select({ latest: pipelines.latestVersion })
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id), live));
  return p?.latest ?? null;
}

export async function findPipelineDraft(db: Db, teamId: string, pipelineId: string) {
  const [d] = await db
    .select({ spec: pipelineDrafts.spec, baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt, userId: users.id, userName: users.name })
    .from(pipelineDrafts)
    .leftJoin(users, eq(users.id, pipelineDrafts.updatedBy))
    .where(and(eq(pipelineDrafts.pipelineId, pipelineId), eq(pipelineDrafts.teamId, teamId)));
  if (!d) return null;
  const { userId, userName, ...draft } = d;
  return { ...draft, updatedBy: userId ? { id: userId, name: userName! } : null };
}

/**
 * Creates or replaces the draft of a pipeline of `teamId`; null when the team
 * has no such pipeline (the insert selects from pipelines, so it cannot
 * attach a draft to another team's pipeline).
 */
export async function upsertPipelineDraft(db: Db, input: { teamId: string; pipelineId: string; spec: unknown; baseVersion: number; updatedBy: string | null }) {
  const [d] = await db
    .insert(pipelineDrafts)
    .select(
      db
        .select({
          pipelineId: pipelines.id,
          teamId: pipelines.teamId,
          spec: sql`${JSON.stringify(input.spec)}::jsonb`.as("spec"),
          baseVersion: sql`${input.baseVersion}::integer`.as("base_version"),
          updatedAt: sql`now()`.as("updated_at"),
          updatedBy: sql`${input.updatedBy}::uuid`.as("updated_by"),
        })
        .from(pipelines)
        .where(and(eq(pipelines.id, input.pipelineId), eq(pipelines.teamId, input.teamId), live)),
    )
    .onConflictDoUpdate({
      target: pipelineDrafts.pipelineId,
      set: { spec: sql`excluded.spec`, baseVersion: sql`excluded.base_version`, updatedAt: sql`excluded.updated_at`, updatedBy: sql`excluded.updated_by` },
      setWhere: eq(pipelineDrafts.teamId, input.teamId),
    })
    .returning({ baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt });
  return d ?? null;
}

/** True when a draft was deleted. */
export async function deletePipelineDraft(db: Db, teamId: string, pipelineId: string): Promise<boolean> {
  const gone = await db
    .delete(pipelineDrafts)
    .where(and(eq(pipelineDrafts.pipelineId, pipelineId), eq(pipelineDrafts.teamId, teamId)))
    .returning({ pipelineId: pipelineDrafts.pipelineId });
  return gone.length > 0;
}

export type PipelineSort = "updated" | "name" | "lastRun";

/**
 * The team's pipelines with their latest run: `q` keeps names containing it
 * (any case); `sort` updated (newest change first), name, or lastRun (most
 * recently run first, never-run last). `deleted` lists the soft-deleted ones
 * instead (most recently deleted first), to restore.
 */
export async function listPipelines(db: Db, teamId: string, opts: { q?: string; sort?: PipelineSort; deleted?: boolean } = {}) {
  const lastRun = db
    .select({ id: runs.id, status: runs.status, createdAt: runs.createdAt })
    .from(runs)
    .where(eq(runs.pipelineId, pipelines.id))
    .orderBy(desc(runs.createdAt))
    .limit(1)
    .as("last_run");
  const rows = await db
    .select({
      id: pipelines.id,
      name: pipelines.name,
      description: pipelines.description,
      latestVersion: pipelines.latestVersion,
      updatedAt: pipelines.updatedAt,
      isTemplate: pipelines.isTemplate,
      deletedAt: pipelines.deletedAt,
      lastRunId: lastRun.id,
      lastRunStatus: lastRun.status,
      lastRunAt: lastRun.createdAt,
    })
    .from(pipelines)
    .leftJoinLateral(lastRun, sql`true`)
    .where(
      and(
        eq(pipelines.teamId, teamId),
        opts.deleted ? isNotNull(pipelines.deletedAt) : live,
        opts.q ? sql`strpos(lower(${pipelines.name}), lower(${opts.q})) > 0` : undefined,
      ),
    )
    .orderBy(
      ...(opts.deleted
        ? [desc(pipelines.deletedAt)]
        : opts.sort === "name"
          ? [sql`lower(${pipelines.name})`, pipelines.id]
          : opts.sort === "lastRun"
            ? [sql`${lastRun.createdAt} desc nulls last`, desc(pipelines.updatedAt)]
            : [desc(pipelines.updatedAt)]),
    );
  return rows.map(({ lastRunId, lastRunStatus, lastRunAt, ...p }) => ({
    ...p,
    lastRun: lastRunId ? { id: lastRunId, status: lastRunStatus!, createdAt: new Date(lastRunAt!) } : null,
  }));
}

/** The names of the team's live pipelines that start with `prefix` (to find a free name for a copy). */
export async function pipelineNamesLike(db: Db, teamId: string, prefix: string): Promise<string[]> {
  const rows = await db
    .select({ name: pipelines.name })
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), live, sql`starts_with(${pipelines.name}, ${prefix})`));
  return rows.map((r) => r.name);
}

/** Marks a live pipeline deleted; null when the team has no such live pipeline. */
export async function softDeletePipeline(db: Db, teamId: string, id: string, userId: string | null) {
  const [p] = await db
    .update(pipelines)
    .set({ deletedAt: sql`now()`, deletedBy: userId })
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id), live))
    .returning({ id: pipelines.id, name: pipelines.name, deletedAt: pipelines.deletedAt });
  return p ? { ...p, deletedAt: p.deletedAt! } : null;
}

/** Brings a soft-deleted pipeline back; null when the team has no such deleted pipeline. */
export async function restoreDeletedPipeline(db: Db, teamId: string, id: string) {
  const [p] = await db
    .update(pipelines)
    .set({ deletedAt: null, deletedBy: null })
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id), isNotNull(pipelines.deletedAt)))
    .returning({ id: pipelines.id, name: pipelines.name, latestVersion: pipelines.latestVersion });
  return p ?? null;
}

/** The latest spec of a live pipeline of the team, or null. */
export async function latestPipelineSpec(db: Db, teamId: string, id: string) {
  const [row] = await db
    .select({ id: pipelines.id, name: pipelines.name, version: pipelines.latestVersion, spec: pipelineVersions.spec })
    .from(pipelines)
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id), live));
  return row ?? null;
}

/**
 * What depends on a pipeline: its runs still queued or running, and the
 * model versions its runs trained that an alias points at or a deployment
 * routes to (their lineage and retraining lead back to it).
 */
export async function pipelineDependents(db: Db, teamId: string, id: string) {
  const active = await db
    .select({ id: runs.id, status: runs.status })
    .from(runs)
    .where(and(eq(runs.teamId, teamId), eq(runs.pipelineId, id), inArray(runs.status, ["queued", "running"])))
    .orderBy(desc(runs.createdAt));
  const trained = await db
    .select({ modelId: models.id, model: models.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(models, and(eq(models.id, modelVersions.modelId), eq(models.teamId, teamId)))
    .innerJoin(runs, eq(runs.id, modelVersions.runId))
    .where(eq(runs.pipelineId, id));
  const modelIds = [...new Set(trained.map((t) => t.modelId))];
  const [aliasRows, depRows] = modelIds.length
    ? await Promise.all([
        db.select().from(modelAliases).where(inArray(modelAliases.modelId, modelIds)),
        db
          .select({ name: deployments.name, modelId: deployments.modelId, routes: deployments.routes, alias: deployments.alias, rollout: deployments.rollout })
          .from(deployments)
          .where(and(inArray(deployments.modelId, modelIds), eq(deployments.status, "active"))),
      ])
    : [[], []];
  const isTrained = (modelId: string, version: number | undefined) =>
    version !== undefined && trained.some((t) => t.modelId === modelId && t.version === version);
  const modelName = (modelId: string) => trained.find((t) => t.modelId === modelId)!.model;
  const aliases = aliasRows.filter((a) => isTrained(a.modelId, a.version)).map((a) => ({ model: modelName(a.modelId), alias: a.alias, version: a.version }));
  const served = depRows.flatMap((d) => {
    const versions = new Set<number>();
    for (const r of d.routes) {
      const v = r.version ?? aliasRows.find((a) => a.modelId === d.modelId && a.alias === r.alias)?.version;
      if (v !== undefined && isTrained(d.modelId, v)) versions.add(v);
    }
    if (d.rollout && isTrained(d.modelId, d.rollout.challenger)) versions.add(d.rollout.challenger);
    return [...versions].map((version) => ({ deployment: d.name, model: modelName(d.modelId), version }));
  });
  return { activeRuns: active, aliases, deployments: served };
}

export async function findPipelineByName(db: Db, teamId: string, name: string) {
  const [p] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.name, name), live))
    .limit(1);
  return p ?? null;
}

/** Pipelines of the team whose latest saved version has a `drift` trigger on `deployment`, with that version's spec. */
export async function pipelinesWatching(db: Db, teamId: string, deployment: string) {
  return db
    .select({ id: pipelines.id, name: pipelines.name, version: pipelineVersions.version, spec: pipelineVersions.spec })
    .from(pipelines)
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(and(eq(pipelines.teamId, teamId), live, sql`${pipelineVersions.spec} -> 'triggers' @> ${JSON.stringify([{ type: "drift", deployment }])}::jsonb`));
}
