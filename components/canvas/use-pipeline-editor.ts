"use client";
/**
 * The editor's graph state: React Flow nodes/edges plus the spec's other
 * fields, the derived spec and its live validation. Every edit goes through
 * here, so undo/redo and autosave (issue 3) have one place to hook in.
 */
import { useCallback, useDeferredValue, useMemo, useState } from "react";
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange, type XYPosition } from "@xyflow/react";
import { validateSpec } from "../../workflows/compiler/compile";
import type { SpecError } from "../../workflows/spec/spec";
import { checkConnection, connect, createNode, toSpec, type CanvasGraph, type PipelineEdge, type PipelineMeta, type PipelineNode } from "./graph-spec";

export function usePipelineEditor(initial: CanvasGraph) {
  const [meta, setMeta] = useState<PipelineMeta>(initial.meta);
  const [nodes, setNodes] = useState<PipelineNode[]>(initial.nodes);
  const [edges, setEdges] = useState<PipelineEdge[]>(initial.edges);

  const spec = useMemo(() => toSpec(meta, nodes, edges), [meta, nodes, edges]);
  const specJson = useMemo(() => JSON.stringify(spec), [spec]);
  // Validation may lag a frame behind while dragging; it never blocks the pointer.
  const deferredSpec = useDeferredValue(spec);
  const errors: SpecError[] = useMemo(() => validateSpec(deferredSpec), [deferredSpec]);

  const onNodesChange = useCallback((changes: NodeChange<PipelineNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns)), []);
  const onEdgesChange = useCallback((changes: EdgeChange<PipelineEdge>[]) => setEdges((es) => applyEdgeChanges(changes, es)), []);

  /** Adds the connection, or returns the sentence saying why it is refused. */
  const onConnect = useCallback(
    (conn: Connection): string | undefined => {
      const r = connect(nodes, edges, conn);
      if (r.refused) return r.refused;
      setEdges(r.edges);
      return undefined;
    },
    [nodes, edges],
  );

  const isValidConnection = useCallback((conn: Connection | PipelineEdge) => checkConnection(nodes, edges, conn).ok, [nodes, edges]);

  const select = useCallback((id: string | null) => {
    setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
    setEdges((es) => (es.some((e) => e.selected) ? es.map((e) => (e.selected ? { ...e, selected: false } : e)) : es));
  }, []);

  const addNode = useCallback(
    (type: string, position: XYPosition): PipelineNode | undefined => {
      const node = createNode(type, position, nodes.map((n) => n.id));
      if (!node) return undefined;
      setNodes((ns) => [...ns.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }]);
      return node;
    },
    [nodes],
  );

  const updateConfig = useCallback((id: string, config: Record<string, unknown>) => {
    setNodes((ns) => ns.map((n) => (n.id === id ? { ...n, data: { ...n.data, config } } : n)));
  }, []);

  const updateLabel = useCallback((id: string, label: string) => {
    setNodes((ns) =>
      ns.map((n) => {
        if (n.id !== id) return n;
        const { label: _old, ...rest } = n.data;
        return { ...n, data: label ? { ...rest, label } : rest };
      }),
    );
  }, []);

  const removeNode = useCallback((id: string) => {
    setNodes((ns) => ns.filter((n) => n.id !== id));
    setEdges((es) => es.filter((e) => e.source !== id && e.target !== id));
  }, []);

  const selectedNodes = nodes.filter((n) => n.selected);
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
    onNodesChange,
    onEdgesChange,
    onConnect,
    isValidConnection,
    select,
    addNode,
    updateConfig,
    updateLabel,
    removeNode,
  };
}

export type PipelineEditorState = ReturnType<typeof usePipelineEditor>;
