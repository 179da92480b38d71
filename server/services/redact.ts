/**
 * Messages shown to API users never carry server paths: an activity's error
 * can quote a file under the data directory, the working directory or the
 * temp directory. Those prefixes become `<server>`.
 */
import os from "node:os";
import { env } from "../../infra/env";

function roots(): string[] {
  const e = env();
  return [e.artifactDir, process.cwd(), os.tmpdir(), os.homedir()].filter((r) => r.length > 1).sort((a, b) => b.length - a.length);
}

export function redactPaths<T extends string | null>(text: T): T {
  if (!text) return text;
  let out: string = text;
  for (const root of roots()) out = out.split(`file://${root}`).join("<server>").split(root).join("<server>");
  return out as T;
}
