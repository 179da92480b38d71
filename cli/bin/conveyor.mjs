#!/usr/bin/env node
// `npx conveyor` in the repository: the CLI's TypeScript through tsx (a dependency),
// plus Conveyor's own processes (`conveyor web | worker | serving | migrate`, cli/processes.ts).
// The standalone package (cli/package.json) runs the bundle cli/dist/conveyor.mjs instead.
import { register } from "tsx/esm/api";

register();
const { isProcessCommand, runProcess } = await import("../processes.ts");
const [command, ...args] = process.argv.slice(2);
if (isProcessCommand(command)) await runProcess(command, args);
else await import("../run.ts");
