import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { diffSpecs, jsonChanges } from "./diff";
import type { PipelineSpecInput } from "./spec";
import boston from "../../contract/templates/boston-housing.pipeline.json";

const base = boston as unknown as PipelineSpecInput;

describe("diffSpecs", () => {
  it("finds nothing between a spec and itself", () => {
    expect(diffSpecs(base, structuredClone(base))).toEqual({
      nodes: { added: [], removed: [], changed: [] },
      edges: { added: [], removed: [] },
      pipeline: [],
      layoutOnly: true,
    });
  });

  it("lists added, removed and changed nodes with before/after of each field", () => {
    const next = structuredClone(base);
    next.nodes = next.nodes.filter((n) => n.id !== "deploy");
    next.edges = next.edges!.filter((e) => e.target !== "deploy");
    next.nodes.find((n) => n.id === "gate")!.config = { conditions: [{ metric: "r2", op: ">=", value: 0.7 }] };
    next.nodes.find((n) => n.id === "train")!.config!.l2 = 10;
    next.nodes.push({ id: "register", type: "deploy.endpoint", config: { model: "m" } });
    next.description = "tighter gate";
    const d = diffSpecs(base, next);
    expect(d.nodes.added).toEqual(["register"]);
    expect(d.nodes.removed).toEqual(["deploy"]);
    expect(d.nodes.changed).toEqual([
      { id: "train", fields: [{ field: "config.l2", before: 1, after: 10 }] },
      { id: "gate", fields: [{ field: "config.conditions[0].value", before: 0.6, after: 0.7 }] },
    ]);
    expect(d.edges.removed.sort()).toEqual(["gate.decision → deploy.decision", "train.model → deploy.model"]);
    expect(d.edges.added).toEqual([]);
    expect(d.pipeline).toEqual([{ field: "description", before: base.description, after: "tighter gate" }]);
    expect(d.layoutOnly).toBe(false);
  });

  it("treats a moved node as a layout-only change and ignores edge ids", () => {
    const next = structuredClone(base);
    const was = base.nodes[0]!.position!;
    next.nodes[0]!.position = { x: was.x + 5, y: was.y + 5 };
    next.edges = next.edges!.map((e, i) => ({ ...e, id: `renamed-${i}` }));
    const d = diffSpecs(base, next);
    expect(d.nodes.changed).toEqual([
      {
        id: "ingest",
        fields: [
          { field: "position.x", before: was.x, after: was.x + 5 },
          { field: "position.y", before: was.y, after: was.y + 5 },
        ],
      },
    ]);
    expect(d.edges).toEqual({ added: [], removed: [] });
    expect(d.layoutOnly).toBe(true);
  });

  it("jsonChanges: applying the reported leaves to `before` yields `after` (property)", () => {
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null));
    const obj = fc.dictionary(fc.constantFrom("a", "b", "c"), fc.oneof(leaf, fc.dictionary(fc.constantFrom("x", "y"), leaf)));
    fc.assert(
      fc.property(obj, obj, (x, y) => {
        const changes = jsonChanges(x, y);
        const z = structuredClone(x) as Record<string, any>;
        for (const c of changes) {
          const parts = c.field.split(".");
          let cur = z;
          for (const p of parts.slice(0, -1)) cur = cur[p] = typeof cur[p] === "object" && cur[p] !== null ? cur[p] : {};
          const last = parts[parts.length - 1]!;
          if (c.after === undefined) delete cur[last];
          else cur[last] = c.after;
        }
        expect(z).toEqual(y);
      }),
      { numRuns: 300 },
    );
  });
});
