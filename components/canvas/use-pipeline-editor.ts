"use client";
/**
 * The editor's graph state: React Flow nodes/edges plus the spec's other
 * fields, the derived spec and its live validation. Every edit goes through
 * here, and every undoable one records the graph as it was before into the
 * history (./history.ts): one entry per drag, per Delete, per run of typing
 * in one field. Selection and measured sizes are not history.
 */
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { validateSpec } from "../../workflows/compiler/compile";
import type { SpecError } from "../../workflows/spec/spec";
import { pasteFragment, type ClipboardFragment } from "./clipboard";
import { checkConnection, connect, createNode, removeNodes, toSpec, type CanvasGraph, type PipelineEdge, type PipelineMeta, type PipelineNode } from "./graph-spec";
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
  const selNodes = new Set(current.nodes.filter((n) => n.selected).map((n) => n.id));
  const selEdges = new Set(current.edges.filter((e) => e.selected).map((e) => e.id));
  return {
    meta: snapshot.meta,
    nodes: snapshot.nodes.map((n) => (Boolean(n.selected) === selNodes.has(n.id) && !n.dragging ? n : { ...n, selected: selNodes.has(n.id), dragging: false })),
    edges: snapshot.edges.map((e) => (Boolean(e.selected) === selEdges.has(e.id) ? e : { ...e, selected: selEdges.has(e.id) })),
  };
}

export function usePipelineEditor(initial: CanvasGraph) {
  const [state, setState] = useState<EditorState>(() => ({ graph: initial, history: createHistory<CanvasGraph>(), dragging: false }));
  const { graph, history } = state;
  const { meta, nodes, edges } = graph;

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

  const spec = useMemo(() => toSpec(meta, nodes, edges), [meta, nodes, edges]);
  const specJson = useMemo(() => JSON.stringify(spec), [spec]);
  // Validation may lag a frame behind while dragging; it never blocks the pointer.
  const deferredSpec = useDeferredValue(spec);
  const errors: SpecError[] = useMemo(() => validateSpec(deferredSpec), [deferredSpec]);

  const onNodesChange = useCallback((changes: NodeChange<PipelineNode>[]) => {
    const now = Date.now();
    const t = currentTick();
    setState((s) => {
      const nodes = applyNodeChanges(changes, s.graph.nodes);
      const removed = changes.filter((c) => c.type === "remove").map((c) => c.id);
      // Removing a node removes its edges in the same step, whoever reports them.
      const graph = removed.length ? { ...s.graph, ...removeNodes({ nodes, edges: s.graph.edges }, removed) } : { ...s.graph, nodes };
      let history = s.history;
      let dragging = s.dragging;
      const moves = changes.filter((c) => c.type === "position" && c.position);
      if (removed.length || changes.some((c) => c.type === "add" || c.type === "replace")) {
        history = record(history, s.graph, { key: `burst:${t}`, now });
      } else if (moves.length) {
        const live = moves.some((c) => c.type === "position" && c.dragging);
        if (live && !s.dragging) history = record(history, s.graph, { now }); // one entry per drag
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
  const onConnect = useCallback(
    (conn: Connection): string | undefined => {
      const r = connect(nodes, edges, conn);
      if (r.refused) return r.refused;
      change((g) => ({ ...g, edges: r.edges }));
      return undefined;
    },
    [nodes, edges, change],
  );

  const isValidConnection = useCallback((conn: Connection | PipelineEdge) => checkConnection(nodes, edges, conn).ok, [nodes, edges]);

  const select = useCallback(
    (id: string | null) => {
      change(
        (g) => ({
          ...g,
          nodes: g.nodes.map((n) => (Boolean(n.selected) === (n.id === id) ? n : { ...n, selected: n.id === id })),
          edges: g.edges.some((e) => e.selected) ? g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) : g.edges,
        }),
        false,
      );
    },
    [change],
  );

  const selectAll = useCallback(() => {
    change((g) => ({ ...g, nodes: g.nodes.map((n) => (n.selected ? n : { ...n, selected: true })), edges: g.edges.map((e) => (e.selected ? e : { ...e, selected: true })) }), false);
  }, [change]);

  const setMeta = useCallback((m: PipelineMeta) => change((g) => ({ ...g, meta: m }), `meta:${changedKeys(meta, m)}`), [change, meta]);

  const addNode = useCallback(
    (type: string, position: XYPosition): PipelineNode | undefined => {
      const node = createNode(type, position, nodes.map((n) => n.id));
      if (!node) return undefined;
      change((g) => ({ ...g, nodes: [...g.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }] }));
      return node;
    },
    [nodes, change],
  );

  const updateConfig = useCallback(
    (id: string, config: Record<string, unknown>) => {
      const before = nodes.find((n) => n.id === id)?.data.config ?? {};
      change((g) => ({ ...g, nodes: g.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)) }), `config:${id}:${changedKeys(before, config)}`);
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

  const removeNode = useCallback((id: string) => change((g) => ({ ...g, ...removeNodes(g, [id]) })), [change]);

  /** Deletes the selected nodes (with their edges) and selected edges as one step. */
  const removeSelected = useCallback(() => {
    change((g) => {
      const ids = g.nodes.filter((n) => n.selected).map((n) => n.id);
      const selEdges = g.edges.some((e) => e.selected);
      if (!ids.length && !selEdges) return g;
      const r = removeNodes(g, ids);
      return { ...g, nodes: r.nodes, edges: r.edges.filter((e) => !e.selected) };
    });
  }, [change]);

  /** Pastes a fragment (fresh ids where they collide) and selects what was pasted; returns the new ids. */
  const paste = useCallback(
    (fragment: ClipboardFragment, offset?: XYPosition): string[] => {
      const r = pasteFragment({ nodes, edges }, fragment, offset ? { offset } : {});
      change((g) => {
        // Recomputed on the latest graph so a paste never races an earlier edit.
        const p = pasteFragment(g, fragment, offset ? { offset } : {});
        return { ...g, nodes: p.nodes, edges: p.edges };
      });
      return r.pastedIds;
    },
    [nodes, edges, change],
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
  const selectedNode = selectedNodes.length === 1 ? selectedNodes[0] : undefined;

  return {
    meta,
    setMeta,
    nodes,
    edges,
    spec,
    specJson,
    errors,
    selectedNode,
    selectedNodes,
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
    paste,
    undo,
    redo,
    canUndo: canUndo(history),
    canRedo: canRedo(history),
  };
}

export type PipelineEditorState = ReturnType<typeof usePipelineEditor>;
