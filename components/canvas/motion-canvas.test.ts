import { describe, expect, it } from "vitest";
import type { ReactFlowState } from "@xyflow/react";
import { stillIsStale } from "./motion-canvas";
import type { CanvasContextValue } from "./editor-context";
import type { NoteNode, PipelineEdge, PipelineNode } from "./graph-spec";

type State = ReactFlowState<PipelineNode | NoteNode, PipelineEdge>;

const node = (id: string, x = 0, selected = false): PipelineNode => ({
  id,
  type: "pipeline",
  position: { x, y: 0 },
  selected,
  data: { type: "ingest.csv", config: {} },
});

describe("stillIsStale", () => {
  const nodes = [node("a"), node("b"), node("c")];
  const edges: PipelineEdge[] = [];
  const context: CanvasContextValue = { readOnly: false, errorsByNode: new Map() };
  const still = { transform: [0, 0, 1] as [number, number, number], detail: "full" as const, area: { x: 0, y: 0, w: 1, h: 1 }, nodes, edges, context };
  const state = (ns: (PipelineNode | NoteNode)[]) => ({ nodes: ns }) as unknown as State;

  it("keeps the picture while only dragged nodes change", () => {
    expect(stillIsStale(still, state(nodes), context, edges, null)).toBe(false);
    expect(stillIsStale(still, state([nodes[0]!, node("b", 40), nodes[2]!]), context, edges, new Set(["b"]))).toBe(false);
  });

  it("paints again when another node changes (a selection moved to the dragged node)", () => {
    expect(stillIsStale(still, state([node("a", 0, true), node("b", 40), nodes[2]!]), context, edges, new Set(["b"]))).toBe(true);
  });

  it("paints again when nodes, edges or the canvas context change", () => {
    expect(stillIsStale(still, state(nodes.slice(1)), context, edges, null)).toBe(true);
    expect(stillIsStale(still, state(nodes), context, [], null)).toBe(true);
    expect(stillIsStale(still, state(nodes), { ...context }, edges, null)).toBe(true);
  });
});
