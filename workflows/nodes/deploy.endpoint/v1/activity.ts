import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf, type StepContext } from "../../step-context";
import { moveAlias, registerModelVersion } from "../../../../db/queries/models";
import { upsertDeployment } from "../../../../db/queries/deployments";
import type { ModelManifest } from "../../../../contract/model";
import { SpanKind, traceHeaders, withSpan } from "../../../../infra/telemetry";

/** Polls the serving process until it serves `version` (or gives up after `timeoutMs`). */
async function confirmServing(ctx: StepContext<unknown>, name: string, version: number, timeoutMs = 15_000): Promise<number | null> {
  const started = Date.now();
  const url = `${ctx.deps.servingUrl}/v2/models/${encodeURIComponent(name)}`;
  let lastError = "";
  while (Date.now() - started < timeoutMs) {
    try {
      // A client span per request; `traceparent` lets serving continue the run's trace.
      const res = await withSpan(
        "GET /v2/models/{name}",
        { kind: SpanKind.CLIENT, attributes: { "http.request.method": "GET", "url.full": url, "conveyor.deployment": name } },
        async (span) => {
          const r = await fetch(url, { signal: AbortSignal.timeout(2000), headers: traceHeaders() });
          span.setAttribute("http.response.status_code", r.status);
          return r;
        },
      );
      if (res.ok) {
        const meta = (await res.json()) as { versions?: string[] };
        if (meta.versions?.includes(String(version))) return Date.now() - started;
        lastError = `serving reports versions ${meta.versions?.join(", ")}`;
      } else {
        lastError = `HTTP ${res.status}`;
      }
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    ctx.heartbeat();
    await new Promise((r) => setTimeout(r, 100));
  }
  ctx.log(`serving at ${ctx.deps.servingUrl} did not confirm version ${version} within ${timeoutMs / 1000} s (${lastError})`, "warn");
  return null;
}

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const model = inputOf(ctx, "model", "model");
  const decision = inputOf(ctx, "decision", "decision");
  if (!decision.passed) throw new Error(`step ${ctx.nodeId}: the gate did not pass; deploy must not run`);
  const { db } = ctx.deps;
  const { model: name, alias, strategy } = ctx.config;
  const manifest: ModelManifest = { ...model.manifest, metrics: decision.metrics };
  // A cancelled run registers nothing: stop here if this attempt was told to.
  ctx.signal.throwIfAborted();
  ctx.progress({ phase: `registering ${name}` });
  const { modelId, version, unchanged } = await registerModelVersion(db, {
    teamId: ctx.teamId,
    modelName: name,
    runId: ctx.runId,
    artifactUri: model.uri,
    sha256: model.sha256,
    manifest,
    metrics: decision.metrics,
  });
  if (unchanged) {
    // Retrained to the same bytes: no new version, and the alias stays where it is.
    ctx.log(`unchanged: v${version} (the trained model equals ${name} version ${version}); ${alias} not moved`);
    return { deployment: { kind: "deployment", name, model: name, version, alias, strategy, unchanged: true } };
  }
  ctx.log(`registered ${name} version ${version}`);
  const { fromVersion } = await moveAlias(db, {
    modelId,
    alias,
    version,
    actor: `pipeline:${ctx.pipelineId}`,
    reason: `run ${ctx.runId} passed its gate: ${decision.reasons.join("; ")}`,
    runId: ctx.runId,
  });
  ctx.log(`alias ${alias}: ${fromVersion ?? "none"} → ${version}`);
  await upsertDeployment(db, {
    teamId: ctx.teamId,
    name,
    modelId,
    alias,
    strategy,
    runId: ctx.runId,
    actor: `pipeline:${ctx.pipelineId}`,
    reason: `run ${ctx.runId} deployed ${name} v${version}`,
  });
  ctx.progress({ phase: `waiting for serving to load ${name} v${version}` });
  const ms = await confirmServing(ctx, name, version);
  if (ms !== null) ctx.log(`serving ${name} v${version} (live after ${ms} ms)`);
  return { deployment: { kind: "deployment", name, model: name, version, alias, strategy } };
});
