import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { teams, users, teamMembers } from "./schema";
import { findPipelineByName, insertPipeline } from "./queries/pipelines";
import { SEED_TEMPLATES } from "../contract/templates";

/** The single local team and user every development install starts with. */
export const LOCAL_TEAM_SLUG = "local";
export const LOCAL_USER_EMAIL = "dev@conveyor.local";

export async function seedLocal(db: Db): Promise<{ teamId: string; userId: string }> {
  const [team] = await db
    .insert(teams)
    .values({ slug: LOCAL_TEAM_SLUG, name: "Local team" })
    .onConflictDoUpdate({ target: teams.slug, set: { slug: sql`excluded.slug` } })
    .returning({ id: teams.id });
  const [user] = await db
    .insert(users)
    .values({ email: LOCAL_USER_EMAIL, name: "Local developer" })
    .onConflictDoUpdate({ target: users.email, set: { email: sql`excluded.email` } })
    .returning({ id: users.id });
  await db.insert(teamMembers).values({ teamId: team!.id, userId: user!.id, role: "admin" }).onConflictDoNothing();
  for (const t of SEED_TEMPLATES) {
    if (await findPipelineByName(db, team!.id, t.spec.name)) continue;
    await insertPipeline(db, {
      teamId: team!.id,
      name: t.spec.name,
      description: t.spec.description,
      spec: t.spec,
      message: t.message,
      createdBy: user!.id,
      isTemplate: true,
    });
  }
  return { teamId: team!.id, userId: user!.id };
}
