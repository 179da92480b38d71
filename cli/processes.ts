/**
 * `conveyor web | worker | serving | migrate`: Conveyor's own processes, one
 * per command, configured by the environment (README, infra/env.ts) — for
 * running them on different machines (docs/operations.md). Only in the
 * repository (cli/bin/conveyor.mjs); the standalone CLI bundle is an API
 * client and has none of them. `npm start` supervises all of them at once.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROCESS_COMMANDS = {
  web: "the web app and REST API (`next start` on WEB_PORT; needs `npm run build` first)",
  worker: "a Temporal worker (CONVEYOR_WORKER_QUEUES: light, heavy or both)",
  serving: "the OIP model server on SERVING_HOST:SERVING_PORT",
  migrate: "apply database migrations (and seed the local team), then exit",
} as const;

export type ProcessCommand = keyof typeof PROCESS_COMMANDS;

export function isProcessCommand(name: string | undefined): name is ProcessCommand {
  return name !== undefined && Object.hasOwn(PROCESS_COMMANDS, name);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export async function runProcess(name: ProcessCommand, args: string[]): Promise<void> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`conveyor ${name}: ${PROCESS_COMMANDS[name]}.\nConfigured by environment variables (README, Configuration; docs/operations.md).\n`);
    return;
  }
  if (args.length) {
    process.stderr.write(`conveyor ${name} takes no arguments (got ${args.join(" ")}); configure it with environment variables\n`);
    process.exit(2);
  }
  const { env } = await import("../infra/env");
  const e = env(); // a bad variable stops here, naming it
  switch (name) {
    case "worker":
      await import("../workflows/temporal/worker-main");
      return;
    case "serving":
      await import("../server/serving/main");
      return;
    case "migrate": {
      const { migrateAndSeed } = await import("../db/migrate");
      await migrateAndSeed(e.databaseUrl);
      process.stdout.write("migrations applied\n");
      return;
    }
    case "web": {
      const distDir = path.resolve(root, e.NEXT_DIST_DIR);
      if (!fs.existsSync(path.join(distDir, "BUILD_ID"))) {
        process.stderr.write(`no production build in ${distDir}: run \`npm run build\` first (\`npm start\` builds by itself)\n`);
        process.exit(1);
      }
      const next = spawn(path.join(root, "node_modules", ".bin", "next"), ["start", "-p", String(e.WEB_PORT)], {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, NODE_ENV: "production" },
      });
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => next.kill(sig));
      next.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      return;
    }
  }
}
