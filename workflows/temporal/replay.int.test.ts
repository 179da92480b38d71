/**
 * Replays every committed history of a real pipeline run against today's
 * workflow code: a non-deterministic change to the interpreter fails here
 * before it breaks in-flight runs. Regenerate the Boston history with
 * `UPDATE_HISTORY=1 npx vitest run --project integration workflows/temporal/pipeline.int.test.ts`
 * only when a change is deliberately incompatible (and version it instead).
 * (The history inside scripts/fixtures/temporal-1.5.1.sqlite.gz is replayed
 * by scripts/temporal-cli.int.test.ts.)
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { DeterminismViolationError } from "@temporalio/workflow";
import { Worker } from "@temporalio/worker";

const require = createRequire(import.meta.url);
const dir = path.join(__dirname, "fixtures");
const histories = fs.readdirSync(dir).filter((f) => f.endsWith(".history.json"));
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));

describe("pipeline workflow replay", () => {
  it("has committed histories", () => {
    expect(histories).toContain("pipeline-run.history.json");
  });

  for (const f of histories) {
    it(`replays ${f}`, async () => {
      await Worker.runReplayHistory({ workflowsPath: require.resolve("./workflows.ts") }, read(f));
    });
  }

  it("fails on a workflow whose steps run in another order (the guard works)", async () => {
    const err = await Worker.runReplayHistory({ workflowsPath: require.resolve("./fixtures/reordered-workflow.ts") }, read("pipeline-run.history.json")).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
