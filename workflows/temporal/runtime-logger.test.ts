import { describe, expect, it } from "vitest";
import { createLogger } from "../../infra/log";
import { temporalLogger } from "./runtime-logger";

function capture(level: "info" | "debug") {
  const lines: string[] = [];
  const sdk = temporalLogger(createLogger({ level, destination: { write: (l) => void lines.push(l) } }).child({ component: "worker" }));
  return { sdk, read: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("the Temporal SDK's log in the process log", () => {
  it("makes its metadata fields: Temporal's runId is workflowRunId, error is err, no task tokens", () => {
    const { sdk, read } = capture("info");
    sdk.warn("Activity failed", {
      workflowId: "run-x",
      runId: "temporal-run",
      attempt: 3,
      taskToken: "secretish",
      error: new Error("boom"),
      sdkComponent: "activity",
    });
    expect(read()).toEqual([
      expect.objectContaining({
        level: "warn",
        component: "worker",
        workflowId: "run-x",
        workflowRunId: "temporal-run",
        attempt: 3,
        sdkComponent: "activity",
        msg: "Activity failed",
      }),
    ]);
    expect(read()[0]).not.toHaveProperty("runId");
    expect(read()[0]).not.toHaveProperty("taskToken");
    expect(read()[0]!.err).toMatchObject({ message: "boom" });
  });

  it("the webpack bundle report and worker state changes are debug, not info", () => {
    const quiet = capture("info");
    quiet.sdk.info("asset workflow-bundle-6c1f.js 1.6 MiB [emitted]\nwebpack 5.105.0 compiled successfully in 1432 ms", { sdkComponent: "worker" });
    quiet.sdk.info("Workflow bundle created", { size: "1.61MB" });
    quiet.sdk.info("Worker state changed", { state: "RUNNING" });
    quiet.sdk.log("INFO", "Worker state changed", { state: "STOPPED" });
    quiet.sdk.info("something else");
    expect(quiet.read().map((l) => l.msg)).toEqual(["something else"]);
    const verbose = capture("debug");
    verbose.sdk.info("Worker state changed", { state: "RUNNING" });
    expect(verbose.read()).toEqual([expect.objectContaining({ level: "debug", state: "RUNNING", msg: "Worker state changed" })]);
  });
});
