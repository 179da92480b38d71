/**
 * `conveyor pipelines list | pull | push | validate`: pipelines as files in
 * git. Files are written the way the canvas exports them
 * (workflows/compiler/spec-file.ts: canonical key order, 2-space JSON,
 * trailing newline) and checked the way the canvas imports them.
 */
import fs from "node:fs";
import path from "node:path";
import { isUuid } from "../../contract/api/common";
import { endpoints } from "../../contract/api/endpoints";
import { exportSpec, importSpec } from "../../workflows/compiler/spec-file";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import type { Context } from "../context";
import { FailureError, formatProblem, UsageError } from "../errors";
import { relativeTime, table } from "../format";

export interface PipelineRef {
  id: string;
  name: string;
  latestVersion: number;
}

/** A pipeline named by id or by name (exactly; one of several with that name must be named by id). */
export async function resolvePipeline(ctx: Context, ref: string): Promise<PipelineRef> {
  const all = await ctx.api().call(endpoints.listPipelines, {});
  const byId = isUuid(ref) ? all.find((p) => p.id.toLowerCase() === ref.toLowerCase()) : undefined;
  if (byId) return byId;
  const named = all.filter((p) => p.name === ref.trim());
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new FailureError(
      `${named.length} pipelines are named "${ref}"; name one by id:`,
      named.map((p) => `${p.id}  v${p.latestVersion}${p.isTemplate ? "  (template)" : ""}  updated ${relativeTime(p.updatedAt, ctx.now())}`),
    );
  }
  throw new FailureError(`no pipeline ${isUuid(ref) ? "with id" : "named"} "${ref}"`, ["`conveyor pipelines list` shows what exists"]);
}

export function readTextFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `${file} does not exist`
        : code === "EISDIR"
          ? `${file} is a directory, not a pipeline file`
          : `cannot read ${file}: ${(e as Error).message}`,
    );
  }
}

export async function listPipelines(ctx: Context): Promise<void> {
  const all = await ctx.api().call(endpoints.listPipelines, {});
  const now = ctx.now();
  ctx.result(all, () =>
    all.length === 0
      ? ["no pipelines yet: push one with `conveyor pipelines push <file>`"]
      : table(
          ["NAME", "ID", "VERSION", "UPDATED", ""],
          all.map((p) => [p.name, p.id, `v${p.latestVersion}`, relativeTime(p.updatedAt, now), p.isTemplate ? ctx.c.dim("template") : ""]),
          { c: ctx.c },
        ),
  );
}

export async function pullPipeline(ctx: Context, ref: string, opts: { output?: string; version?: number }): Promise<void> {
  const p = await resolvePipeline(ctx, ref);
  const got = await ctx.api().call(endpoints.getPipeline, { id: p.id, version: opts.version });
  const text = exportSpec(got.spec as PipelineSpecInput);
  if (!opts.output) {
    if (ctx.json) ctx.out(JSON.stringify(got, null, 2));
    else ctx.io.stdout.write(text);
    return;
  }
  try {
    fs.writeFileSync(opts.output, text);
  } catch (e) {
    throw new UsageError(`cannot write ${opts.output}: ${(e as Error).message}`);
  }
  ctx.result(got, () => [`wrote ${got.name} v${got.version} to ${opts.output}`]);
}

export async function pushPipeline(ctx: Context, file: string, opts: { message?: string; force?: boolean }): Promise<void> {
  const text = readTextFile(file);
  const imported = importSpec(text);
  // Syntax errors are ours to report (with line and column); the server judges everything else.
  if (!imported.ok && imported.reason === "json") throw new UsageError(`${file} is not JSON`, imported.errors.map(formatProblem));
  const spec = JSON.parse(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
  const api = ctx.api();
  const name = typeof spec.name === "string" ? spec.name.trim() : "";
  const all = name ? (await api.call(endpoints.listPipelines, {})).filter((p) => p.name === name) : [];
  if (all.length > 1) {
    throw new FailureError(
      `${all.length} pipelines are named "${name}"; rename the file's pipeline or remove the others:`,
      all.map((p) => `${p.id}  v${p.latestVersion}${p.isTemplate ? "  (template)" : ""}`),
    );
  }
  const existing = all[0];
  if (!existing) {
    const saved = await api.call(endpoints.createPipeline, { spec, message: opts.message });
    ctx.result(saved, () => [`created pipeline ${ctx.c.bold(name)} version ${saved.version} (${saved.id})`]);
    return;
  }
  if (!opts.force) {
    const latest = await api.call(endpoints.getPipeline, { id: existing.id });
    if (exportSpec(latest.spec as PipelineSpecInput) === exportSpec(spec as PipelineSpecInput)) {
      ctx.result({ id: latest.id, version: latest.version }, () => [
        `${ctx.c.bold(name)} is unchanged at version ${latest.version} (${latest.id}); nothing saved`,
      ]);
      return;
    }
  }
  const saved = await api.call(endpoints.savePipeline, { id: existing.id, spec, message: opts.message });
  ctx.result(saved, () => [`saved ${ctx.c.bold(name)} version ${saved.version} (${saved.id})`]);
}

/** Offline: the canvas's import check and compile() on a file. Exit 1 when invalid. */
export function validatePipeline(ctx: Context, file: string): void {
  const text = readTextFile(file);
  const r = importSpec(text);
  const errors = r.ok ? r.problems : r.errors;
  const label = path.basename(file);
  if (ctx.json) {
    ctx.out(JSON.stringify({ ok: errors.length === 0, errors }, null, 2));
  } else if (errors.length === 0 && r.ok) {
    const spec = r.spec;
    ctx.out(
      `${ctx.c.green("valid")}: ${label} — ${spec.name} (${spec.nodes.length} node${spec.nodes.length === 1 ? "" : "s"}, ${(spec.edges ?? []).length} edge${(spec.edges ?? []).length === 1 ? "" : "s"})`,
    );
  }
  if (errors.length) {
    throw new FailureError(`${label} is not a valid pipeline (${errors.length} problem${errors.length === 1 ? "" : "s"}):`, errors.map(formatProblem));
  }
}
