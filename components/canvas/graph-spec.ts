/**
 * The canvas ↔ spec mapping (docs/architecture.md: canvas → toSpec() → PipelineSpec).
 * Pure: no React, no DOM; only React Flow's *types*. Everything the editor
 * decides about the graph (ids, connections, what a refused connection says)
 * lives here so it can be unit-tested and reused by later editor features
 * (copy/paste, import, diff).
 */
import type { Connection, Edge, Node, XYPosition } from "@xyflow/react";
import type { PipelineSpecInput, PortType } from "../../workflows/spec/spec";
import type { NOTE_COLORS } from "../../workflows/spec/spec";
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { NodeDefinition, PortDef } from "../../workflows/nodes/types";

/** What a canvas node carries: exactly the spec node minus id and position. */
export interface PipelineNodeData extends Record<string, unknown> {
  type: string;
  /** The node type's version; absent (a spec saved before versions) means the newest. */
  version?: number;
  label?: string;
  config: Record<string, unknown>;
}
export type PipelineNode = Node<PipelineNodeData, "pipeline">;

export interface PipelineEdgeData extends Record<string, unknown> {
  portType?: PortType;
}
export type PipelineEdge = Edge<PipelineEdgeData>;

/** A sticky note on the canvas (spec `notes`): text for people, no ports. */
export interface NoteData extends Record<string, unknown> {
  text: string;
  color: (typeof NOTE_COLORS)[number];
}
export type NoteNode = Node<NoteData, "note">;

/** Everything in a spec that is not the graph (kept verbatim through the canvas). */
export type PipelineMeta = Omit<PipelineSpecInput, "nodes" | "edges" | "notes">;

export interface CanvasGraph {
  meta: PipelineMeta;
  nodes: PipelineNode[];
  edges: PipelineEdge[];
  notes: NoteNode[];
}

export const NOTE_SIZE = { width: 220, height: 120 };

export function createNote(position: XYPosition, taken: Iterable<string>): NoteNode {
  return {
    id: nextNodeId("note", taken),
    type: "note",
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    width: NOTE_SIZE.width,
    height: NOTE_SIZE.height,
    data: { text: "", color: "yellow" },
  };
}

export const PORT_COLORS: Record<PortType, string> = {
  dataset: "#0ea5e9",
  model: "#8b5cf6",
  metrics: "#f59e0b",
  decision: "#10b981",
  deployment: "#f43f5e",
};

export function emptyMeta(name = "Untitled pipeline"): PipelineMeta {
  return { apiVersion: "conveyor/v1", name, description: "" };
}

/** The definition a canvas node stands for: its type at its version (the newest when it has none). */
export function nodeDef(data: { type: string; version?: number }): NodeDefinition | undefined {
  return resolveNodeType(data.type, data.version);
}

/** The port a handle stands for, or undefined for an unknown node type or port. */
export function findPort(type: string, side: "input" | "output", port: string | null | undefined, version?: number): PortDef | undefined {
  const def = resolveNodeType(type, version);
  if (!def || !port) return undefined;
  return (side === "input" ? def.inputs : def.outputs).find((p) => p.name === port);
}

export function edgeId(source: string, sourcePort: string, target: string, targetPort: string): string {
  return `${source}.${sourcePort}-${target}.${targetPort}`;
}

/** Visual attributes of an edge from the type of the port it leaves. */
export function styleEdge(edge: PipelineEdge, portType: PortType | undefined): PipelineEdge {
  const color = portType ? PORT_COLORS[portType] : undefined;
  return {
    ...edge,
    data: { ...edge.data, portType },
    ...(color ? { style: { ...edge.style, stroke: color } } : {}),
  };
}

export function fromSpec(spec: PipelineSpecInput): CanvasGraph {
  const { nodes: specNodes, edges: specEdges, notes: specNotes, ...meta } = spec;
  const typeOf = new Map(specNodes.map((n) => [n.id, n]));
  const nodes: PipelineNode[] = specNodes.map((n) => ({
    id: n.id,
    type: "pipeline",
    position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
    data: {
      type: n.type,
      ...(n.version !== undefined ? { version: n.version } : {}),
      ...(n.label !== undefined ? { label: n.label } : {}),
      config: structuredClone(n.config ?? {}),
    },
  }));
  const edges: PipelineEdge[] = (specEdges ?? []).map((e) => {
    const src = typeOf.get(e.source);
    const portType = src ? findPort(src.type, "output", e.sourcePort, src.version)?.type : undefined;
    return styleEdge({ id: e.id, source: e.source, sourceHandle: e.sourcePort, target: e.target, targetHandle: e.targetPort }, portType);
  });
  const notes: NoteNode[] = (specNotes ?? []).map((n) => ({
    id: n.id,
    type: "note",
    position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
    width: n.width ?? NOTE_SIZE.width,
    height: n.height ?? NOTE_SIZE.height,
    data: { text: n.text ?? "", color: n.color ?? "yellow" },
  }));
  return { meta: structuredClone(meta), nodes, edges, notes };
}

/** The spec of a canvas; `notes` appears only when there are notes, keeping specs minimal. */
export function toSpec(meta: PipelineMeta, nodes: readonly PipelineNode[], edges: readonly PipelineEdge[], notes: readonly NoteNode[] = []): PipelineSpecInput {
  return {
    ...structuredClone(meta),
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      ...(n.data.version !== undefined ? { version: n.data.version } : {}),
      ...(n.data.label !== undefined && n.data.label !== "" ? { label: n.data.label } : {}),
      config: structuredClone(n.data.config),
      position: { x: n.position.x, y: n.position.y },
    })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      sourcePort: e.sourceHandle ?? "",
      target: e.target,
      targetPort: e.targetHandle ?? "",
    })),
    ...(notes.length
      ? {
          notes: notes.map((n) => ({
            id: n.id,
            text: n.data.text,
            position: { x: n.position.x, y: n.position.y },
            width: Math.round(n.width ?? n.measured?.width ?? NOTE_SIZE.width),
            height: Math.round(n.height ?? n.measured?.height ?? NOTE_SIZE.height),
            color: n.data.color,
          })),
        }
      : {}),
  };
}

/** `train.linear` → `train-linear-1`, the first id of that shape not taken. */
export function nextNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base =
    type
      .replace(/@.*$/, "")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "node";
  if (!/^[A-Za-z]/.test(base)) base = `n-${base}`;
  base = base.slice(0, 56);
  for (let i = 1; ; i++) {
    const id = `${base}-${i}`;
    if (!used.has(id)) return id;
  }
}

/**
 * Initial config of a freshly dropped node: nothing but the shape of required
 * lists (so the form can add rows); defaults stay implicit and are shown by
 * the form, keeping saved specs minimal.
 */
export function initialConfig(def: NodeDefinition): Record<string, unknown> {
  if (def.type === "gate.threshold") return { conditions: [] };
  return {};
}

export function createNode(type: string, position: XYPosition, taken: Iterable<string>): PipelineNode | undefined {
  const def = resolveNodeType(type);
  if (!def) return undefined;
  return {
    id: nextNodeId(def.type, taken),
    type: "pipeline",
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    // The newest version, written down: the saved pipeline keeps it when a newer one ships.
    data: { type: def.type, version: def.version, config: initialConfig(def) },
  };
}

export type ConnectionCheck = { ok: true; portType: PortType; replaces?: string } | { ok: false; reason: string };

/** Can `conn` be drawn? Says why not in a sentence (types, self-loops, cycles). */
export function checkConnection(nodes: readonly PipelineNode[], edges: readonly PipelineEdge[], conn: Connection | PipelineEdge): ConnectionCheck {
  const src = nodes.find((n) => n.id === conn.source);
  const dst = nodes.find((n) => n.id === conn.target);
  if (!src || !dst) return { ok: false, reason: "both ends must be nodes on the canvas" };
  if (src.id === dst.id) return { ok: false, reason: "a node cannot feed itself" };
  const out = findPort(src.data.type, "output", conn.sourceHandle, src.data.version);
  const inp = findPort(dst.data.type, "input", conn.targetHandle, dst.data.version);
  if (!out) return { ok: false, reason: `${src.id} has no output "${conn.sourceHandle ?? ""}"` };
  if (!inp) return { ok: false, reason: `${dst.id} has no input "${conn.targetHandle ?? ""}"` };
  if (out.type !== inp.type) {
    return { ok: false, reason: `${dst.id}.${inp.name} needs a ${inp.type}; ${src.id}.${out.name} is a ${out.type} (${out.type} cannot feed ${inp.type})` };
  }
  // A cycle appears if the target already reaches the source.
  const children = new Map<string, string[]>();
  for (const e of edges) children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
  const stack = [dst.id];
  const seen = new Set<string>();
  while (stack.length) {
    const id = stack.pop()!;
    if (id === src.id) return { ok: false, reason: `${src.id} → ${dst.id} would close a cycle; pipelines flow one way` };
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  const existing = edges.find((e) => e.target === dst.id && e.targetHandle === inp.name);
  if (existing && existing.source === src.id && existing.sourceHandle === out.name) return { ok: false, reason: "already connected" };
  return existing ? { ok: true, portType: out.type, replaces: existing.id } : { ok: true, portType: out.type };
}

/**
 * Adds the connection (an input takes one edge: a new one replaces the old).
 * Returns the edges unchanged with the reason when it is refused.
 */
export function connect(nodes: readonly PipelineNode[], edges: readonly PipelineEdge[], conn: Connection): { edges: PipelineEdge[]; refused?: string } {
  const check = checkConnection(nodes, edges, conn);
  if (!check.ok) return { edges: [...edges], refused: check.reason };
  const sourcePort = conn.sourceHandle!;
  const targetPort = conn.targetHandle!;
  const edge = styleEdge(
    {
      id: edgeId(conn.source, sourcePort, conn.target, targetPort),
      source: conn.source,
      sourceHandle: sourcePort,
      target: conn.target,
      targetHandle: targetPort,
    },
    check.portType,
  );
  return { edges: [...edges.filter((e) => e.id !== check.replaces), edge] };
}

/** Removes nodes and every edge touching them. */
export function removeNodes(graph: { nodes: PipelineNode[]; edges: PipelineEdge[] }, ids: readonly string[]) {
  const gone = new Set(ids);
  return {
    nodes: graph.nodes.filter((n) => !gone.has(n.id)),
    edges: graph.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

/**
 * Quick-add (Ctrl/Cmd+K): a node of `type` placed right of `after` and fed
 * from it through the first output whose type one of the new node's inputs
 * takes. Without `after` (or a matching port) the node is just placed.
 */
export function quickAdd(
  graph: { nodes: readonly PipelineNode[]; edges: readonly PipelineEdge[] },
  type: string,
  after: PipelineNode | undefined,
  fallback: XYPosition,
  taken: Iterable<string> = graph.nodes.map((n) => n.id),
): { node: PipelineNode; edges: PipelineEdge[] } | undefined {
  let position = after ? { x: after.position.x + NODE_GAP_X, y: after.position.y } : fallback;
  // Step down past nodes already sitting where the new one would go.
  for (let i = 0; i < 50 && graph.nodes.some((n) => Math.abs(n.position.x - position.x) < NODE_GAP_X / 2 && Math.abs(n.position.y - position.y) < 60); i++) {
    position = { x: position.x, y: position.y + 140 };
  }
  const node = createNode(type, position, taken);
  if (!node) return undefined;
  if (!after) return { node, edges: [...graph.edges] };
  const def = nodeDef(node.data);
  const outs = nodeDef(after.data)?.outputs ?? [];
  for (const out of outs) {
    const inp = def?.inputs.find((p) => p.type === out.type);
    if (!inp) continue;
    const r = connect([...graph.nodes, node], graph.edges, { source: after.id, sourceHandle: out.name, target: node.id, targetHandle: inp.name });
    if (!r.refused) return { node, edges: r.edges };
  }
  return { node, edges: [...graph.edges] };
}

/** Horizontal distance between a node and the one quick-add puts after it. */
export const NODE_GAP_X = 320;

export type Direction = "left" | "right" | "up" | "down";

/**
 * Keyboard navigation: the node nearest to `from` in a direction, preferring
 * nodes in line with it (off-axis distance weighs double).
 */
export function nearestInDirection(nodes: readonly { id: string; position: XYPosition }[], fromId: string, dir: Direction): string | undefined {
  const from = nodes.find((n) => n.id === fromId);
  if (!from) return undefined;
  let best: { id: string; score: number } | undefined;
  for (const n of nodes) {
    if (n.id === fromId) continue;
    const dx = n.position.x - from.position.x;
    const dy = n.position.y - from.position.y;
    const [along, across] = dir === "left" ? [-dx, dy] : dir === "right" ? [dx, dy] : dir === "up" ? [-dy, dx] : [dy, dx];
    if (along <= 0 || Math.abs(across) > along * 2 + 40) continue;
    const score = along + 2 * Math.abs(across);
    if (!best || score < best.score) best = { id: n.id, score };
  }
  return best?.id;
}

export interface ColumnInfo {
  name: string;
  type: string;
}
