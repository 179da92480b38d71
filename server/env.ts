/**
 * Process configuration, validated once. Every variable is optional: the
 * defaults are what `npm run dev` starts (DESIGN.md §9 "config").
 */
import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "../db/client";

const Env = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  TEMPORAL_ADDRESS: z.string().default("127.0.0.1:7233"),
  TEMPORAL_NAMESPACE: z.string().default("default"),
  TEMPORAL_TASK_QUEUE: z.string().default("conveyor-pipelines"),
  ARTIFACT_DIR: z.string().optional(),
  TEMPORAL_CLI_PATH: z.string().optional(),
  SERVING_PORT: z.coerce.number().int().positive().default(8080),
  SERVING_HOST: z.string().default("127.0.0.1"),
  SERVING_URL: z.string().url().default("http://127.0.0.1:8080"),
  WEB_PORT: z.coerce.number().int().positive().default(3000),
});

export type Env = z.infer<typeof Env>;

let cached: Env | undefined;
export function env(): Env {
  if (!cached) {
    const parsed = Env.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== "")));
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}
