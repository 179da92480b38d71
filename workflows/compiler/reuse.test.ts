import { describe, expect, it } from "vitest";
import { compile } from "./compile";
import { reusableSteps } from "./reuse";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const plan = (edit?: (s: typeof boston) => void) => {
  const s = structuredClone(boston);
  edit?.(s);
  const r = compile(s);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.plan;
};
const all = (ids: string[]) => new Map(ids.map((id) => [id, { from: id }]));

describe("reusable steps", () => {
  it("a retry of the same version reuses every succeeded step but deploy", () => {
    const p = plan();
    expect([...reusableSteps(p, p, all(["ingest", "split", "train", "evaluate", "gate", "deploy"])).keys()]).toEqual([
      "ingest",
      "split",
      "train",
      "evaluate",
      "gate",
    ]);
    // Only what succeeded: train failed, so nothing downstream of it.
    expect([...reusableSteps(p, p, all(["ingest", "split"])).keys()]).toEqual(["ingest", "split"]);
  });

  it("after an edit, reuses the unchanged steps upstream of it and runs the rest", () => {
    const before = plan();
    const after = plan((s) => {
      (s.nodes.find((n) => n.id === "train")!.config as Record<string, unknown>).l2 = 5;
    });
    expect([...reusableSteps(before, after, all(["ingest", "split", "train", "evaluate", "gate"])).keys()]).toEqual(["ingest", "split"]);
  });

  it("other params reuse nothing", () => {
    const p = plan();
    expect(reusableSteps(p, { ...p, params: { x: 1 } }, all(["ingest"])).size).toBe(0);
  });
});
