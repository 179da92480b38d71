import type { Db } from "../client";
import { eq } from "drizzle-orm";
import { teamMembers, teams, users } from "../schema";
import { LOCAL_TEAM_SLUG, LOCAL_USER_EMAIL } from "../seed";

export async function createTeam(db: Db, input: { slug: string; name: string; adminUserId: string }): Promise<{ id: string }> {
  const [team] = await db.insert(teams).values({ slug: input.slug, name: input.name }).returning({ id: teams.id });
  await db.insert(teamMembers).values({ teamId: team!.id, userId: input.adminUserId, role: "admin" });
  return team!;
}

/** The seeded local team and user (see db/seed.ts), or null before seeding. */
export async function findLocalIdentity(db: Db): Promise<{ teamId: string; userId: string } | null> {
  const [team] = await db.select({ id: teams.id }).from(teams).where(eq(teams.slug, LOCAL_TEAM_SLUG));
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, LOCAL_USER_EMAIL));
  return team && user ? { teamId: team.id, userId: user.id } : null;
}
