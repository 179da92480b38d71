/**
 * Replays a committed history of a real pipeline run against today's
 * workflow code: a non-deterministic change to the interpreter fails here
 * before it breaks in-flight runs. Regenerate the history with
 * `UPDATE_HISTORY=1 npx vitest run --project integration workflows/temporal/pipeline.int.test.ts`
 * only when a change is deliberately incompatible (and version it instead).
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DeterminismViolationError } from "@temporalio/workflow";
import { Worker } from "@temporalio/worker";

const require = createRequire(import.meta.url);
const history = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "pipeline-run.history.json"), "utf8"));

describe("pipeline workflow replay", () => {
  it("replays the committed history of a Boston run", async () => {
    await Worker.runReplayHistory({ workflowsPath: require.resolve("./workflows.ts") }, history);
  });

  it("fails on a workflow whose steps run in another order (the guard works)", async () => {
    const err = await Worker.runReplayHistory({ workflowsPath: require.resolve("./fixtures/reordered-workflow.ts") }, history).catch((e) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
