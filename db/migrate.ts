import { fileURLToPath } from "node:url";
import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { env } from "../infra/env";
import { createDb } from "./client";
import { seedLocal } from "./seed";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies pending migrations and the local team/user seed. Idempotent. */
export async function migrateAndSeed(url: string): Promise<void> {
  const db = createDb(url, { max: 1 });
  try {
    await migrate(db, { migrationsFolder });
    await seedLocal(db);
  } finally {
    await db.$client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await migrateAndSeed(env().databaseUrl);
  console.log("migrations applied");
}
