/**
 * `conveyor models list | show | promote | demote` and `conveyor predict`.
 * Alias moves are audited by the API: `--reason` is required and kept.
 * Prediction rows are typed by the model version's manifest inputs (FP32 →
 * number, BYTES → string); without --version that is the version the
 * `champion` alias points at (what a deployment serves by default).
 */
import { endpoints } from "../../contract/api/endpoints";
import type { ModelInput } from "../../contract/model";
import type { Context } from "../context";
import { FailureError, UsageError } from "../errors";
import { metrics, relativeTime, table } from "../format";
import { typeCsvRows, typeJsonRow, type Row } from "../values";
import { readTextFile } from "./pipelines";

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
    answer = answer ? { ...answer, predictions: [...answer.predictions, ...part.predictions] } : part;
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
