#!/usr/bin/env node
// `npx conveyor` in the repository: the CLI's TypeScript through tsx (a dependency).
// The standalone package (cli/package.json) runs the bundle cli/dist/conveyor.mjs instead.
import { register } from "tsx/esm/api";

register();
await import("../run.ts");
