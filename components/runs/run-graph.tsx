"use client";
/** The run's pipeline version, read-only, each node coloured by its step's status. */
import { useMemo } from "react";
import { Background, BackgroundVariant, Controls, ReactFlow, ReactFlowProvider } from "@xyflow/react";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import { CanvasContext, type NodeRunState } from "../canvas/editor-context";
import { fromSpec, type PipelineEdge, type PipelineNode } from "../canvas/graph-spec";
import { NODE_TYPES } from "../canvas/pipeline-node";
import { STATUS_STYLE, toStatus } from "../ui/status-badge";

interface StepLike {
  nodeId: string;
  status: string;
  cached: boolean;
  error: string | null;
}

export function RunGraph({ spec, steps, onSelect }: { spec: PipelineSpecInput; steps: readonly StepLike[]; onSelect?: (nodeId: string) => void }) {
  const graph = useMemo(() => fromSpec(spec), [spec]);
  const runState = useMemo(() => new Map<string, NodeRunState>(steps.map((s) => [s.nodeId, { status: s.status, cached: s.cached, error: s.error }])), [steps]);
  const edges = useMemo<PipelineEdge[]>(
    () =>
      graph.edges.map((e) => {
        const st = toStatus(runState.get(e.source)?.status);
        const active = st === "running" || runState.get(e.target)?.status === "running";
        const dim = st === "skipped" || st === "failed" || st === "queued" || st === "pending";
        return { ...e, animated: active, style: { ...e.style, opacity: dim ? 0.45 : 1 } };
      }),
    [graph.edges, runState],
  );
  const ctx = useMemo(() => ({ readOnly: true, errorsByNode: new Map(), runStateByNode: runState }), [runState]);
  return (
    <ReactFlowProvider>
      <CanvasContext.Provider value={ctx}>
        <ReactFlow<PipelineNode, PipelineEdge>
          nodes={graph.nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          onNodeClick={(_, n) => onSelect?.(n.id)}
          fitView
          fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
          minZoom={0.2}
          attributionPosition="top-right"
          zoomOnScroll={false}
          preventScrolling={false}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1} />
          <Controls position="bottom-left" showInteractive={false} />
        </ReactFlow>
      </CanvasContext.Provider>
    </ReactFlowProvider>
  );
}

export function StatusLegend() {
  const shown = ["queued", "running", "succeeded", "failed", "skipped", "cancelled"] as const;
  return (
    <div className="flex gap-3 text-[11px] font-normal text-slate-500">
      {shown.map((s) => (
        <span key={s} className="flex items-center gap-1">
          <span className="h-2 w-2 rounded-full" style={{ background: STATUS_STYLE[s].ring }} />
          {s}
        </span>
      ))}
    </div>
  );
}
