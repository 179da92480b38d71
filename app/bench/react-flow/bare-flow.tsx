"use client";
/**
 * BENCHMARK FIXTURE (see page.tsx): the pipeline's graph in a plain
 * controlled <ReactFlow> with default nodes and edges at the spec's
 * positions, with the editor's viewport settings (fitView, zoom limits) and
 * snap grid, in the same screen rectangle as the editor's canvas.
 */
import { useEffect, useState } from "react";
import { ReactFlow, useEdgesState, useNodesState, type Edge, type Node } from "@xyflow/react";
import { SNAP_GRID } from "../../../components/canvas/node-style";

interface SpecLike {
  nodes: { id: string; position?: { x: number; y: number } }[];
  edges?: { id: string; source: string; target: string }[];
}

export function BareFlow({
  id,
  onlyRenderVisibleElements,
  rect,
}: {
  id: string;
  onlyRenderVisibleElements: boolean;
  rect: { x: number; y: number; w: number; h: number };
}) {
  const [nodes, setNodes, onNodesChange] = useNodesState<Node>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    void fetch(`/api/v1/pipelines/${encodeURIComponent(id)}`)
      .then((r) => r.json() as Promise<{ spec: SpecLike }>)
      .then(({ spec }) => {
        setNodes(spec.nodes.map((n) => ({ id: n.id, position: n.position ?? { x: 0, y: 0 }, data: { label: n.id } })));
        setEdges((spec.edges ?? []).map((e) => ({ id: e.id, source: e.source, target: e.target })));
        setLoaded(true);
      });
  }, [id, setEdges, setNodes]);
  return (
    <div data-testid="bare-canvas" style={{ position: "fixed", left: rect.x, top: rect.y, width: rect.w, height: rect.h, zIndex: 50, background: "white" }}>
      {loaded ? (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onlyRenderVisibleElements={onlyRenderVisibleElements}
          // The editor snaps drags to its grid: the same here, so a drag changes the picture as often in both.
          snapToGrid
          snapGrid={SNAP_GRID}
          fitView
          fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
          minZoom={0.1}
          maxZoom={2}
        />
      ) : null}
    </div>
  );
}
