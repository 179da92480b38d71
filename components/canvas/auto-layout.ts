/**
 * Auto layout of the canvas: a left-to-right layered layout (ELK's
 * "layered" algorithm, Sugiyama style) that keeps every edge flowing
 * rightwards, orders ports as the node cards draw them so edges do not cross
 * needlessly, stacks disconnected parts of the graph top to bottom and snaps
 * to the canvas grid. Pure apart from being async (ELK runs in-process from
 * its bundled build: no web worker in the browser, plain Node in tests), and
 * deterministic: the same input gives the same positions.
 */
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkExtendedEdge, ElkNode, ElkPort, LayoutOptions } from "elkjs/lib/elk-api";
import type { XYPosition } from "@xyflow/react";
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { PipelineNode } from "./graph-spec";
import { NODE_WIDTH } from "./node-style";

/** A handle of a node, top to bottom; `y` is its centre from the node's top edge when known. */
export interface LayoutPort {
  id: string;
  y?: number;
}

export interface LayoutNode {
  id: string;
  /** Measured size; a missing, zero or non-finite value falls back to NODE_WIDTH / DEFAULT_NODE_HEIGHT. */
  width?: number;
  height?: number;
  /** Input handles (left side) in the order the card shows them; edges' `targetHandle`s. */
  inputs?: LayoutPort[];
  /** Output handles (right side) in the order the card shows them; edges' `sourceHandle`s. */
  outputs?: LayoutPort[];
}

export interface LayoutEdge {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export interface AutoLayoutOptions {
  /** Horizontal gap between columns (layers), px. Default 80. */
  layerSpacing?: number;
  /** Vertical gap between nodes of one column, px. Default 40. */
  nodeSpacing?: number;
  /** Vertical gap between disconnected parts of the graph, px. Default 80. */
  componentSpacing?: number;
  /** Grid the positions snap to (the canvas snaps to 10); 0 or 1 for none. Default 10. */
  grid?: number;
  /** Top-left corner of the laid-out graph. Default { x: 0, y: 0 }. */
  origin?: XYPosition;
}

/** Geometry of the node card (pipeline-node.tsx): header, then one 26 px row per port pair. */
export const CARD_HEADER_HEIGHT = 55;
export const CARD_ROW_HEIGHT = 26;
const CARD_ROWS_PADDING = 4;
/** Height of a card with two port rows, the most common; used when nothing better is known. */
export const DEFAULT_NODE_HEIGHT = estimateNodeHeight(2);

/** The card's height for `rows` port rows (before it is measured). */
export function estimateNodeHeight(rows: number): number {
  return rows > 0 ? CARD_HEADER_HEIGHT + 2 * CARD_ROWS_PADDING + rows * CARD_ROW_HEIGHT : CARD_HEADER_HEIGHT;
}

/** Centre of the handle in port row `row` (0-based), from the card's top edge. */
export function portCentreY(row: number): number {
  return CARD_HEADER_HEIGHT + CARD_ROWS_PADDING + row * CARD_ROW_HEIGHT + CARD_ROW_HEIGHT / 2;
}

/**
 * Layout input for canvas nodes: the measured size when React Flow has one,
 * otherwise an estimate from the node type; ports in the definition's order
 * at the rows the card draws them.
 */
export function layoutNodesOf(nodes: readonly PipelineNode[]): LayoutNode[] {
  return nodes.map((n) => {
    const def = resolveNodeType(n.data.type, n.data.version);
    const rows = Math.max(def?.inputs.length ?? 0, def?.outputs.length ?? 0);
    return {
      id: n.id,
      width: n.measured?.width ?? n.width ?? NODE_WIDTH,
      height: n.measured?.height ?? n.height ?? estimateNodeHeight(rows),
      inputs: (def?.inputs ?? []).map((p, i) => ({ id: p.name, y: portCentreY(i) })),
      outputs: (def?.outputs ?? []).map((p, i) => ({ id: p.name, y: portCentreY(i) })),
    };
  });
}

const PORT_SIZE = 2;

const LAYOUT_OPTIONS: LayoutOptions = {
  "org.eclipse.elk.algorithm": "layered",
  "org.eclipse.elk.direction": "RIGHT",
  "org.eclipse.elk.edgeRouting": "SPLINES",
  "org.eclipse.elk.padding": "[top=0,left=0,bottom=0,right=0]",
  "org.eclipse.elk.separateConnectedComponents": "true",
  "org.eclipse.elk.randomSeed": "1",
  // Ties (and the first ordering) follow the order of nodes and edges in the input,
  // so a layout of a spec reads like the spec.
  "org.eclipse.elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
  "org.eclipse.elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
  "org.eclipse.elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "org.eclipse.elk.layered.nodePlacement.bk.fixedAlignment": "BALANCED",
};

let elk: InstanceType<typeof ELK> | undefined;

function size(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

function snap(value: number, grid: number, round: (v: number) => number = Math.round): number {
  return grid > 1 ? round(value / grid) * grid : value;
}

/**
 * Positions (top-left corners, as React Flow expects) for `nodes`. Edges
 * whose ends are not among `nodes`, and self-loops, are ignored; a handle
 * that an edge names but the node does not list is added after its listed
 * ones. Each connected part of the graph is laid out left to right and the
 * parts are stacked top to bottom in the order their first node appears.
 */
export async function autoLayout(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], opts: AutoLayoutOptions = {}): Promise<Map<string, XYPosition>> {
  const result = new Map<string, XYPosition>();
  if (nodes.length === 0) return result;
  const grid = opts.grid ?? 10;
  const origin = opts.origin ?? { x: 0, y: 0 };
  const componentSpacing = opts.componentSpacing ?? 80;

  // Distinct nodes (first wins), their sizes and ports.
  const byId = new Map<string, LayoutNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  const index = new Map([...byId.keys()].map((id, i) => [id, i]));
  const sizes = new Map([...byId.values()].map((n) => [n.id, { width: size(n.width, NODE_WIDTH), height: size(n.height, DEFAULT_NODE_HEIGHT) }]));

  const ports = new Map<string, { inputs: LayoutPort[]; outputs: LayoutPort[] }>();
  for (const n of byId.values()) {
    const uniq = (list: LayoutPort[] = []) => list.filter((p, i) => list.findIndex((q) => q.id === p.id) === i);
    ports.set(n.id, { inputs: uniq(n.inputs), outputs: uniq(n.outputs) });
  }
  const kept = edges.filter((e) => e.source !== e.target && byId.has(e.source) && byId.has(e.target));
  for (const e of kept) {
    const src = ports.get(e.source)!;
    const dst = ports.get(e.target)!;
    if (e.sourceHandle && !src.outputs.some((p) => p.id === e.sourceHandle)) src.outputs.push({ id: e.sourceHandle });
    if (e.targetHandle && !dst.inputs.some((p) => p.id === e.targetHandle)) dst.inputs.push({ id: e.targetHandle });
  }

  // ELK ids: numbered, so any node or handle id is safe.
  const portId = (nodeId: string, side: "in" | "out", handle: string) => {
    const p = ports.get(nodeId)!;
    const i = (side === "in" ? p.inputs : p.outputs).findIndex((q) => q.id === handle);
    return `n${index.get(nodeId)}${side}${i}`;
  };

  const children: ElkNode[] = [...byId.values()].map((n) => {
    const { width, height } = sizes.get(n.id)!;
    const { inputs, outputs } = ports.get(n.id)!;
    const fixedPos = [...inputs, ...outputs].every((p) => p.y !== undefined && Number.isFinite(p.y));
    // ELK numbers ports clockwise from the top-left: the right side top to
    // bottom, then the left side bottom to top.
    const elkPorts: ElkPort[] = [
      ...outputs.map((p, i) => ({
        id: portId(n.id, "out", p.id),
        width: PORT_SIZE,
        height: PORT_SIZE,
        ...(fixedPos ? { x: width, y: p.y! - PORT_SIZE / 2 } : {}),
        layoutOptions: { "org.eclipse.elk.port.side": "EAST", "org.eclipse.elk.port.index": String(i) },
      })),
      ...inputs.map((p, i) => ({
        id: portId(n.id, "in", p.id),
        width: PORT_SIZE,
        height: PORT_SIZE,
        ...(fixedPos ? { x: -PORT_SIZE, y: p.y! - PORT_SIZE / 2 } : {}),
        layoutOptions: { "org.eclipse.elk.port.side": "WEST", "org.eclipse.elk.port.index": String(outputs.length + inputs.length - 1 - i) },
      })),
    ];
    return {
      id: `n${index.get(n.id)}`,
      width,
      height,
      ports: elkPorts,
      layoutOptions: { "org.eclipse.elk.portConstraints": fixedPos ? "FIXED_POS" : "FIXED_ORDER" },
    };
  });

  const elkEdges: ElkExtendedEdge[] = kept.map((e, i) => ({
    id: `e${i}`,
    sources: [e.sourceHandle ? portId(e.source, "out", e.sourceHandle) : `n${index.get(e.source)}`],
    targets: [e.targetHandle ? portId(e.target, "in", e.targetHandle) : `n${index.get(e.target)}`],
  }));

  elk ??= new ELK();
  const laidOut = await elk.layout({
    id: "root",
    layoutOptions: {
      ...LAYOUT_OPTIONS,
      "org.eclipse.elk.spacing.nodeNode": String(opts.nodeSpacing ?? 40),
      "org.eclipse.elk.layered.spacing.nodeNodeBetweenLayers": String(opts.layerSpacing ?? 80),
      "org.eclipse.elk.spacing.componentComponent": String(componentSpacing),
    },
    children,
    edges: elkEdges,
  });
  const raw = new Map<string, XYPosition>();
  const ids = [...byId.keys()];
  for (const c of laidOut.children ?? []) raw.set(ids[Number(c.id.slice(1))]!, { x: c.x ?? 0, y: c.y ?? 0 });

  // Connected parts (edges taken as undirected), in order of their first node.
  const parent = ids.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const e of kept) {
    const a = find(index.get(e.source)!);
    const b = find(index.get(e.target)!);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const parts = new Map<number, string[]>();
  ids.forEach((id, i) => parts.set(find(i), [...(parts.get(find(i)) ?? []), id]));

  // Each part from its own top-left corner, snapped, below the previous one.
  let top = snap(origin.y, grid);
  const left = snap(origin.x, grid);
  for (const members of parts.values()) {
    const minX = Math.min(...members.map((id) => raw.get(id)!.x));
    const minY = Math.min(...members.map((id) => raw.get(id)!.y));
    let bottom = top;
    for (const id of members) {
      const p = raw.get(id)!;
      const pos = { x: left + snap(p.x - minX, grid), y: top + snap(p.y - minY, grid) };
      result.set(id, pos);
      bottom = Math.max(bottom, pos.y + sizes.get(id)!.height);
    }
    top = snap(bottom + componentSpacing, grid, Math.ceil);
  }
  return result;
}
