/**
 * Config limits are defined once: train.gbdt's and train.linear's node
 * configs are built from the trainers' option schemas (workflows/ml), so the
 * node's validation and the trainer's own guard accept and refuse the same
 * values with the same words.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { resolveNodeType } from "./registry";
import { GBDT_DEFAULTS, GBDT_NODE_OPTIONS, ZGbdtOptions, resolveOptions } from "../ml/gbdt/options";
import { ZLinearOptions } from "../ml/linear/options";
import { trainLinear } from "../ml/linear/train-linear";
import { DataError, type Frame } from "../ml/types";
import { compile } from "../compiler/compile";

const props = (schema: z.ZodType) => (z.toJSONSchema(schema, { io: "input" }) as { properties: Record<string, unknown> }).properties;

function nodeError(type: string, config: Record<string, unknown>): string | undefined {
  const r = compile({
    apiVersion: "conveyor/v1",
    name: "p",
    nodes: [
      { id: "t", type, config: { target: "medv", ...config } },
      { id: "i", type: "ingest.csv", config: { source: "sample:boston-housing" } },
    ],
    edges: [{ id: "e", source: "i", sourcePort: "dataset", target: "t", targetPort: "dataset" }],
  });
  return r.ok ? undefined : r.errors.find((e) => e.field?.startsWith("config."))?.message;
}

function guardError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error("no DataError");
}

describe("config limits, defined once", () => {
  it("train.gbdt's config fields are the trainer's option schema", () => {
    const node = props(resolveNodeType("train.gbdt", 1)!.config);
    const trainer = props(ZGbdtOptions);
    for (const f of GBDT_NODE_OPTIONS) expect(node[f], f).toEqual(trainer[f]);
    expect(GBDT_DEFAULTS).toMatchObject({ nTrees: 200, maxDepth: 6, maxBins: 256 });
  });

  it("the node and the trainer refuse the same values with the same message, naming the field", () => {
    for (const [field, bad] of [
      ["nTrees", 5001],
      ["nTrees", 0],
      ["maxDepth", 17],
      ["learningRate", 0],
      ["subsample", 1.5],
      ["maxBins", 1],
      ["earlyStoppingRounds", 0],
      ["nTrees", 2.5],
    ] as const) {
      const fromNode = nodeError("train.gbdt", { [field]: bad });
      const err = guardError(() => resolveOptions({ task: "regression", target: "y", [field]: bad }));
      expect(err.field).toBe(field);
      expect(fromNode, `${field}=${bad}`).toBe(err.message);
    }
    // The edge of each range is accepted by both.
    expect(nodeError("train.gbdt", { nTrees: 5000, learningRate: 1, maxBins: 2 })).toBeUndefined();
    expect(resolveOptions({ task: "regression", target: "y", nTrees: 5000, learningRate: 1, maxBins: 2 }).nTrees).toBe(5000);
  });

  it("train.linear's l2 is the trainer's, and both refuse a negative one", () => {
    expect(props(resolveNodeType("train.linear", 1)!.config).l2).toEqual(props(ZLinearOptions).l2);
    const frame: Frame = {
      rows: 3,
      columns: [
        { name: "x", kind: "number", values: Float64Array.of(1, 2, 3) },
        { name: "y", kind: "number", values: Float64Array.of(1, 2, 4) },
      ],
    };
    const err = guardError(() => trainLinear(frame, { task: "regression", target: "y", l2: -1 }));
    expect(err.field).toBe("l2");
    expect(err.message).toContain(nodeError("train.linear", { l2: -1 })!);
  });
});
