import type { Db } from "../client";
import { teamMembers, teams } from "../schema";

export async function createTeam(db: Db, input: { slug: string; name: string; adminUserId: string }): Promise<{ id: string }> {
  const [team] = await db.insert(teams).values({ slug: input.slug, name: input.name }).returning({ id: teams.id });
  await db.insert(teamMembers).values({ teamId: team!.id, userId: input.adminUserId, role: "admin" });
  return team!;
}
