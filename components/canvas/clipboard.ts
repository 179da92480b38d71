/**
 * Copy/paste of canvas selections as spec JSON: a `conveyor/v1` fragment
 * `{ apiVersion, nodes, edges, notes }` — the same shape as a pipeline spec, so a
 * whole exported pipeline pastes too, across pipelines and browser tabs.
 * Pure: building a fragment from a selection, reading one back from text,
 * and merging it into a graph with fresh ids.
 */
import type { XYPosition } from "@xyflow/react";
import { z } from "zod";
import { ZNote, ZPosition, type Note, type SpecEdge, type SpecNode } from "../../workflows/spec/spec";
import { edgeId, findPort, fromSpec, nextNodeId, styleEdge, toSpec, emptyMeta, type NoteNode, type PipelineEdge, type PipelineNode } from "./graph-spec";

export const FRAGMENT_API_VERSION = "conveyor/v1";

export interface ClipboardFragment {
  apiVersion: typeof FRAGMENT_API_VERSION;
  nodes: SpecNode[];
  edges: SpecEdge[];
  /** Sticky notes copied with (or without) the nodes. */
  notes: Note[];
}

/** Lenient on purpose: ids are checked when pasting (they are renamed anyway). */
const ZFragment = z.object({
  apiVersion: z.literal(FRAGMENT_API_VERSION),
  nodes: z
    .array(
      z.object({
        id: z.string().min(1),
        type: z.string().min(1),
        version: z.number().int().positive().optional(),
        label: z.string().optional(),
        config: z.record(z.string(), z.unknown()).default({}),
        position: ZPosition.default({ x: 0, y: 0 }),
      }),
    )
    .default([]),
  edges: z
    .array(
      z.object({
        id: z.string().min(1),
        source: z.string().min(1),
        sourcePort: z.string().min(1),
        target: z.string().min(1),
        targetPort: z.string().min(1),
      }),
    )
    .default([]),
  notes: z.array(ZNote.extend({ id: z.string().min(1) })).default([]),
});

/** The selected nodes and notes (or those in `ids`) and the edges between the nodes, as a fragment. */
export function fragmentFromSelection(
  nodes: readonly PipelineNode[],
  edges: readonly PipelineEdge[],
  ids?: Iterable<string>,
  notes: readonly NoteNode[] = [],
): ClipboardFragment {
  const chosen = new Set(ids ?? [...nodes, ...notes].filter((n) => n.selected).map((n) => n.id));
  const picked = nodes.filter((n) => chosen.has(n.id));
  const inner = edges.filter((e) => chosen.has(e.source) && chosen.has(e.target));
  const spec = toSpec(
    emptyMeta(),
    picked,
    inner,
    notes.filter((n) => chosen.has(n.id)),
  );
  return { apiVersion: FRAGMENT_API_VERSION, nodes: spec.nodes as SpecNode[], edges: spec.edges ?? [], notes: (spec.notes ?? []) as Note[] };
}

export function serializeFragment(f: ClipboardFragment): string {
  return JSON.stringify(f, null, 2);
}

/** The fragment in `text`, or undefined when it is anything else (plain text, another app's JSON). */
export function parseFragment(text: string | null | undefined): ClipboardFragment | undefined {
  if (!text || !text.trimStart().startsWith("{")) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = ZFragment.safeParse(raw);
  if (!r.success || r.data.nodes.length + r.data.notes.length === 0) return undefined;
  const nodes: SpecNode[] = r.data.nodes.map((n) => ({
    id: n.id,
    type: n.type,
    ...(n.version !== undefined ? { version: n.version } : {}),
    ...(n.label !== undefined ? { label: n.label } : {}),
    config: n.config,
    position: n.position,
  }));
  return { apiVersion: FRAGMENT_API_VERSION, nodes, edges: r.data.edges, notes: r.data.notes };
}

export const PASTE_STEP = 40;

/**
 * Merges `fragment` into the graph: ids that collide with the graph's are
 * renamed (`train-linear-1` → `train-linear-2`), positions are shifted by
 * `PASTE_STEP` until no pasted node sits on an existing one, edges follow
 * the renamed ids (edges to nodes outside the fragment are dropped). Notes
 * come along the same way (their ids may not collide with nodes' either).
 * What was pasted comes back selected and everything else deselected.
 */
export function pasteFragment(
  graph: { nodes: readonly PipelineNode[]; edges: readonly PipelineEdge[]; notes?: readonly NoteNode[] },
  fragment: ClipboardFragment,
  options: { offset?: XYPosition } = {},
): { nodes: PipelineNode[]; edges: PipelineEdge[]; notes: NoteNode[]; pastedIds: string[]; idMap: Map<string, string> } {
  const existingNotes = graph.notes ?? [];
  const taken = new Set([...graph.nodes, ...existingNotes].map((n) => n.id));
  const idMap = new Map<string, string>();
  for (const n of fragment.nodes) {
    if (idMap.has(n.id)) continue; // duplicate ids inside the fragment: first wins
    const id = taken.has(n.id) || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(n.id) ? nextNodeId(n.type, taken) : n.id;
    taken.add(id);
    idMap.set(n.id, id);
  }
  const noteIds = new Map<string, string>();
  for (const n of fragment.notes) {
    if (noteIds.has(n.id)) continue;
    const id = taken.has(n.id) || idMap.has(n.id) || !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(n.id) ? nextNodeId("note", taken) : n.id;
    taken.add(id);
    noteIds.set(n.id, id);
  }

  const offset = options.offset ?? findOffset([...graph.nodes, ...existingNotes], [...fragment.nodes, ...fragment.notes]);
  const seen = new Set<string>();
  const pasted: PipelineNode[] = [];
  for (const n of fragment.nodes) {
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    pasted.push({
      id: idMap.get(n.id)!,
      type: "pipeline",
      position: { x: Math.round((n.position?.x ?? 0) + offset.x), y: Math.round((n.position?.y ?? 0) + offset.y) },
      selected: true,
      data: {
        type: n.type,
        ...(n.version !== undefined ? { version: n.version } : {}),
        ...(n.label !== undefined ? { label: n.label } : {}),
        config: structuredClone(n.config ?? {}),
      },
    });
  }

  const typeOf = new Map(pasted.map((n) => [n.id, n.data]));
  const edgeIds = new Set(graph.edges.map((e) => e.id));
  const newEdges: PipelineEdge[] = [];
  for (const e of fragment.edges) {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (!source || !target) continue;
    const id = edgeId(source, e.sourcePort, target, e.targetPort);
    if (edgeIds.has(id)) continue;
    edgeIds.add(id);
    const src = typeOf.get(source);
    const portType = findPort(src?.type ?? "", "output", e.sourcePort, src?.version)?.type;
    newEdges.push(styleEdge({ id, source, sourceHandle: e.sourcePort, target, targetHandle: e.targetPort }, portType));
  }

  const pastedNotes = fromSpec({
    apiVersion: FRAGMENT_API_VERSION,
    name: "fragment",
    nodes: [],
    notes: fragment.notes.filter((n, i, all) => all.findIndex((m) => m.id === n.id) === i),
  }).notes.map((n): NoteNode => ({
    ...n,
    id: noteIds.get(n.id)!,
    selected: true,
    position: { x: Math.round(n.position.x + offset.x), y: Math.round(n.position.y + offset.y) },
  }));

  const deselect = <T extends { selected?: boolean }>(xs: readonly T[]) => xs.map((x) => (x.selected ? { ...x, selected: false } : x));
  return {
    nodes: [...deselect(graph.nodes), ...pasted],
    edges: [...deselect(graph.edges), ...newEdges],
    notes: [...deselect(existingNotes), ...pastedNotes],
    pastedIds: [...pasted.map((n) => n.id), ...pastedNotes.map((n) => n.id)],
    idMap: new Map([...idMap, ...noteIds]),
  };
}

/** The first multiple of PASTE_STEP (≥ 1) at which no pasted node lands on an existing one. */
function findOffset(existing: readonly { position: XYPosition }[], incoming: readonly { position?: XYPosition }[]): XYPosition {
  const near = (a: XYPosition, b: XYPosition) => Math.abs(a.x - b.x) < PASTE_STEP / 2 && Math.abs(a.y - b.y) < PASTE_STEP / 2;
  for (let k = 1; k < 50; k++) {
    const d = k * PASTE_STEP;
    const clash = incoming.some((n) => existing.some((m) => near(m.position, { x: (n.position?.x ?? 0) + d, y: (n.position?.y ?? 0) + d })));
    if (!clash) return { x: d, y: d };
  }
  return { x: PASTE_STEP, y: PASTE_STEP };
}
