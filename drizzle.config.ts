import { defineConfig } from "drizzle-kit";
import { env } from "./infra/env";

export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./db/migrations",
  dbCredentials: { url: env().databaseUrl },
});
