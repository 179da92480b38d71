/** Test pipelines as plain specs (no imports: the e2e suite uses them too). */

/** The six-node shape every test pipeline shares: ingest → split → train → evaluate → gate → deploy. */
export function sixStepSpec(o: {
  name: string;
  source: string;
  split?: Record<string, unknown>;
  train: { type: string; config: Record<string, unknown> };
  conditions: { metric: string; op: string; value: number }[];
  model: string;
}) {
  return {
    apiVersion: "conveyor/v1",
    name: o.name,
    nodes: [
      { id: "ingest", type: "ingest.csv", config: { source: o.source } },
      { id: "split", type: "feature.split", config: o.split ?? {} },
      { id: "train", type: o.train.type, config: o.train.config },
      { id: "evaluate", type: "evaluate", config: {} },
      { id: "gate", type: "gate.threshold", config: { conditions: o.conditions } },
      { id: "deploy", type: "deploy.endpoint", config: { model: o.model } },
    ],
    edges: [
      { id: "a", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
      { id: "b", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
      { id: "c", source: "train", sourcePort: "model", target: "evaluate", targetPort: "model" },
      { id: "d", source: "split", sourcePort: "test", target: "evaluate", targetPort: "dataset" },
      { id: "e", source: "evaluate", sourcePort: "metrics", target: "gate", targetPort: "metrics" },
      { id: "f", source: "train", sourcePort: "model", target: "deploy", targetPort: "model" },
      { id: "g", source: "gate", sourcePort: "decision", target: "deploy", targetPort: "decision" },
    ],
  };
}

/**
 * A six-step pipeline that trains train.gbdt on sample:flights-20k (a time
 * split): seconds to minutes of training, for tests that act in its middle
 * (kill a worker, restart a server, cancel).
 */
export function flightsTrainingSpec(model: string, o: { nTrees: number; maxDepth?: number; subsample?: number }) {
  return sixStepSpec({
    name: model,
    source: "sample:flights-20k",
    split: { strategy: "time", timeColumn: "departure", testFraction: 0.2 },
    train: {
      type: "train.gbdt",
      config: {
        task: "regression",
        target: "delay",
        features: ["hour", "day_of_week", "distance", "origin", "destination"],
        nTrees: o.nTrees,
        maxDepth: o.maxDepth ?? 8,
        ...(o.subsample ? { subsample: o.subsample } : {}),
      },
    },
    conditions: [{ metric: "mae", op: "<", value: 1000 }],
    model,
  });
}

type SpecNode = { id: string; type: string; config: Record<string, unknown>; version?: number };

/**
 * Boston housing for champion/challenger tests: ingest → split → train.linear →
 * evaluate (scoring the champion too) → `gate` → deploy.endpoint@2; a
 * gate.approval also gets the model (for its preview). Seconds a run.
 */
export function championSpec(name: string, o: { features?: string[]; l2?: number; gate: SpecNode; deploy: Record<string, unknown> }) {
  const nodes: SpecNode[] = [
    { id: "ingest", type: "ingest.csv", config: { source: "sample:boston-housing" } },
    { id: "split", type: "feature.split", config: { strategy: "random", testFraction: 0.2, seed: 42 } },
    {
      id: "train",
      type: "train.linear",
      config: { task: "regression", target: "medv", ...(o.features ? { features: o.features } : {}), ...(o.l2 !== undefined ? { l2: o.l2 } : {}) },
    },
    { id: "evaluate", type: "evaluate", config: { compareWithChampion: true } },
    o.gate,
    { id: "deploy", type: "deploy.endpoint", version: 2, config: o.deploy },
  ];
  const edges = [
    { id: "a", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
    { id: "b", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
    { id: "c", source: "train", sourcePort: "model", target: "evaluate", targetPort: "model" },
    { id: "d", source: "split", sourcePort: "test", target: "evaluate", targetPort: "dataset" },
    { id: "e", source: "evaluate", sourcePort: "metrics", target: "gate", targetPort: "metrics" },
    { id: "f", source: "train", sourcePort: "model", target: "deploy", targetPort: "model" },
    { id: "g", source: "gate", sourcePort: "decision", target: "deploy", targetPort: "decision" },
    ...(o.gate.type === "gate.approval" ? [{ id: "h", source: "train", sourcePort: "model", target: "gate", targetPort: "model" }] : []),
  ];
  return { apiVersion: "conveyor/v1", name, nodes, edges };
}
