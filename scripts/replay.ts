/**
 * `npm run replay -- <scenario> [--rate N] [--lag SECONDS] [--url URL] [--serving URL]`:
 * replays real traffic with delayed ground truth against a running stack
 * (`npm start` or `npm run dev`) and prints what the monitor saw and did
 * (scripts/replay/scenarios.ts). Scenarios: seattle (drift fires and the
 * loop closes), flights (mild drift that must not fire).
 */
import { Command, Option } from "commander";
import { Client } from "../cli/client";
import { env } from "../infra/env";
import { runScenario, SCENARIOS, type ScenarioName } from "./replay/scenarios";

const e = env();
const program = new Command("replay")
  .argument("<scenario>", `one of ${SCENARIOS.join(", ")}`)
  .addOption(new Option("--rate <rows>", "live rows sent per second").default(50).argParser(Number))
  .addOption(new Option("--lag <seconds>", "ground truth arrives this long after each prediction").default(2).argParser(Number))
  .option("--url <url>", "the web app (API)", `http://localhost:${e.WEB_PORT}`)
  .option("--serving <url>", "the serving process", e.servingUrl)
  .option("--json", "print the outcome as JSON at the end")
  .action(async (scenario: string, opts: { rate: number; lag: number; url: string; serving: string; json?: boolean }) => {
    if (!(SCENARIOS as readonly string[]).includes(scenario)) program.error(`unknown scenario "${scenario}"; choose one of ${SCENARIOS.join(", ")}`);
    if (!(opts.rate > 0)) program.error("--rate must be a positive number of rows per second");
    const outcome = await runScenario(scenario as ScenarioName, {
      client: new Client(opts.url.replace(/\/$/, ""), process.env.CONVEYOR_TOKEN),
      servingUrl: opts.serving.replace(/\/$/, ""),
      rate: opts.rate,
      feedbackLagMs: opts.lag * 1000,
      log: (line) => console.log(line),
    });
    if (opts.json) console.log(JSON.stringify(outcome, null, 2));
    console.log(`monitoring: ${opts.url}/deployments/${outcome.deployment}/monitoring`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
