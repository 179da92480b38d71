/**
 * Who is calling. Until authentication lands (a later issue: better-auth),
 * every request acts as the seeded local user of the local team; every
 * service still takes the team explicitly and every query filters by it.
 */
import type { Db } from "../db/client";
import { getDb } from "../db/client";
import { findLocalIdentity } from "../db/queries/teams";

export interface RequestContext {
  db: Db;
  teamId: string;
  userId: string;
  /** Which door the request came through: the UI's tRPC or the REST API (a run records it as its trigger). */
  via?: "trpc" | "rest";
}

/** The context of an operation that acts for nobody (endpoints marked `noCaller`): no team, no user. */
export function noCallerContext(via?: RequestContext["via"]): RequestContext {
  return { db: getDb(), teamId: "", userId: "", via };
}

let cached: Promise<{ teamId: string; userId: string }> | undefined;

export async function requestContext(via?: RequestContext["via"]): Promise<RequestContext> {
  const db = getDb();
  cached ??= (async () => {
    const found = await findLocalIdentity(db);
    if (!found) throw new Error("the local team is not seeded: run migrations (npm run dev does)");
    return found;
  })().catch((e) => {
    cached = undefined;
    throw e;
  });
  return { db, ...(await cached), via };
}
