/**
 * Where the CLI talks to and as whom: the only module of cli/ that reads the
 * environment. The server URL and an optional token are stored by
 * `conveyor login` in `$XDG_CONFIG_HOME/conveyor/config.json` (default
 * `~/.config/conveyor/config.json`, mode 0600); `CONVEYOR_URL` and
 * `CONVEYOR_TOKEN` override the file. `NO_COLOR` (any non-empty value) turns
 * colour off even on a terminal.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { UsageError } from "./errors";

export const DEFAULT_URL = "http://localhost:3000";

/** The variables the CLI reads (empty strings count as unset). */
export interface CliEnvironment {
  CONVEYOR_URL?: string;
  CONVEYOR_TOKEN?: string;
  XDG_CONFIG_HOME?: string;
  NO_COLOR?: string;
}

/** The process's variables, read here and nowhere else in cli/. */
export function processEnvironment(): CliEnvironment {
  const pick = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  return {
    CONVEYOR_URL: pick(process.env.CONVEYOR_URL),
    CONVEYOR_TOKEN: pick(process.env.CONVEYOR_TOKEN),
    XDG_CONFIG_HOME: pick(process.env.XDG_CONFIG_HOME),
    NO_COLOR: pick(process.env.NO_COLOR),
  };
}

const ZStored = z.object({ url: z.string().optional(), token: z.string().optional() });
export type StoredConfig = z.infer<typeof ZStored>;

/** What a command uses, and where each part came from (for `conveyor login` and error messages). */
export interface Config {
  url: string;
  token?: string;
  /** The config file, whether or not it exists. */
  file: string;
  source: { url: "env" | "file" | "default"; token: "env" | "file" | "none" };
}

export function configFile(env: CliEnvironment): string {
  return path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), ".config"), "conveyor", "config.json");
}

/** A server URL as typed (`localhost:3000`, `https://x/`) → its canonical form, or a usage error naming the value. */
export function normalizeUrl(input: string, what = "the server URL"): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `http://${input.trim()}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(input)} is not a URL (e.g. http://localhost:3000)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${what} ${JSON.stringify(input)} must be http:// or https://`);
  if (url.search || url.hash) throw new UsageError(`${what} ${JSON.stringify(input)} must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

export function readStored(file: string): StoredConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message}); fix it or run \`conveyor login\` again`);
  }
  const parsed = ZStored.safeParse(value);
  if (!parsed.success)
    throw new UsageError(
      `${file} is not a conveyor config (${parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ")}); run \`conveyor login\` again`,
    );
  return parsed.data;
}

/** Writes the config file readable by its owner only (0600, in a 0700 directory). */
export function writeStored(file: string, config: StoredConfig): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** The URL and token to use: the environment over the file over the default. */
export function loadConfig(env: CliEnvironment): Config {
  const file = configFile(env);
  const stored = readStored(file);
  const url = env.CONVEYOR_URL ? normalizeUrl(env.CONVEYOR_URL, "CONVEYOR_URL") : stored.url ? normalizeUrl(stored.url, `the URL in ${file}`) : DEFAULT_URL;
  const token = env.CONVEYOR_TOKEN ?? stored.token;
  return {
    url,
    ...(token ? { token } : {}),
    file,
    source: { url: env.CONVEYOR_URL ? "env" : stored.url ? "file" : "default", token: env.CONVEYOR_TOKEN ? "env" : stored.token ? "file" : "none" },
  };
}
