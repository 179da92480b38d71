/**
 * `npm run build:cli`: the CLI as one file, cli/dist/conveyor.mjs (Node ≥ 20,
 * every dependency bundled in), the bin of the standalone package described
 * by cli/package.json (`npm pack cli/`).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUNDLE = path.join(here, "dist", "conveyor.mjs");

export async function buildCli(): Promise<string> {
  await build({
    entryPoints: [path.join(here, "run.ts")],
    outfile: BUNDLE,
    bundle: true,
    platform: "node",
    // ESM builds first: some packages (jsonc-parser) point "main" at a UMD file esbuild cannot follow.
    mainFields: ["module", "main"],
    format: "esm",
    target: "node20",
    minify: false,
    legalComments: "none",
    logLevel: "warning",
    // CommonJS dependencies (commander, cli-progress) call require() for Node builtins.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __conveyorRequire } from 'node:module';\nconst require = __conveyorRequire(import.meta.url);",
    },
  });
  return BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildCli();
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
