import { describe, expect, it } from "vitest";
import { resolveNodeType } from "../../workflows/nodes/registry";
import { configFields, describeBounds, newRow, parseList } from "./config-fields";
import { configProblems, describeProblem, errorsByNode, nodeLevelProblems } from "./problems";

const fieldsOf = (type: string) => configFields(resolveNodeType(type)!.config);

describe("configFields", () => {
  it("reads types, defaults, bounds and help from the zod schema", () => {
    const fields = fieldsOf("feature.split");
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ["strategy", "enum"],
      ["testFraction", "number"],
      ["seed", "number"],
      ["timeColumn", "string"],
    ]);
    expect(fields[0]).toMatchObject({ options: ["random", "time"], default: "random", required: false });
    const tf = fields[1]!;
    expect(tf).toMatchObject({ default: 0.2, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, description: "Share of rows in the test set" });
    if (tf.kind === "number") expect(describeBounds(tf)).toBe("> 0, < 1");
    const seed = fields[2]!;
    expect(seed).toMatchObject({ integer: true, default: 42 });
    expect(seed).not.toHaveProperty("min");
  });

  it("knows required fields and lists", () => {
    const fields = fieldsOf("train.linear");
    expect(fields.find((f) => f.name === "target")).toMatchObject({ kind: "string", required: true });
    expect(fields.find((f) => f.name === "features")).toMatchObject({ kind: "string-list", required: false });
    expect(fields.find((f) => f.name === "l2")).toMatchObject({ kind: "number", min: 0, default: 1 });
  });

  it("turns gate conditions into a row editor", () => {
    const [conditions] = fieldsOf("gate.threshold");
    expect(conditions).toMatchObject({ name: "conditions", kind: "object-list", required: true, minItems: 1 });
    if (conditions?.kind !== "object-list") throw new Error("expected object-list");
    expect(conditions.itemFields.map((f) => f.kind)).toEqual(["enum", "enum", "number"]);
    expect(newRow(conditions.itemFields)).toEqual({ metric: "mae", op: ">=", value: 0 });
  });

  it("has no fields for an empty config", () => {
    expect(fieldsOf("evaluate@1")).toEqual([]);
  });

  it("parses comma lists", () => {
    expect(parseList(" a, b ,, c ")).toEqual(["a", "b", "c"]);
    expect(parseList("  ")).toBeUndefined();
  });
});

describe("problems", () => {
  const errors = [
    { nodeId: "gate", field: "config.conditions[0].value", message: "expected number" },
    { nodeId: "gate", field: "inputs.metrics", message: 'needs a metrics connected to its "metrics" input' },
    { nodeId: "train", field: "config.target", message: "target is required" },
    { nodeId: null, field: "nodes", message: "the pipeline has no nodes; add at least one" },
  ];
  it("groups by node and field", () => {
    expect([...errorsByNode(errors).keys()]).toEqual(["gate", "train"]);
    expect(configProblems(errors, "gate").get("conditions")).toEqual([{ subPath: "[0].value", message: "expected number" }]);
    expect(nodeLevelProblems(errors, "gate")).toHaveLength(1);
  });
  it("describes problems without stuttering", () => {
    expect(describeProblem(errors[2]!)).toBe("target is required");
    expect(describeProblem(errors[1]!)).toBe('needs a metrics connected to its "metrics" input');
    expect(describeProblem({ nodeId: "a", field: "config.l2", message: "must be ≥ 0" })).toBe("l2: must be ≥ 0");
  });
});

describe("column fields", () => {
  it("are marked from the schema's x-column meta", () => {
    const fields = configFields(resolveNodeType("train.linear")!.config);
    expect(fields.find((f) => f.name === "target")).toMatchObject({ kind: "string", column: "one" });
    expect(fields.find((f) => f.name === "features")).toMatchObject({ kind: "string-list", column: "many" });
    expect(fields.find((f) => f.name === "task")).not.toHaveProperty("column");
    expect(configFields(resolveNodeType("feature.split")!.config).find((f) => f.name === "timeColumn")).toMatchObject({ column: "one" });
  });
});
