import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "../infra/env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

/** One pool per process; callers pass the Db around explicitly. */
export function createDb(url = env().databaseUrl, opts: { max?: number } = {}): Db {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {} });
  return drizzle(client, { schema });
}

let shared: Db | undefined;
/** The process-wide Db (web, worker and serving each have their own). */
export function getDb(): Db {
  shared ??= createDb();
  return shared;
}
