/**
 * `conveyor login [url] [--token T]`: stores where the server is (and a
 * token, sent as `Authorization: Bearer`) in the config file, then asks
 * `/api/health` and says what it found.
 */
import { endpoints } from "../../contract/api/endpoints";
import { Client } from "../client";
import { DEFAULT_URL, normalizeUrl, readStored, writeStored, configFile } from "../config";
import type { Context } from "../context";
import { ServerError } from "../errors";

export async function login(ctx: Context, urlArg: string | undefined, opts: { token?: string }): Promise<void> {
  const url = normalizeUrl(urlArg ?? DEFAULT_URL);
  const file = configFile(ctx.io.env);
  const stored = readStored(file);
  // A token belongs to a server: keep the stored one only for the same URL; --token "" removes it.
  const token = opts.token !== undefined ? opts.token || undefined : stored.url === url ? stored.token : undefined;
  writeStored(file, { url, ...(token ? { token } : {}) });
  ctx.note(`saved ${url} in ${file}${token ? " (with a token)" : ""}`);
  if (ctx.io.env.CONVEYOR_URL && normalizeUrl(ctx.io.env.CONVEYOR_URL, "CONVEYOR_URL") !== url) {
    ctx.note(ctx.ce.yellow(`note: CONVEYOR_URL=${ctx.io.env.CONVEYOR_URL} is set and overrides the file`));
  }

  const client = new Client(url, ctx.io.env.CONVEYOR_TOKEN ?? token, ctx.io.transport);
  const health = await client.call(endpoints.health, {}, { acceptStatus: [503], timeoutMs: 15_000 });
  const parts = Object.entries(health);
  const down = parts.filter(([, v]) => v !== "ok");
  ctx.result({ url, file, health }, () => [
    down.length === 0
      ? `${ctx.c.green("ok")}: ${url} answers; ${parts.map(([k]) => `${k} ok`).join(", ")}`
      : `${ctx.c.yellow("degraded")}: ${url} answers, but not every part is ok:`,
    ...down.map(([k, v]) => `  ${ctx.c.red(k)}: ${v}`),
  ]);
  if (down.length) throw new ServerError(`${down.map(([k]) => k).join(", ")} ${down.length === 1 ? "is" : "are"} not ok; is \`npm run dev\` still starting?`);
}
