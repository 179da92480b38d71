/**
 * Generated pipelines for the canvas benchmark: `n / 4` copies of the valid
 * chain ingest.csv(sample:boston-housing) → feature.split → train.linear →
 * evaluate, each chain on one row of four columns, chains laid out on a grid
 * roughly the shape of the editor's canvas. Every id is unique and the spec
 * compiles (so it saves through the real service).
 */
import type { PipelineSpecInput } from "../workflows/spec/spec";

/** Grid pitch: nodes are 216 px wide and about 110–135 px tall. */
export const COLUMN_PITCH = 280;
export const ROW_PITCH = 200;
const CHAIN_GAP = 120;

export function canvasBenchSpec(nodeCount: number, opts: { aspect?: number } = {}): PipelineSpecInput {
  if (nodeCount <= 0 || nodeCount % 4 !== 0) throw new Error(`node count must be a positive multiple of 4, got ${nodeCount}`);
  const chains = nodeCount / 4;
  const chainWidth = 4 * COLUMN_PITCH + CHAIN_GAP;
  const aspect = opts.aspect ?? 1.3; // canvas width / height in the benchmark's 1600×900 window
  const perRow = Math.max(1, Math.round(Math.sqrt((chains * aspect * ROW_PITCH) / chainWidth)));
  const nodes: PipelineSpecInput["nodes"] = [];
  const edges: NonNullable<PipelineSpecInput["edges"]> = [];
  for (let c = 0; c < chains; c++) {
    const x0 = (c % perRow) * chainWidth;
    const y = Math.floor(c / perRow) * ROW_PITCH;
    const id = (kind: string) => `${kind}-${c + 1}`;
    nodes.push(
      { id: id("ingest"), type: "ingest.csv", config: { source: "sample:boston-housing" }, position: { x: x0, y } },
      { id: id("split"), type: "feature.split", config: { strategy: "random", testFraction: 0.2, seed: 42 }, position: { x: x0 + COLUMN_PITCH, y } },
      { id: id("train"), type: "train.linear", config: { task: "regression", target: "medv", l2: 1 }, position: { x: x0 + 2 * COLUMN_PITCH, y } },
      { id: id("evaluate"), type: "evaluate", config: {}, position: { x: x0 + 3 * COLUMN_PITCH, y } },
    );
    edges.push(
      { id: `e${c + 1}-data`, source: id("ingest"), sourcePort: "dataset", target: id("split"), targetPort: "dataset" },
      { id: `e${c + 1}-train`, source: id("split"), sourcePort: "train", target: id("train"), targetPort: "dataset" },
      { id: `e${c + 1}-model`, source: id("train"), sourcePort: "model", target: id("evaluate"), targetPort: "model" },
      { id: `e${c + 1}-test`, source: id("split"), sourcePort: "test", target: id("evaluate"), targetPort: "dataset" },
    );
  }
  return {
    apiVersion: "conveyor/v1",
    name: `canvas-bench-${nodeCount}`,
    description: `Canvas benchmark: ${chains} boston-housing chains (${nodeCount} nodes, ${edges.length} edges).`,
    params: [],
    nodes,
    edges,
    triggers: [],
  };
}
