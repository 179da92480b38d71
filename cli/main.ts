/**
 * `conveyor`: the command-line client of the REST API (docs/cli.md). This
 * module declares the commands (commander) and turns every outcome into an
 * exit code: 0 ok, 1 the thing asked failed, 2 usage error, 3 server or
 * network error. It takes its outside world as `Io`, so tests run it
 * in-process; cli/run.ts wires it to the real process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import pkg from "./package.json";
import { login } from "./commands/login";
import { listPipelines, pullPipeline, pushPipeline, validatePipeline } from "./commands/pipelines";
import { cancelRun, listRuns, runLogs, startRun } from "./commands/runs";
import { demoteModel, listModels, predictCommand, promoteModel, reproduceModel, showModel, showModelVersion } from "./commands/models";
import { listDeployments, promoteDeployment, rollbackDeployment, showDeployment } from "./commands/deployments";
import { runMonitoringNow, showMonitoring } from "./commands/monitoring";
import { decideApproval, listApprovals, showApproval } from "./commands/approvals";
import { listDatasets, uploadDataset } from "./commands/datasets";
import { RUN_STATUSES } from "../contract/api/resources";
import { Context, type Io } from "./context";
import { CliError, errorLines, EXIT } from "./errors";
import { colors } from "./format";

export const VERSION: string = pkg.version;

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;

/** A positive integer option value (versions, limits). */
function positiveInt(value: string): string {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError("must be a positive integer");
  return value;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(io: Io): Command {
  const program = new Command("conveyor");
  /** The action of a leaf command: a Context (with --json from anywhere on the line) and the command's own arguments. */
  const act =
    <A extends unknown[]>(fn: (ctx: Context, ...args: A) => Promise<void> | void) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const json = Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
      await fn(new Context(io, json), ...(args.slice(0, -1) as A));
    };
  const leaf = (parent: Command, name: string, description: string) =>
    parent.command(name).description(description).option("--json", "print the API's answer as JSON (for scripts)");

  program
    .description("Conveyor from the command line: pipelines as files, runs, models, deployments, approvals, predictions (docs/cli.md)")
    .version(VERSION, "--version", "print the CLI's version")
    .option("--json", "print the API's answer as JSON (for scripts)")
    .enablePositionalOptions()
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText(
      "after",
      `
Configuration: \`conveyor login [url] [--token T]\` stores the server URL (default http://localhost:3000)
and a token in $XDG_CONFIG_HOME/conveyor/config.json; CONVEYOR_URL and CONVEYOR_TOKEN override it.
Exit codes: 0 ok, 1 the thing asked failed (invalid spec, failed run, not found), 2 usage error,
3 server or network error.
In a checkout of the repository, \`conveyor web | worker | serving | migrate\` run Conveyor's own processes
(configured by environment variables; docs/operations.md).
${examples("conveyor login", "conveyor pipelines push boston.pipeline.json -m 'stronger gate'", "conveyor run boston-house-prices --follow", 'conveyor predict boston-house-prices --row \'{"rm": 6.5, "lstat": 5}\'')}`,
    );

  leaf(program, "login", "store the server URL and token, and check the server's health")
    .argument("[url]", "the server (default http://localhost:3000)")
    .option("--token <token>", 'sent as "Authorization: Bearer <token>"; --token "" removes it')
    .addHelpText("after", examples("conveyor login", "conveyor login http://conveyor.internal:3000 --token $TOKEN"))
    .action(act((ctx, url: string | undefined, o: { token?: string }) => login(ctx, url, o)));

  // --- pipelines -------------------------------------------------------------
  const pipelines = program.command("pipelines").description("list, pull, push and validate pipeline files");
  pipelines.addHelpText(
    "after",
    examples(
      "conveyor pipelines list",
      "conveyor pipelines pull boston-house-prices -o boston.pipeline.json",
      "conveyor pipelines push boston.pipeline.json -m 'lower l2'",
      "conveyor pipelines validate boston.pipeline.json",
    ),
  );
  leaf(pipelines, "list", "the team's pipelines, most recently changed first")
    .addHelpText("after", examples("conveyor pipelines list", "conveyor pipelines list --json"))
    .action(act((ctx) => listPipelines(ctx)));
  leaf(pipelines, "pull", "write a pipeline's spec as canonical JSON (stdout or -o file)")
    .argument("<pipeline>", "pipeline id or name")
    .option("-o, --output <file>", "write the spec to this file")
    .option("--version <n>", "an older version (default the latest)", positiveInt)
    .addHelpText(
      "after",
      examples(
        "conveyor pipelines pull boston-house-prices > boston.pipeline.json",
        "conveyor pipelines pull boston-house-prices --version 2 -o v2.pipeline.json",
      ),
    )
    .action(
      act((ctx, ref: string, o: { output?: string; version?: string }) =>
        pullPipeline(ctx, ref, { output: o.output, version: o.version === undefined ? undefined : Number(o.version) }),
      ),
    );
  leaf(pipelines, "push", "save a spec file: a new pipeline, or the next version of the pipeline with its name")
    .argument("<file>", "a conveyor/v1 spec (.pipeline.json)")
    .option("-m, --message <message>", "what this version changes")
    .option("--force", "save a new version even when the spec equals the latest")
    .addHelpText("after", examples("conveyor pipelines push boston.pipeline.json -m 'gate on r2 >= 0.7'"))
    .action(act((ctx, file: string, o: { message?: string; force?: boolean }) => pushPipeline(ctx, file, o)));
  leaf(pipelines, "validate", "check a spec file offline, with the canvas's compiler and errors (exit 1 when invalid)")
    .argument("<file>", "a conveyor/v1 spec (.pipeline.json)")
    .addHelpText("after", examples("conveyor pipelines validate boston.pipeline.json"))
    .action(act((ctx, file: string) => validatePipeline(ctx, file)));

  // --- runs ------------------------------------------------------------------
  leaf(program, "run", "start a run of a pipeline; --wait or --follow until it ends (exit 1 unless it succeeded)")
    .argument("<pipeline>", "pipeline id or name")
    .option("-p, --param <name=value>", "a value for one of the spec's params (repeatable); typed by the spec", collect, [])
    .option("--version <n>", "the pipeline version to run (default the latest)", positiveInt)
    .option("--wait", "wait until the run ends")
    .option("--follow", "print step status changes and log lines as they happen, until the run ends")
    .addHelpText("after", examples("conveyor run boston-house-prices --follow", "conveyor run churn --param month=3 --param retrain=true --wait"))
    .action(
      act((ctx, ref: string, o: { param: string[]; version?: string; wait?: boolean; follow?: boolean }) =>
        startRun(ctx, ref, { ...o, version: o.version === undefined ? undefined : Number(o.version) }),
      ),
    );
  const runs = program.command("runs").description("list runs, print their logs, cancel them");
  runs.addHelpText("after", examples("conveyor runs list --status failed", "conveyor runs logs <runId>", "conveyor runs cancel <runId>"));
  leaf(runs, "list", "the team's runs, newest first")
    .option("--pipeline <pipeline>", "only runs of this pipeline (id or name)")
    .addOption(new Option("--status <status>", "only runs with this status").choices(RUN_STATUSES))
    .option("--limit <n>", "at most this many (default 50, at most 500)", positiveInt)
    .addHelpText("after", examples("conveyor runs list", "conveyor runs list --pipeline boston-house-prices --status failed --limit 5"))
    .action(act((ctx, o: { pipeline?: string; status?: string; limit?: string }) => listRuns(ctx, o)));
  leaf(runs, "logs", "every step's log lines, in the plan's order")
    .argument("<runId>", "the run's id")
    .addHelpText("after", examples("conveyor runs logs 0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d"))
    .action(act((ctx, id: string) => runLogs(ctx, id)));
  leaf(runs, "cancel", "cancel a queued or running run")
    .argument("<runId>", "the run's id")
    .addHelpText("after", examples("conveyor runs cancel 0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d"))
    .action(act((ctx, id: string) => cancelRun(ctx, id)));

  // --- models ----------------------------------------------------------------
  const models = program.command("models").description("registered models: versions, metrics, aliases and their audit trail");
  models.addHelpText(
    "after",
    examples(
      "conveyor models list",
      "conveyor models show boston-house-prices",
      "conveyor models version boston-house-prices 3",
      "conveyor models reproduce boston-house-prices 3 --follow",
      "conveyor models promote boston-house-prices 2 --reason 'better r2 on May data'",
    ),
  );
  leaf(models, "list", "the team's models with their latest version and aliases")
    .addHelpText("after", examples("conveyor models list"))
    .action(act((ctx) => listModels(ctx)));
  leaf(models, "show", "a model's versions with metrics, its aliases and the alias history")
    .argument("<name>", "the model's name")
    .addHelpText("after", examples("conveyor models show boston-house-prices"))
    .action(act((ctx, name: string) => showModel(ctx, name)));
  leaf(models, "version", "one version: metrics, inputs and its lineage (run, pipeline version, data, params, seed, code, reproductions)")
    .argument("<name>", "the model's name")
    .argument("<version>", "the version", positiveInt)
    .addHelpText("after", examples("conveyor models version boston-house-prices 3", "conveyor models version boston-house-prices 3 --json"))
    .action(act((ctx, name: string, version: string) => showModelVersion(ctx, name, version)));
  leaf(models, "reproduce", "run a version's pipeline version again (same params, same data, no step cache); --follow says if the bytes match")
    .argument("<name>", "the model's name")
    .argument("<version>", "the version to reproduce", positiveInt)
    .option("--follow", "print step status changes and log lines until the run ends, then whether its model has the version's bytes (exit 1 if not)")
    .addHelpText("after", examples("conveyor models reproduce boston-house-prices 3", "conveyor models reproduce boston-house-prices 3 --follow"))
    .action(act((ctx, name: string, version: string, o: { follow?: boolean }) => reproduceModel(ctx, name, version, o)));
  leaf(models, "promote", "point an alias (default champion) at a version; audited")
    .argument("<name>", "the model's name")
    .argument("<version>", "the version to point at", positiveInt)
    .option("--alias <alias>", "the alias to move", "champion")
    .requiredOption("--reason <text>", "why (kept in the audit trail)")
    .addHelpText(
      "after",
      examples(
        "conveyor models promote boston-house-prices 3 --reason 'r2 0.74 vs 0.71'",
        "conveyor models promote boston-house-prices 1 --alias challenger --reason 'shadow test'",
      ),
    )
    .action(act((ctx, name: string, version: string, o: { alias: string; reason: string }) => promoteModel(ctx, name, version, o)));
  leaf(models, "demote", "remove an alias from a model; audited")
    .argument("<name>", "the model's name")
    .requiredOption("--alias <alias>", "the alias to remove")
    .requiredOption("--reason <text>", "why (kept in the audit trail)")
    .addHelpText("after", examples("conveyor models demote boston-house-prices --alias challenger --reason 'shadow test over'"))
    .action(act((ctx, name: string, o: { alias: string; reason: string }) => demoteModel(ctx, name, o)));

  // --- deployments -----------------------------------------------------------
  const deployments = program.command("deployments").description("serving endpoints: routes, rollouts, live figures; promote and roll back");
  deployments.addHelpText(
    "after",
    examples(
      "conveyor deployments list",
      "conveyor deployments show flights",
      "conveyor deployments promote flights --reason 'canary healthy at 50%'",
      "conveyor deployments rollback flights --reason 'p99 too high'",
    ),
  );
  leaf(deployments, "list", "the team's deployments: routes (versions, weights, shadows) and any rollout in progress")
    .option("--model <name>", "only this registry model's deployments")
    .addHelpText("after", examples("conveyor deployments list", "conveyor deployments list --model flights --json"))
    .action(act((ctx, o: { model?: string }) => listDeployments(ctx, o)));
  leaf(deployments, "show", "a deployment: routes, rollout, live figures per version and the history of changes")
    .argument("<name>", "the deployment's name (its endpoint /v2/models/<name>)")
    .option("--minutes <n>", "figures of the last N minutes (default 15; during a rollout: since its step began)", positiveInt)
    .addHelpText("after", examples("conveyor deployments show flights", "conveyor deployments show flights --minutes 60"))
    .action(act((ctx, name: string, o: { minutes?: string }) => showDeployment(ctx, name, o)));
  leaf(deployments, "promote", "during a rollout: its challenger becomes the champion now; else --version does; audited")
    .argument("<name>", "the deployment's name")
    .option("--version <n>", "the version to promote (during a rollout: its challenger, the default)", positiveInt)
    .requiredOption("--reason <text>", "why (kept in the deployment's history)")
    .addHelpText(
      "after",
      examples(
        "conveyor deployments promote flights --reason 'shadow agreement 99%'",
        "conveyor deployments promote flights --version 3 --reason 'back to the May model'",
      ),
    )
    .action(act((ctx, name: string, o: { version?: string; reason: string }) => promoteDeployment(ctx, name, o)));
  leaf(deployments, "rollback", "during a rollout: back to the champion now; else the alias goes back to its previous version; audited")
    .argument("<name>", "the deployment's name")
    .requiredOption("--reason <text>", "why (kept in the deployment's history)")
    .addHelpText("after", examples("conveyor deployments rollback flights --reason 'error rate 3% at 10%'"))
    .action(act((ctx, name: string, o: { reason: string }) => rollbackDeployment(ctx, name, o)));

  // --- approvals -------------------------------------------------------------
  const approvals = program.command("approvals").description("the inbox of gate.approval steps: show, approve, reject");
  approvals.addHelpText(
    "after",
    examples("conveyor approvals list", "conveyor approvals show <id>", "conveyor approvals approve <id> --comment 'fairness report ok'"),
  );
  leaf(approvals, "list", "approvals waiting for a decision (--all: every one), newest first")
    .option("--all", "decided and expired ones too")
    .addHelpText("after", examples("conveyor approvals list", "conveyor approvals list --all --json"))
    .action(act((ctx, o: { all?: boolean }) => listApprovals(ctx, o)));
  leaf(approvals, "show", "an approval: challenger vs champion metrics side by side, and the pipeline diff against the champion's")
    .argument("<id>", "the approval's id")
    .addHelpText("after", examples("conveyor approvals show 5c0e7a9e-2f4b-4d1a-9a53-0d3c2e1b4f60"))
    .action(act((ctx, id: string) => showApproval(ctx, id)));
  for (const [verb, decision, example] of [
    ["approve", "approve", "fairness report ok"],
    ["reject", "reject", "worse on the small airports"],
  ] as const) {
    leaf(approvals, verb, `${verb} a pending approval: the waiting run goes on at once; the first decision wins (exit 1 if already decided)`)
      .argument("<id>", "the approval's id")
      .option("--comment <text>", "kept with the decision")
      .addHelpText(
        "after",
        examples(`conveyor approvals ${verb} 5c0e7a9e-2f4b-4d1a-9a53-0d3c2e1b4f60 --comment '${example}'`, `conveyor approvals ${verb} <id> --json`),
      )
      .action(act((ctx, id: string, o: { comment?: string }) => decideApproval(ctx, id, decision, o)));
  }

  // --- monitoring ------------------------------------------------------------
  const monitoring = program.command("monitoring").description("a deployment's monitor: drift, live quality, traffic, alerts, retraining");
  monitoring.addHelpText("after", examples("conveyor monitoring show seattle-weather", "conveyor monitoring run seattle-weather"));
  leaf(monitoring, "show", "monitor windows (most drifted feature, prediction drift, live quality, errors, p99), alert rules and events")
    .argument("<deployment>", "the deployment's name")
    .option("--hours <n>", "windows of the last N hours (default 24)")
    .addHelpText("after", examples("conveyor monitoring show seattle-weather", "conveyor monitoring show seattle-weather --hours 168 --json"))
    .action(act((ctx, name: string, o: { hours?: string }) => showMonitoring(ctx, name, o)));
  leaf(monitoring, "run", "compute a window now (default: the last interval) and act on it: alert rules, drift triggers")
    .argument("<deployment>", "the deployment's name")
    .option("--from <iso>", "window start")
    .option("--to <iso>", "window end (default now)")
    .addHelpText("after", examples("conveyor monitoring run seattle-weather", "conveyor monitoring run seattle-weather --from 2026-12-01T00:00:00Z"))
    .action(act((ctx, name: string, o: { from?: string; to?: string }) => runMonitoringNow(ctx, name, o)));

  // --- datasets --------------------------------------------------------------
  const datasets = program.command("datasets").description("upload and list CSV datasets");
  datasets.addHelpText("after", examples("conveyor datasets upload sales.csv --name sales-2024", "conveyor datasets list"));
  leaf(datasets, "upload", "upload a CSV file (header row first, up to 200 MB), streamed with a progress bar")
    .argument("<file>", "the CSV file")
    .option("--name <name>", "the dataset's name (default the file's name)")
    .addHelpText("after", examples("conveyor datasets upload sales.csv --name sales-2024"))
    .action(act((ctx, file: string, o: { name?: string }) => uploadDataset(ctx, file, o)));
  leaf(datasets, "list", "the team's datasets, newest first")
    .addHelpText("after", examples("conveyor datasets list"))
    .action(act((ctx) => listDatasets(ctx)));

  // --- predict ---------------------------------------------------------------
  leaf(program, "predict", "predictions from a deployed model (or one version), for one row or a CSV file")
    .argument("<model>", "the model's name")
    .option("--row <json>", "one row as a JSON object of column: value")
    .option("--csv <file>", "rows from a CSV file (header row first; columns the model does not take are ignored)")
    .option("--version <n>", "a registered version (default what the deployment serves)", positiveInt)
    .addHelpText(
      "after",
      examples(
        `conveyor predict boston-house-prices --row '{"crim": 0.006, "zn": 18, "rm": 6.5, "lstat": 5, ...}'`,
        "conveyor predict boston-house-prices --csv tracts.csv --version 2 --json",
      ),
    )
    .action(act((ctx, model: string, o: { row?: string; csv?: string; version?: string }) => predictCommand(ctx, model, o)));

  return program;
}

/** Runs the CLI on `argv` (without node and the script) and answers the exit code; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end with code 0; everything else commander refuses is a usage error (its message is printed already).
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const ce = colors(Boolean(io.stderr.isTTY) && !io.env.NO_COLOR);
    if (e instanceof CliError) {
      const [first, ...rest] = errorLines(e);
      io.stderr.write(`${ce.red(first)}\n${rest.map((l) => `${l}\n`).join("")}`);
      return e.exitCode;
    }
    io.stderr.write(`${ce.red(`error: ${e instanceof Error ? e.message : String(e)}`)}\n`);
    if (e instanceof Error && e.stack) io.stderr.write(`${ce.dim(e.stack.split("\n").slice(1).join("\n"))}\n`);
    return EXIT.server;
  }
}
