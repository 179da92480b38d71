/**
 * Column references and what follows from the columns (the target's type and
 * the task, the metrics a gate may name), checked by compile() where the
 * upstream columns are known: the editor and the server share these checks.
 */
import { describe, expect, it } from "vitest";
import { compile, inspectSpec, validateSpec } from "./compile";
import type { PipelineSpecInput } from "../spec/spec";
import { taskFollowsTarget } from "../nodes/_shared/train-config";

type Node = PipelineSpecInput["nodes"][number];

/** ingest → split → train → evaluate → gate → deploy, with overrides per node id. */
function pipeline(over: {
  source?: string;
  train?: Record<string, unknown>;
  trainType?: string;
  gate?: Record<string, unknown>;
  deploy?: Record<string, unknown>;
}) {
  const nodes: Node[] = [
    { id: "ingest", type: "ingest.csv", config: { source: over.source ?? "sample:flights-20k" } },
    { id: "split", type: "feature.split", config: {} },
    { id: "train", type: over.trainType ?? "train.gbdt", label: "Delay model", config: over.train ?? { target: "delay" } },
    { id: "evaluate", type: "evaluate", config: {} },
    { id: "gate", type: "gate.threshold", config: over.gate ?? { conditions: [{ metric: "r2", op: ">=", value: 0.5 }] } },
    { id: "deploy", type: "deploy.endpoint", config: over.deploy ?? { model: "flights" } },
  ];
  const spec: PipelineSpecInput = {
    apiVersion: "conveyor/v1",
    name: "Flight delay",
    nodes,
    edges: [
      { id: "e1", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
      { id: "e2", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
      { id: "e3", source: "train", sourcePort: "model", target: "evaluate", targetPort: "model" },
      { id: "e4", source: "split", sourcePort: "test", target: "evaluate", targetPort: "dataset" },
      { id: "e5", source: "evaluate", sourcePort: "metrics", target: "gate", targetPort: "metrics" },
      { id: "e6", source: "train", sourcePort: "model", target: "deploy", targetPort: "model" },
      { id: "e7", source: "gate", sourcePort: "decision", target: "deploy", targetPort: "decision" },
    ],
  };
  return spec;
}

const PENGUIN_COLUMNS = "species, island, beak_length_mm, beak_depth_mm, flipper_length_mm, body_mass_g, sex";

describe("column references", () => {
  it("a target the upstream data does not have (the dataset was switched) is a problem on the trainer's target", () => {
    expect(validateSpec(pipeline({ source: "sample:penguins" }))).toEqual([
      { nodeId: "train", field: "config.target", message: `"delay" is not a column of the input data; its columns: ${PENGUIN_COLUMNS}` },
    ]);
    expect(validateSpec(pipeline({}))).toEqual([]);
  });

  it("checks every column field: features and a split's timeColumn, through the split", () => {
    const spec = pipeline({ train: { target: "delay", features: ["distance", "gate", "carrier"] } });
    spec.nodes[1]!.config = { strategy: "time", timeColumn: "when" };
    expect(validateSpec(spec)).toEqual([
      {
        nodeId: "split",
        field: "config.timeColumn",
        message: expect.stringMatching(/^"when" is not a column of the input data; its columns: departure, hour/),
      },
      { nodeId: "train", field: "config.features", message: expect.stringMatching(/^"gate", "carrier" are not columns of the input data; its columns: /) },
    ]);
  });

  it("an uploaded dataset's columns are checked when the caller knows them, and not otherwise", () => {
    const spec = pipeline({ source: "dataset:trips" });
    expect(validateSpec(spec)).toEqual([]);
    const datasets = (source: string) => (source === "dataset:trips" ? [{ name: "minutes_late", type: "DOUBLE" }] : undefined);
    expect(validateSpec(spec, { datasets })).toEqual([
      { nodeId: "train", field: "config.target", message: '"delay" is not a column of the input data; its columns: minutes_late' },
    ]);
    expect(validateSpec(pipeline({ source: "dataset:trips", train: { target: "minutes_late" } }), { datasets })).toEqual([]);
  });

  it("blocks the plan too: compile() refuses what the editor flags", () => {
    const r = compile(pipeline({ source: "sample:penguins" }));
    expect(r.ok).toBe(false);
  });

  it("inspectSpec gives each node the columns coming into it, the same ones the checks read", () => {
    const { nodes } = inspectSpec(pipeline({ source: "sample:penguins", train: { target: "species", task: "classification" } }));
    expect(
      nodes
        .get("train")
        ?.inputColumns.dataset?.map((c) => c.name)
        .join(", "),
    ).toBe(PENGUIN_COLUMNS);
    expect(nodes.get("evaluate")?.inputColumns.dataset).toHaveLength(7);
    expect(nodes.get("ingest")?.inputColumns).toEqual({});
  });
});

describe("the task follows the target", () => {
  it("a regression on a text target is a problem on the task", () => {
    expect(validateSpec(pipeline({ source: "sample:penguins", train: { target: "species" } }))).toEqual([
      { nodeId: "train", field: "config.task", message: "regression predicts a number, but the target species is a text column: set task to classification" },
    ]);
    expect(validateSpec(pipeline({ source: "sample:penguins", train: { target: "species", task: "classification" } }))).toEqual([
      // …and the gate now names a metric a classifier's evaluation does not have.
      {
        nodeId: "gate",
        field: "config.conditions[0].metric",
        message: "evaluate scores a classification model, which has no r2; its metrics are accuracy, f1, auc, logloss",
      },
    ]);
  });

  it("a target of another kind (a timestamp) is neither", () => {
    expect(validateSpec(pipeline({ train: { target: "departure" } }))).toEqual([
      {
        nodeId: "train",
        field: "config.target",
        message: "departure is a TIMESTAMP column: a target must hold numbers (regression) or classes (classification)",
      },
    ]);
  });

  it("picking a text target sets classification, a floating-point one regression, a whole-number one neither; each change says why", () => {
    const columns = () => [
      { name: "species", type: "VARCHAR" },
      { name: "male", type: "BOOLEAN" },
      { name: "mass", type: "DOUBLE" },
      { name: "rooms", type: "BIGINT" },
    ];
    const around = { columns };
    expect(taskFollowsTarget({ target: "species" }, {}, around)).toEqual({
      config: { target: "species", task: "classification" },
      note: { field: "task", message: "Task set to classification: species is a text column." },
    });
    expect(taskFollowsTarget({ target: "male" }, {}, around).config.task).toBe("classification");
    expect(taskFollowsTarget({ target: "mass", task: "classification" }, { target: "species", task: "classification" }, around)).toEqual({
      config: { target: "mass" },
      note: { field: "task", message: "Task set to regression: mass is a number column." },
    });
    expect(taskFollowsTarget({ target: "rooms", task: "classification" }, { target: "species", task: "classification" }, around)).toEqual({
      config: { target: "rooms", task: "classification" },
    });
    // Only a change of the target moves the task: setting the task by hand sticks.
    expect(taskFollowsTarget({ target: "species", task: "regression" }, { target: "species", task: "classification" }, around).config.task).toBe("regression");
  });
});

describe("the gate knows the task", () => {
  it("offers the metrics the evaluate step upstream computes, and starts a new condition from one of them", () => {
    const regression = inspectSpec(pipeline({})).nodes.get("gate")!.hints;
    expect(regression).toEqual({ options: { "conditions[].metric": ["mae", "rmse", "r2"] }, newRow: { conditions: { metric: "r2", op: ">=", value: 0.5 } } });
    const classification = inspectSpec(pipeline({ source: "sample:penguins", train: { target: "species", task: "classification" } })).nodes.get("gate")!.hints;
    expect(classification).toEqual({
      options: { "conditions[].metric": ["accuracy", "f1", "auc", "logloss"] },
      newRow: { conditions: { metric: "accuracy", op: ">=", value: 0.8 } },
    });
    // A trainer whose config is not complete yet still tells its task (its valid fields count).
    const unfinished = inspectSpec(pipeline({ train: { task: "classification" } })).nodes.get("gate")!.hints;
    expect(unfinished.options?.["conditions[].metric"]).toEqual(["accuracy", "f1", "auc", "logloss"]);
  });

  it("refuses a threshold outside the metric's range, naming the field", () => {
    const problems = (metric: string, value: number) => validateSpec(pipeline({ gate: { conditions: [{ metric, op: ">=", value }] } }));
    const classifier = (metric: string, value: number) =>
      validateSpec(
        pipeline({ source: "sample:penguins", train: { target: "species", task: "classification" }, gate: { conditions: [{ metric, op: ">=", value }] } }),
      );
    expect(classifier("accuracy", 1.5)).toEqual([
      { nodeId: "gate", field: "config.conditions[0].value", message: "accuracy lies between 0 and 1, so 1.5 is out of range" },
    ]);
    expect(classifier("accuracy", 1)).toEqual([]);
    expect(classifier("auc", -0.1)[0]?.message).toBe("auc lies between 0 and 1, so -0.1 is out of range");
    expect(classifier("logloss", -1)[0]?.message).toBe("logloss is never negative, so -1 is out of range");
    expect(problems("r2", 1.2)).toEqual([{ nodeId: "gate", field: "config.conditions[0].value", message: "r2 is at most 1, so 1.2 is out of range" }]);
    expect(problems("r2", -3)).toEqual([]); // worse than predicting the mean, but possible
    expect(problems("mae", -1)).toEqual([{ nodeId: "gate", field: "config.conditions[0].value", message: "mae is never negative, so -1 is out of range" }]);
    expect(problems("rmse", 0)).toEqual([]);
  });
});

describe("deploy's registry name", () => {
  it("defaults to the pipeline's name made URL-safe, the same name evaluate compares with", () => {
    const spec = pipeline({ deploy: {} });
    spec.nodes[3]!.config = { compareWithChampion: true };
    const r = compile(spec);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.plan.steps.find((s) => s.nodeId === "deploy")!.config.model).toBe("flight-delay");
    expect(r.plan.steps.find((s) => s.nodeId === "evaluate")!.config.registryName).toBe("flight-delay");
    expect(inspectSpec(spec).nodes.get("deploy")!.hints).toEqual({ placeholders: { model: "flight-delay" } });
  });
});
