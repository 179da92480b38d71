/**
 * The process around cli/main.ts: argv, the real streams and environment,
 * Ctrl-C while following a run, and the exit code. The entry of both the
 * repo's bin (cli/bin/conveyor.mjs, through tsx) and the bundle
 * (cli/dist/conveyor.mjs, `npm run build:cli`).
 */
import { processEnvironment } from "./config";
import { main } from "./main";

// A reader that stops early (`conveyor runs logs … | head`) is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

let interruptHint: string | undefined;
process.on("SIGINT", () => {
  if (interruptHint) process.stderr.write(`\n${interruptHint}\n`);
  process.exit(130);
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnvironment(),
  onInterrupt: (hint) => {
    interruptHint = hint;
  },
});
// Let stdout drain (a pipe may be slow) before the exit code is set.
process.exitCode = code;
