"use client";
/**
 * The editor's graph state: React Flow nodes/edges plus the spec's other
 * fields, the derived spec and its live validation. Every edit goes through
 * here, and every undoable one records the graph as it was before into the
 * history (./history.ts): one entry per drag, per Delete, per run of typing
 * in one field. Selection and measured sizes are not history.
 */
import { useCallback, useDeferredValue, useMemo, useRef, useState } from "react";
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { inspectSpec, type NodeInsight } from "../../workflows/compiler/compile";
import type { Columns } from "../../workflows/nodes/types";
import type { SpecError } from "../../workflows/spec/spec";
import { pasteFragment, type ClipboardFragment } from "./clipboard";
import {
  checkConnection,
  connect,
  createNode,
  createNote,
  removeNodes,
  toSpec,
  type CanvasGraph,
  type NoteData,
  type NoteNode,
  type PipelineEdge,
  type PipelineMeta,
  type PipelineNode,
} from "./graph-spec";
import { canRedo, canUndo, createHistory, record, redo as redoHistory, undo as undoHistory, type History } from "./history";

interface EditorState {
  graph: CanvasGraph;
  history: History<CanvasGraph>;
  /** A node drag is in progress (its start was recorded already). */
  dragging: boolean;
}

/**
 * Changes made in one synchronous burst (React Flow reports a Delete as node
 * removals and edge removals in two calls) share a tick, so they coalesce
 * into one history entry.
 */
let tick = 0;
let tickScheduled = false;
function currentTick(): number {
  if (!tickScheduled) {
    tickScheduled = true;
    queueMicrotask(() => {
      tickScheduled = false;
      tick++;
    });
  }
  return tick;
}

/** Keys of the top-level config fields that differ, for coalescing typing per field. */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort()
    .join(",");
}

/** A restored snapshot keeps the current selection where the same ids exist. */
function restore(snapshot: CanvasGraph, current: CanvasGraph): CanvasGraph {
  const selNodes = new Set([...current.nodes, ...current.notes].filter((n) => n.selected).map((n) => n.id));
  const selEdges = new Set(current.edges.filter((e) => e.selected).map((e) => e.id));
  const keep = <N extends { id: string; selected?: boolean; dragging?: boolean }>(n: N): N =>
    Boolean(n.selected) === selNodes.has(n.id) && !n.dragging ? n : { ...n, selected: selNodes.has(n.id), dragging: false };
  return {
    meta: snapshot.meta,
    nodes: snapshot.nodes.map(keep),
    edges: snapshot.edges.map((e) => (Boolean(e.selected) === selEdges.has(e.id) ? e : { ...e, selected: selEdges.has(e.id) })),
    notes: snapshot.notes.map(keep),
  };
}

/** Columns of an uploaded dataset source, when the editor has them (its list of the team's datasets). */
export type DatasetColumns = (source: string) => Columns | undefined;

interface Validation {
  errors: SpecError[];
  /** Per node: its input columns and form hints (compile's inspectSpec). */
  insights: ReadonlyMap<string, NodeInsight>;
}

/**
 * Validation of the graph, re-run only when something validation reads has
 * changed: moving nodes keeps every node's `data` and the edges as they were,
 * so a drag keeps the same errors array (and the canvas context built on it).
 */
function useValidation(graph: CanvasGraph, datasets: DatasetColumns | undefined): Validation {
  const last = useRef<{
    meta: PipelineMeta;
    edges: PipelineEdge[];
    ids: string[];
    data: object[];
    notes: number;
    datasets: DatasetColumns | undefined;
    result: Validation;
  } | null>(null);
  const prev = last.current;
  const same =
    prev !== null &&
    prev.meta === graph.meta &&
    prev.edges === graph.edges &&
    prev.notes === graph.notes.length &&
    prev.datasets === datasets &&
    prev.ids.length === graph.nodes.length &&
    graph.nodes.every((n, i) => prev.ids[i] === n.id && prev.data[i] === n.data);
  if (same) return prev.result;
  const inspected = inspectSpec(toSpec(graph.meta, graph.nodes, graph.edges, graph.notes), datasets ? { datasets } : {});
  // Same problems as before (e.g. after an edit that fixed nothing): keep the old array.
  const errors = prev && JSON.stringify(prev.result.errors) === JSON.stringify(inspected.errors) ? prev.result.errors : inspected.errors;
  const result = { errors, insights: inspected.nodes };
  last.current = {
    meta: graph.meta,
    edges: graph.edges,
    ids: graph.nodes.map((n) => n.id),
    data: graph.nodes.map((n) => n.data),
    notes: graph.notes.length,
    datasets,
    result,
  };
  return result;
}

export function usePipelineEditor(initial: CanvasGraph, opts: { datasets?: DatasetColumns } = {}) {
  const [state, setState] = useState<EditorState>(() => ({ graph: initial, history: createHistory<CanvasGraph>(), dragging: false }));
  const { graph, history } = state;
  const { meta, nodes, edges, notes } = graph;

  /** Applies a graph change; with `key !== false` the graph before it becomes an undo step. */
  const change = useCallback((fn: (g: CanvasGraph) => CanvasGraph, key?: string | false) => {
    const now = Date.now();
    setState((s) => {
      const next = fn(s.graph);
      if (next === s.graph) return s;
      if (key === false) return { ...s, graph: next };
      return { graph: next, history: record(s.history, s.graph, { key, now }), dragging: false };
    });
  }, []);

  // The spec, its JSON and validation are derived from a deferred copy of the
  // graph: React renders the pointer's frame first and catches up when idle,
  // so a drag on a large graph never waits for them.
  // While a gesture is in progress (a note being resized; node drags reach
  // this hook only at their end, see live-drag-flow.tsx) only geometry
  // changes, so the derived copy stays at the graph as it was when the
  // gesture began and catches up once, when it ends.
  const settled = useRef(graph);
  if (!state.dragging) settled.current = graph;
  const deferred = useDeferredValue(settled.current);
  // Actions (save, run, export) read the graph as it is now, never the deferred copy.
  const latest = useRef(graph);
  latest.current = graph;
  const currentSpec = useCallback(() => {
    const g = latest.current;
    return toSpec(g.meta, g.nodes, g.edges, g.notes);
  }, []);
  const spec = useMemo(() => toSpec(deferred.meta, deferred.nodes, deferred.edges, deferred.notes), [deferred]);
  const specJson = useMemo(() => JSON.stringify(spec), [spec]);
  const { errors, insights } = useValidation(deferred, opts.datasets);

  /** Changes React Flow reports for pipeline nodes and notes alike (they share the canvas). */
  const onNodesChange = useCallback((changes: NodeChange<PipelineNode | NoteNode>[]) => {
    const now = Date.now();
    const t = currentTick();
    setState((s) => {
      const noteIds = new Set(s.graph.notes.map((n) => n.id));
      const isNote = (c: NodeChange<PipelineNode | NoteNode>) => ("id" in c ? noteIds.has(c.id) : c.item.type === "note");
      const noteChanges = changes.filter(isNote) as NodeChange<NoteNode>[];
      const nodeChanges = changes.filter((c) => !isNote(c)) as NodeChange<PipelineNode>[];
      const nodes = nodeChanges.length ? applyNodeChanges(nodeChanges, s.graph.nodes) : s.graph.nodes;
      const notes = noteChanges.length ? applyNodeChanges(noteChanges, s.graph.notes) : s.graph.notes;
      const removed = nodeChanges.filter((c) => c.type === "remove").map((c) => c.id);
      // Removing a node removes its edges in the same step, whoever reports them.
      const graph = removed.length ? { ...s.graph, notes, ...removeNodes({ nodes, edges: s.graph.edges }, removed) } : { ...s.graph, nodes, notes };
      let history = s.history;
      let dragging = s.dragging;
      const moves = changes.filter((c) => c.type === "position" && c.position);
      const resized = noteChanges.filter((c) => c.type === "dimensions" && c.resizing !== undefined && c.setAttributes);
      if (removed.length || changes.some((c) => c.type === "add" || c.type === "replace" || c.type === "remove")) {
        history = record(history, s.graph, { key: `burst:${t}`, now });
      } else if (resized.length) {
        // One entry per resize gesture: the first change of the gesture records.
        if (!s.dragging) history = record(history, s.graph, { now });
        dragging = resized.some((c) => c.type === "dimensions" && c.resizing);
      } else if (moves.length) {
        const live = moves.some((c) => c.type === "position" && c.dragging);
        if (live && !s.dragging)
          history = record(history, s.graph, { now }); // one entry per drag
        else if (!live && !s.dragging) history = record(history, s.graph, { key: "nudge", now }); // arrow keys
        dragging = live;
      } else if (changes.some((c) => c.type === "position" && c.dragging === false)) {
        dragging = false;
      }
      return { graph, history, dragging };
    });
  }, []);

  const onEdgesChange = useCallback(
    (changes: EdgeChange<PipelineEdge>[]) => {
      const undoable = changes.some((c) => c.type !== "select");
      change((g) => ({ ...g, edges: applyEdgeChanges(changes, g.edges) }), undoable ? `burst:${currentTick()}` : false);
    },
    [change],
  );

  /** Adds the connection, or returns the sentence saying why it is refused. */
  // These read the latest graph through a ref, so they keep their identity
  // while nodes move: React Flow copies every changed callback prop into its
  // store, and each copy wakes every subscriber (a drag frame would pay twice).
  const onConnect = useCallback(
    (conn: Connection): string | undefined => {
      const { nodes, edges } = latest.current;
      const r = connect(nodes, edges, conn);
      if (r.refused) return r.refused;
      change((g) => ({ ...g, edges: r.edges }));
      return undefined;
    },
    [change],
  );

  const isValidConnection = useCallback((conn: Connection | PipelineEdge) => checkConnection(latest.current.nodes, latest.current.edges, conn).ok, []);

  const select = useCallback(
    (id: string | null) => {
      change(
        (g) => ({
          ...g,
          nodes: g.nodes.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })),
          edges: g.edges.some((e) => e.selected) ? g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) : g.edges,
          notes: g.notes.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })),
        }),
        false,
      );
    },
    [change],
  );

  const selectAll = useCallback(() => {
    change(
      (g) => ({
        ...g,
        nodes: g.nodes.map((n) => (n.selected ? n : { ...n, selected: true })),
        edges: g.edges.map((e) => (e.selected ? e : { ...e, selected: true })),
        notes: g.notes.map((n) => (n.selected ? n : { ...n, selected: true })),
      }),
      false,
    );
  }, [change]);

  const setMeta = useCallback((m: PipelineMeta) => change((g) => ({ ...g, meta: m }), `meta:${changedKeys(meta, m)}`), [change, meta]);

  const addNode = useCallback(
    (type: string, position: XYPosition): PipelineNode | undefined => {
      const node = createNode(
        type,
        position,
        latest.current.nodes.map((n) => n.id),
      );
      if (!node) return undefined;
      change((g) => ({ ...g, nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }] }));
      return node;
    },
    [change],
  );

  /**
   * Sets a node's config; with `version`, also moves the node to that version
   * of its type (an upgrade: one undo step of its own, never merged with typing).
   */
  const updateConfig = useCallback(
    (id: string, config: Record<string, unknown>, version?: number) => {
      const before = nodes.find((n) => n.id === id)?.data.config ?? {};
      change(
        (g) => ({
          ...g,
          nodes: g.nodes.map((n) =>
            n.id !== id
              ? n
              : { ...n, data: version === undefined ? { ...n.data, config } : { ...n.data, type: n.data.type.replace(/@.*$/, ""), version, config } },
          ),
        }),
        version === undefined ? `config:${id}:${changedKeys(before, config)}` : `upgrade:${id}:${version}`,
      );
    },
    [nodes, change],
  );

  const updateLabel = useCallback(
    (id: string, label: string) => {
      change(
        (g) => ({
          ...g,
          nodes: g.nodes.map((n) => {
            if (n.id !== id) return n;
            const { label: _old, ...rest } = n.data;
            return { ...n, data: label ? { ...rest, label } : rest };
          }),
        }),
        `label:${id}`,
      );
    },
    [change],
  );

  const removeNode = useCallback((id: string) => change((g) => ({ ...g, ...removeNodes(g, [id]), notes: g.notes.filter((n) => n.id !== id) })), [change]);

  /** Adds a sticky note (selected) and returns its id. */
  const addNote = useCallback(
    (position: XYPosition): string => {
      const note = createNote(
        position,
        [...nodes, ...notes].map((n) => n.id),
      );
      change((g) => ({
        ...g,
        nodes: g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        notes: [...g.notes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...note, selected: true }],
      }));
      return note.id;
    },
    [nodes, notes, change],
  );

  const updateNote = useCallback(
    (id: string, data: Partial<NoteData>) => {
      change(
        (g) => ({ ...g, notes: g.notes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...data } } : n)) }),
        `note:${id}:${Object.keys(data).sort().join(",")}`,
      );
    },
    [change],
  );

  /** Moves nodes and notes to new positions as one undoable step (auto-layout). */
  const moveTo = useCallback(
    (positions: ReadonlyMap<string, XYPosition>) => {
      const place = <N extends { id: string; position: XYPosition }>(n: N): N => {
        const p = positions.get(n.id);
        return p && (p.x !== n.position.x || p.y !== n.position.y) ? { ...n, position: { x: p.x, y: p.y } } : n;
      };
      change((g) => {
        const nodes = g.nodes.map(place);
        const notes = g.notes.map(place);
        return nodes.every((n, i) => n === g.nodes[i]) && notes.every((n, i) => n === g.notes[i]) ? g : { ...g, nodes, notes };
      });
    },
    [change],
  );

  /** Adds a node with the edges it comes with (quick-add), selected, as one step. */
  const insert = useCallback(
    (node: PipelineNode, nextEdges: PipelineEdge[]) => {
      change((g) => ({
        ...g,
        nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }],
        notes: g.notes.map((n) => (n.selected ? { ...n, selected: false } : n)),
        edges: nextEdges,
      }));
    },
    [change],
  );

  /** Replaces the whole graph (import, restoring a version) as one undoable step. */
  const replaceGraph = useCallback((next: CanvasGraph) => change(() => next), [change]);

  /** Deletes the selected nodes (with their edges) and selected edges as one step. */
  const removeSelected = useCallback(() => {
    change((g) => {
      const ids = g.nodes.filter((n) => n.selected).map((n) => n.id);
      const selEdges = g.edges.some((e) => e.selected);
      const selNotes = g.notes.some((n) => n.selected);
      if (!ids.length && !selEdges && !selNotes) return g;
      const r = removeNodes(g, ids);
      return { ...g, nodes: r.nodes, edges: r.edges.filter((e) => !e.selected), notes: selNotes ? g.notes.filter((n) => !n.selected) : g.notes };
    });
  }, [change]);

  /** Pastes a fragment (fresh ids where they collide) and selects what was pasted; returns the new ids. */
  const paste = useCallback(
    (fragment: ClipboardFragment, offset?: XYPosition): string[] => {
      const r = pasteFragment({ nodes, edges, notes }, fragment, offset ? { offset } : {});
      change((g) => {
        // Recomputed on the latest graph so a paste never races an earlier edit.
        const p = pasteFragment(g, fragment, offset ? { offset } : {});
        return { ...g, nodes: p.nodes, edges: p.edges, notes: p.notes };
      });
      return r.pastedIds;
    },
    [nodes, edges, notes, change],
  );

  const undo = useCallback(() => {
    setState((s) => {
      const r = undoHistory(s.history, s.graph);
      return r ? { graph: restore(r.state, s.graph), history: r.history, dragging: false } : s;
    });
  }, []);

  const redo = useCallback(() => {
    setState((s) => {
      const r = redoHistory(s.history, s.graph);
      return r ? { graph: restore(r.state, s.graph), history: r.history, dragging: false } : s;
    });
  }, []);

  const selectedNodes = useMemo(() => nodes.filter((n) => n.selected), [nodes]);
  const selectedNotes = useMemo(() => notes.filter((n) => n.selected), [notes]);
  // The same object while only its position changes, so the settings panel
  // does not re-render on every frame of a drag.
  const selectedRef = useRef<PipelineNode | undefined>(undefined);
  const picked = selectedNodes.length === 1 ? selectedNodes[0] : undefined;
  const prevSelected = selectedRef.current;
  if (!picked || !prevSelected || picked.id !== prevSelected.id || picked.data !== prevSelected.data) selectedRef.current = picked;
  const selectedNode = selectedRef.current;

  return {
    meta,
    setMeta,
    nodes,
    edges,
    notes,
    /** The graph the spec is derived from: trails the canvas while it is busy and during a drag. */
    settled: deferred,
    /** The spec for display (may trail the canvas by a render while it is busy). */
    spec,
    specJson,
    currentSpec,
    /** The graph as it is now (for callbacks that must not change identity on every edit). */
    currentGraph: useCallback(() => latest.current, []),
    errors,
    /** Per node: the columns coming into its dataset inputs and its form hints, from the same validation. */
    insights,
    selectedNode,
    selectedNodes,
    selectedNotes,
    onNodesChange,
    onEdgesChange,
    onConnect,
    isValidConnection,
    select,
    selectAll,
    addNode,
    updateConfig,
    updateLabel,
    removeNode,
    removeSelected,
    addNote,
    updateNote,
    moveTo,
    insert,
    replaceGraph,
    paste,
    undo,
    redo,
    canUndo: canUndo(history),
    canRedo: canRedo(history),
  };
}

export type PipelineEditorState = ReturnType<typeof usePipelineEditor>;
