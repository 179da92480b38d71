/**
 * `conveyor models list | show | version | reproduce | promote | demote` and
 * `conveyor predict`.
 * Alias moves are audited by the API: `--reason` is required and kept.
 * Prediction rows are typed by the model version's manifest inputs (FP32 →
 * number, BYTES → string); without --version that is the version the
 * `champion` alias points at (what a deployment serves by default).
 */
import { endpoints } from "../../contract/api/endpoints";
import type { ModelInput } from "../../contract/model";
import type { OutputOf } from "../client";
import type { Context } from "../context";
import { FailureError, ServerError, UsageError } from "../errors";
import { fields, metrics, relativeTime, status as statusText, table, type Colors } from "../format";
import { runOutcome, watchRun } from "./runs";
import { typeCsvRows, typeJsonRow, type Row } from "../values";
import { readTextFile } from "./pipelines";

type Run = OutputOf<typeof endpoints.getRun>;

/** Rows per predict request (the API takes at most 1000 instances). */
export const PREDICT_BATCH = 1000;

const aliasList = (aliases: Record<string, number>) =>
  Object.entries(aliases)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([a, v]) => `${a}=v${v}`)
    .join(" ") || "-";

export async function listModels(ctx: Context): Promise<void> {
  const all = await ctx.api().call(endpoints.listModels, {});
  const now = ctx.now();
  ctx.result(all, () =>
    all.length === 0
      ? ["no models yet: a pipeline's train step registers one (`conveyor run <pipeline>`)"]
      : table(
          ["NAME", "LATEST", "ALIASES", "CREATED"],
          all.map((m) => [m.name, m.latestVersion === null ? "-" : `v${m.latestVersion}`, aliasList(m.aliases), relativeTime(m.createdAt, now)]),
          { c: ctx.c },
        ),
  );
}

export async function showModel(ctx: Context, name: string): Promise<void> {
  const m = await ctx.api().call(endpoints.getModel, { name });
  const now = ctx.now();
  ctx.result(m, () => {
    const pointing = (v: number) =>
      Object.entries(m.aliases)
        .filter(([, to]) => to === v)
        .map(([a]) => a)
        .sort()
        .join(", ");
    const lines = [`${ctx.c.bold(m.name)}  aliases: ${aliasList(m.aliases)}`, ""];
    lines.push(
      ...table(
        ["VERSION", "ALIASES", "METRICS", "RUN", "CREATED"],
        m.versions.map((v) => [`v${v.version}`, pointing(v.version) || "-", metrics(v.metrics), v.runId ?? "-", relativeTime(v.createdAt, now)]),
        { c: ctx.c },
      ),
    );
    lines.push("", ctx.c.bold("alias history (newest first)"));
    if (m.events.length === 0) lines.push("  no alias moves yet");
    else {
      lines.push(
        ...table(
          ["WHEN", "ALIAS", "MOVE", "BY", "REASON"],
          m.events.map((e) => [
            relativeTime(e.createdAt, now),
            e.alias,
            `${e.fromVersion === null ? "-" : `v${e.fromVersion}`} → ${e.toVersion === null ? "removed" : `v${e.toVersion}`}`,
            e.actor,
            e.reason,
          ]),
          { c: ctx.c },
        ).map((l) => `  ${l}`),
      );
    }
    return lines;
  });
}

export async function promoteModel(ctx: Context, name: string, version: string, opts: { alias: string; reason: string }): Promise<void> {
  const r = await ctx.api().call(endpoints.setAlias, { name, alias: opts.alias, version: Number(version), reason: opts.reason });
  ctx.result(r, () => [
    r.fromVersion === r.version
      ? `${r.alias} of ${r.name} already points at v${r.version}; nothing changed`
      : `${r.alias} of ${ctx.c.bold(r.name)}: ${r.fromVersion === null ? "-" : `v${r.fromVersion}`} → ${ctx.c.green(`v${r.version}`)}`,
  ]);
}

export async function demoteModel(ctx: Context, name: string, opts: { alias: string; reason: string }): Promise<void> {
  const r = await ctx.api().call(endpoints.deleteAlias, { name, alias: opts.alias, reason: opts.reason });
  ctx.result(r, () => [`removed ${r.alias} of ${ctx.c.bold(r.name)} (it pointed at v${r.fromVersion})`]);
}

/** `true` → `yes`, `false` → `no`, null → `-` (the run has not succeeded). */
const sameBytesText = (same: boolean | null, c: Colors) => (same === null ? "-" : same ? c.green("yes") : c.red("no"));

/** `k=v k2=v2` (values as JSON unless strings), sorted; `none` for nothing. */
const pairs = (record: Record<string, unknown>, sep = "=") =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}${sep}${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(sep === "=" ? " " : ", ") || "none";

/** One version: what it is and its lineage (run, pipeline version, training data, params, seed, code versions, reproductions). */
export async function showModelVersion(ctx: Context, name: string, version: string): Promise<void> {
  const v = await ctx.api().call(endpoints.getModelVersion, { name, version: Number(version) });
  const now = ctx.now();
  const c = ctx.c;
  ctx.result(v, () => {
    const m = v.manifest;
    const l = v.lineage;
    const data = l.trainingData;
    const lines = [
      `${c.bold(`${v.name} v${v.version}`)}  ${m.task} of ${m.target} (${m.nodeType})`,
      ...fields(
        [
          ["metrics", metrics(v.metrics)],
          ["sha256", v.sha256],
          ["inputs", m.inputs.map((i) => `${i.name} ${i.datatype}`).join(", ") || "-"],
          ["created", relativeTime(v.createdAt, now)],
        ],
        c,
      ),
      "",
      c.bold("lineage"),
      ...fields(
        [
          ["run", l.run ? `${l.run.id} (${l.run.status}, trigger ${l.run.trigger}, ${relativeTime(l.run.createdAt, now)})` : "none: not made by a run"],
          ["pipeline", l.pipeline ? `${l.pipeline.name} v${l.pipeline.version} (${l.pipeline.id})` : "-"],
          [
            "training data",
            `${data.dataset ? `dataset ${data.dataset.name} v${data.dataset.version} (${data.dataset.id})` : "a bundled sample"}, ${data.rows} rows, sha256 ${data.sha256}`,
          ],
          ["params", pairs(l.params)],
          ["seed", l.seed === null ? "none" : String(l.seed)],
          ["code versions", pairs(l.libraries, " ")],
        ],
        c,
      ).map((line) => `  ${line}`),
      "",
      c.bold("reproductions (newest first)"),
    ];
    if (l.reproductions.length === 0) {
      lines.push(`  none yet${l.run ? `: conveyor models reproduce ${v.name} ${v.version} --follow` : ""}`);
    } else {
      lines.push(
        ...table(
          ["RUN", "STATUS", "SAME BYTES", "STARTED"],
          l.reproductions.map((r) => [r.runId, statusText(r.status, c), sameBytesText(r.sameBytes, c), relativeTime(r.createdAt, now)]),
          { c },
        ).map((line) => `  ${line}`),
      );
    }
    return lines;
  });
}

/** The sha256 of the model a run trained (its first model output), if any. */
const modelShaOf = (run: Run) => run.steps.flatMap((s) => Object.values(s.outputs ?? {}).flatMap((o) => (o.kind === "model" ? [o.sha256] : [])))[0];

/**
 * `models reproduce`: starts the reproduction; with `follow`, follows the run
 * like `conveyor run --follow` and then reads the version's lineage to say
 * whether the reproduction's model has the version's bytes (exit 1 when not).
 * With --json the result is the reproduction as the lineage lists it.
 */
export async function reproduceModel(ctx: Context, name: string, version: string, opts: { follow?: boolean }): Promise<void> {
  const api = ctx.api();
  const started = await api.call(endpoints.reproduceModel, { name, version: Number(version) });
  const what = `run ${started.runId} reproducing ${name} v${version} (its pipeline version, params and data; no step cache)`;
  if (!opts.follow) {
    ctx.result(started, () => [
      `started ${what}`,
      ctx.c.dim(`follow it: conveyor runs logs ${started.runId}   did it match: conveyor models version ${name} ${version}`),
    ]);
    return;
  }
  ctx.progress(`started ${what}`);
  const run = await watchRun(ctx, started.runId, { follow: true });
  const v = await api.call(endpoints.getModelVersion, { name, version: Number(version) });
  const entry = v.lineage.reproductions.find((r) => r.runId === run.id);
  if (!entry) throw new ServerError(`the lineage of ${name} v${version} does not list run ${run.id}`, [`see \`conveyor models version ${name} ${version}\``]);
  if (ctx.json) ctx.out(JSON.stringify(entry, null, 2));
  runOutcome(ctx, run);
  const sha = modelShaOf(run);
  if (entry.sameBytes) {
    if (!ctx.json) ctx.out(`${ctx.c.green("same bytes")}: run ${run.id} made ${name} v${version} again, byte for byte (sha256 ${v.sha256})`);
    return;
  }
  if (entry.sameBytes === null) throw new ServerError(`the lineage of ${name} v${version} does not say yet whether run ${run.id} made the same bytes`);
  throw new FailureError(`run ${run.id} did not reproduce ${name} v${version}: its model has other bytes`, [
    `v${version}: sha256 ${v.sha256}`,
    `run ${run.id}: ${sha ? `sha256 ${sha}` : "no model output"}`,
    `compare the lineage (params, seed, code versions): conveyor models version ${name} ${version}`,
  ]);
}

/** The inputs of the version predictions will come from: `version`, else the champion, else the latest. */
async function modelInputs(ctx: Context, name: string, version?: string): Promise<{ version: number; inputs: ModelInput[] }> {
  const api = ctx.api();
  let v: number | string | undefined = version;
  if (v === undefined) {
    const m = await api.call(endpoints.getModel, { name });
    v = m.aliases.champion ?? Math.max(0, ...m.versions.map((x) => x.version));
    if (!v) throw new FailureError(`model ${name} has no versions yet`);
  }
  const mv = await api.call(endpoints.getModelVersion, { name, version: v });
  return { version: mv.version, inputs: mv.manifest.inputs };
}

export async function predictCommand(ctx: Context, name: string, opts: { row?: string; csv?: string; version?: string }): Promise<void> {
  if (Boolean(opts.row) === Boolean(opts.csv)) throw new UsageError("give the input as --row '<json>' or --csv <file> (one of them)");
  const { inputs } = await modelInputs(ctx, name, opts.version);
  let rows: Row[];
  if (opts.row) rows = [typeJsonRow(opts.row, inputs)];
  else {
    const typed = typeCsvRows(readTextFile(opts.csv!), inputs, opts.csv);
    if (typed.ignored.length)
      ctx.note(ctx.ce.dim(`ignoring column${typed.ignored.length > 1 ? "s" : ""} the model does not take: ${typed.ignored.join(", ")}`));
    rows = typed.rows;
  }
  const api = ctx.api();
  let answer: Awaited<ReturnType<typeof api.call<typeof endpoints.predict>>> | undefined;
  for (let i = 0; i < rows.length; i += PREDICT_BATCH) {
    const part = await api.call(endpoints.predict, {
      name,
      version: opts.version === undefined ? undefined : Number(opts.version),
      instances: rows.slice(i, i + PREDICT_BATCH),
    });
    // Several requests have several ids: the merged answer names none (feedback names a request's id and row).
    answer = answer ? { ...answer, request_id: undefined, predictions: [...answer.predictions, ...part.predictions] } : part;
  }
  const result = answer!;
  ctx.result(result, () => {
    const head = ctx.c.dim(`${result.model_name} v${result.model_version}`);
    const cells = (p: (typeof result.predictions)[number]) =>
      "prediction" in p
        ? [String(p.prediction)]
        : [
            p.label,
            Object.entries(p.probabilities)
              .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
              .join(", "),
          ];
    const first = result.predictions[0]!;
    if (opts.row) return "prediction" in first ? [`prediction: ${first.prediction}  ${head}`] : [`label: ${first.label}  (${cells(first)[1]})  ${head}`];
    const header = "prediction" in first ? ["ROW", "PREDICTION"] : ["ROW", "LABEL", "PROBABILITIES"];
    return [
      head,
      ...table(
        header,
        result.predictions.map((p, i) => [String(i + 1), ...cells(p)]),
        { right: [0], c: ctx.c },
      ),
    ];
  });
}
