/**
 * When `npm start` may reuse its production build: a hash of everything
 * `next build` reads from the repository.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** What a production build depends on: the web app's sources and the build configuration. */
export const BUILD_INPUTS = {
  dirs: ["app", "components", "server", "contract", "db", "infra", "workflows", "public"],
  files: ["package.json", "package-lock.json", "next.config.js", "tsconfig.json", "postcss.config.mjs"],
};

/** A hash of every build input (tests and fixtures left out), stable across clones. */
export function buildInputsHash(root: string): string {
  const hash = crypto.createHash("sha256");
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === "node_modules" || name === "fixtures" || name.startsWith(".")) continue;
        visit(path.join(rel, name));
      }
    } else if (!/\.test\.tsx?$/.test(rel)) {
      hash.update(rel).update("\0").update(fs.readFileSync(abs)).update("\0");
    }
  };
  for (const d of BUILD_INPUTS.dirs) visit(d);
  for (const f of BUILD_INPUTS.files) visit(f);
  return hash.digest("hex");
}
