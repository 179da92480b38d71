/**
 * Who is calling. Until authentication lands (a later issue: better-auth),
 * every request acts as the seeded local user of the local team; every
 * service still takes the team explicitly and every query filters by it.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { LOCAL_TEAM_SLUG, LOCAL_USER_EMAIL } from "../db/seed";
import { teams, users } from "../db/schema";

export interface RequestContext {
  db: Db;
  teamId: string;
  userId: string;
}

let cached: Promise<{ teamId: string; userId: string }> | undefined;

export async function requestContext(): Promise<RequestContext> {
  const db = getDb();
  cached ??= (async () => {
    const [team] = await db.select({ id: teams.id }).from(teams).where(eq(teams.slug, LOCAL_TEAM_SLUG));
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, LOCAL_USER_EMAIL));
    if (!team || !user) throw new Error("the local team is not seeded: run migrations (npm run dev does)");
    return { teamId: team.id, userId: user.id };
  })().catch((e) => {
    cached = undefined;
    throw e;
  });
  return { db, ...(await cached) };
}
