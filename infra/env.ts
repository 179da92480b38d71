/**
 * Process configuration: the only place that reads `process.env` for the
 * product (web, worker, serving, the dev supervisor). Every variable is
 * optional; the defaults are what `npm run dev` starts. The README's
 * configuration table lists the same variables (a test keeps them in step).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";

export const DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5433/conveyor";

const port = z.coerce.number().int().min(1).max(65535);

export const ENV_SCHEMA = z.object({
  DATABASE_URL: z.url().optional().describe("any PostgreSQL server; default: the embedded one `npm run dev` starts on POSTGRES_PORT"),
  TEMPORAL_ADDRESS: z.string().optional().describe("a Temporal frontend (host:port); default: the dev server `npm run dev` starts on TEMPORAL_PORT"),
  TEMPORAL_NAMESPACE: z.string().default("default").describe("Temporal namespace"),
  TEMPORAL_TLS: z.enum(["0", "1"]).optional().describe("1: connect to Temporal over TLS (on by itself when a TEMPORAL_TLS_* file or TEMPORAL_API_KEY is set)"),
  TEMPORAL_TLS_CA: z.string().optional().describe("PEM file of the CA that signed the Temporal frontend's certificate; default the system's CAs"),
  TEMPORAL_TLS_CERT: z.string().optional().describe("PEM client certificate for mTLS (with TEMPORAL_TLS_KEY)"),
  TEMPORAL_TLS_KEY: z.string().optional().describe("PEM private key of TEMPORAL_TLS_CERT"),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional().describe("server name (SNI) to verify instead of the address's host"),
  TEMPORAL_API_KEY: z.string().optional().describe("API key sent to Temporal (Temporal Cloud); implies TLS"),
  TEMPORAL_TASK_QUEUE: z.string().default("conveyor-pipelines").describe("task queue of the pipeline workflow and its activities"),
  CONVEYOR_WORKER_QUEUES: z
    .string()
    .default("light,heavy")
    .pipe(z.string().regex(/^(light|heavy)(,(light|heavy))?$/, 'a comma-separated list of "light" and "heavy"'))
    .describe("task queues a worker process polls: light (the pipeline workflow and light steps), heavy (training: TEMPORAL_TASK_QUEUE-heavy)"),
  WORKER_MAX_ACTIVITIES: z.coerce.number().int().positive().optional().describe("concurrent light activities per worker process; default no cap"),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .min(0)
    .default(8)
    .describe("on SIGTERM, how long a worker lets running steps finish before it hands them back to another worker"),
  WORKER_MAX_HEAVY_ACTIVITIES: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("concurrent heavy activities (trainings) per worker process; default the number of cores"),
  TEMPORAL_CLI_PATH: z
    .string()
    .optional()
    .describe("the `temporal` binary (1.9.x) for the dev server; default: found on PATH or fetched into ~/.cache/conveyor/bin"),
  ARTIFACT_DIR: z
    .string()
    .optional()
    .describe("where datasets and models are stored, content-addressed, when ARTIFACT_URI is unset; default: CONVEYOR_DATA_DIR/artifacts"),
  ARTIFACT_URI: z
    .string()
    .regex(/^(s3|file):\/\//, "must be s3://bucket[/prefix] or a file:// URI")
    .optional()
    .describe("where datasets and models are stored: s3://bucket/prefix (S3 or any S3-compatible server) or file:///dir; default: file:// of ARTIFACT_DIR"),
  S3_ENDPOINT: z.url().optional().describe("the S3 endpoint (SeaweedFS, MinIO…); default: AWS S3 of the region"),
  S3_REGION: z.string().optional().describe("the S3 region; default: AWS_REGION, else us-east-1"),
  AWS_REGION: z.string().optional().describe("the AWS SDK's region, used when S3_REGION is unset"),
  S3_FORCE_PATH_STYLE: z
    .enum(["0", "1"])
    .optional()
    .describe("1: path-style S3 URLs (endpoint/bucket/key), which most S3-compatible servers need; default: 1 when S3_ENDPOINT is set"),
  ARTIFACT_CACHE_DIR: z
    .string()
    .optional()
    .describe("local cache of s3:// artifacts by sha256 (with an s3:// store also the steps' scratch space); default: CONVEYOR_DATA_DIR/artifact-cache"),
  ARTIFACT_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 ** 3)
    .describe("bound of the local cache; least recently used files are evicted past it (default 10 GiB)"),
  ARTIFACT_DOWNLOAD: z
    .enum(["stream", "redirect"])
    .default("stream")
    .describe(
      "model downloads from s3:// in the web app: stream through the app, or redirect to a presigned URL (the browser must reach S3_ENDPOINT, and CORS for the preview)",
    ),
  SEAWEEDFS_PATH: z
    .string()
    .optional()
    .describe("the `weed` binary (SeaweedFS) for the tests' and dev's S3 server; default: PATH or ~/.cache/conveyor/bin, else built with Go"),
  CONVEYOR_DATA_DIR: z.string().default(".data").describe("data directory of `npm run dev`: postgres, temporal.sqlite, artifacts"),
  CONVEYOR_RESET_DATA: z.enum(["0", "1"]).default("0").describe("1: delete the data directory before starting (e2e tests)"),
  POSTGRES_PORT: port.default(5433).describe("port of the embedded PostgreSQL"),
  TEMPORAL_PORT: port.default(7233).describe("port of the Temporal dev server"),
  TEMPORAL_UI_PORT: port.optional().describe("port of the Temporal UI; default TEMPORAL_PORT + 1000"),
  WEB_PORT: port.default(3000).describe("port of the web app"),
  SERVING_PORT: port.default(8080).describe("port of the serving process"),
  SERVING_HOST: z.string().default("127.0.0.1").describe("address the serving process listens on"),
  SERVING_URL: z.url().optional().describe("where the web app and worker reach serving; default http://127.0.0.1:SERVING_PORT"),
  SERVING_BATCH_MAX_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .default(64)
    .describe("dynamic batching: most rows serving runs a model on at once, coalescing concurrent requests; 1 turns batching off"),
  SERVING_BATCH_MAX_DELAY_MS: z.coerce
    .number()
    .min(0)
    .default(1)
    .describe("dynamic batching: longest a request waits for others to join its batch (ms); 0 turns batching off"),
  PREDICTION_LOG_MAX_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe("prediction log: most rows serving keeps waiting to be written; more are dropped and counted in /metrics"),
  PREDICTION_LOG_FLUSH_MS: z.coerce.number().int().min(10).default(1_000).describe("prediction log: how often serving writes the rows it logged (ms)"),
  PREDICTION_LOG_BATCH_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .default(5_000)
    .describe("prediction log: serving writes at once when this many rows wait; the most rows one write carries"),
  NEXT_DIST_DIR: z.string().default(".next").describe("build directory of the web app (a second stack in one checkout needs its own)"),
  CONVEYOR_BENCH_PAGES: z.enum(["0", "1"]).default("0").describe("1: serve the benchmark fixture pages under /bench (benchmarks only)"),
  NODE_ENV: z.string().optional().describe("production: `npm start` sets it for its processes (logs default to JSON); development: `npm run dev`"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info").describe("least severe level a process logs"),
  LOG_FORMAT: z
    .enum(["json", "pretty"])
    .optional()
    .describe("json: one JSON object per line; pretty: a short line for people; default json when NODE_ENV=production, else pretty"),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe("an OTLP/HTTP receiver (e.g. http://collector:4318): traces go to its /v1/traces; unset: no tracing at all"),
  OTEL_SERVICE_NAME: z.string().optional().describe("service.name of the traces; default conveyor-web, conveyor-worker or conveyor-serving per process"),
});

export interface S3Settings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

export type Env = z.infer<typeof ENV_SCHEMA> & {
  /** Resolved: DATABASE_URL or the embedded default. */
  databaseUrl: string;
  /** Resolved: TEMPORAL_ADDRESS or the dev server's. */
  temporalAddress: string;
  /** Resolved: ARTIFACT_DIR or CONVEYOR_DATA_DIR/artifacts, absolute. */
  artifactDir: string;
  /** Resolved: ARTIFACT_URI or the file: URI of artifactDir. */
  artifactUri: string;
  /** Resolved: ARTIFACT_CACHE_DIR or CONVEYOR_DATA_DIR/artifact-cache, absolute. */
  artifactCacheDir: string;
  /** The S3 client settings (credentials come from the AWS SDK's chain: AWS_ACCESS_KEY_ID…, profiles, roles). */
  s3: S3Settings;
  servingUrl: string;
  temporalUiPort: number;
  /** Resolved: LOG_FORMAT, or json under NODE_ENV=production and pretty otherwise. */
  logFormat: "json" | "pretty";
};

const KEYS = Object.keys(ENV_SCHEMA.shape) as (keyof typeof ENV_SCHEMA.shape)[];

/** Parses a set of variables (empty strings count as unset); throws one message naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>, cwd = process.cwd()): Env {
  const raw: Record<string, string> = Object.fromEntries(KEYS.flatMap((k) => (source[k] === undefined || source[k] === "" ? [] : [[k, source[k]] as const])));
  const parsed = ENV_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}=${JSON.stringify(raw[String(i.path[0])])}: ${i.message}`).join("; ")}`,
    );
  }
  const e = parsed.data;
  const artifactDir = path.resolve(cwd, e.ARTIFACT_DIR ?? path.join(e.CONVEYOR_DATA_DIR, "artifacts"));
  return {
    ...e,
    databaseUrl: e.DATABASE_URL ?? DEFAULT_DATABASE_URL.replace(":5433/", `:${e.POSTGRES_PORT}/`),
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_PORT}`,
    artifactDir,
    artifactUri: e.ARTIFACT_URI ?? pathToFileURL(artifactDir).href,
    artifactCacheDir: path.resolve(cwd, e.ARTIFACT_CACHE_DIR ?? path.join(e.CONVEYOR_DATA_DIR, "artifact-cache")),
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION ?? e.AWS_REGION ?? "us-east-1",
      forcePathStyle: e.S3_FORCE_PATH_STYLE ? e.S3_FORCE_PATH_STYLE === "1" : e.S3_ENDPOINT !== undefined,
    },
    servingUrl: e.SERVING_URL ?? `http://127.0.0.1:${e.SERVING_PORT}`,
    temporalUiPort: e.TEMPORAL_UI_PORT ?? e.TEMPORAL_PORT + 1000,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === "production" ? "json" : "pretty"),
  };
}

let cached: { key: string; env: Env } | undefined;

/**
 * The validated configuration of this process. Re-read when a variable
 * changes (test harnesses set some after start), otherwise parsed once.
 */
export function env(): Env {
  const key = KEYS.map((k) => process.env[k] ?? "").join("\u0000");
  if (cached?.key !== key) cached = { key, env: parseEnv(process.env) };
  return cached.env;
}
