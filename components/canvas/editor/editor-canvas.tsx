"use client";
/**
 * The editor's canvas: React Flow (through LiveDragFlow, so a drag re-renders
 * the canvas alone) with its controls, minimap, connection hint and motion
 * canvas, inside the element that takes palette drops. `children` are laid
 * over it (empty state, problems, notices).
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode, type RefObject } from "react";
import { Controls, SelectionMode, useConnection } from "@xyflow/react";
import { checkConnection, PORT_COLORS, type NoteNode, type PipelineEdge, type PipelineNode } from "../graph-spec";
import type { SpecError } from "../../../workflows/spec/spec";
import { CanvasContext } from "../editor-context";
import { CULL_ABOVE_NODES, useLowDetail } from "../level-of-detail";
import { LiveDragFlow } from "../live-drag-flow";
import { CanvasMinimap } from "../minimap";
import { MotionCanvas } from "../motion-canvas";
import { NODE_WIDTH, SNAP_GRID } from "../node-style";
import { NODE_TYPES } from "../pipeline-node";
import type { PipelineEditorState } from "../use-pipeline-editor";
import { useCanvasGestures } from "./use-canvas-gestures";

// Props React Flow copies into its store when their identity changes: constants.
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];
const NO_EDGES: PipelineEdge[] = [];
export const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1 };

export function EditorCanvas({
  ed,
  nodes: canvasNodes,
  errorsByNode: byNode,
  flash,
  fitView,
  container,
  children,
}: {
  ed: PipelineEditorState;
  /** Notes and pipeline nodes, in the order they stack. */
  nodes: (PipelineNode | NoteNode)[];
  errorsByNode: ReadonlyMap<string, SpecError[]>;
  flash: (message: string) => void;
  /** Fit the graph into view once, when it is first shown. */
  fitView: boolean;
  container: RefObject<HTMLDivElement | null>;
  children?: ReactNode;
}) {
  const gestures = useCanvasGestures(ed, flash);
  const minimapColor = useCallback((n: PipelineNode | NoteNode) => (n.type === "note" ? "#fde047" : byNode.has(n.id) ? "#fda4af" : "#cbd5e1"), [byNode]);
  const lowDetail = useLowDetail();
  const ctx = useMemo(() => ({ readOnly: false, errorsByNode: byNode, onNoteChange: ed.updateNote }), [byNode, ed.updateNote]);
  // The minimap follows the settled graph: it redraws once when a drag ends, not on every frame.
  const settledNodes = useMemo<(PipelineNode | NoteNode)[]>(() => [...ed.settled.notes, ...ed.settled.nodes], [ed.settled.notes, ed.settled.nodes]);
  // Set once React has attached its handlers (tests wait for it before dragging).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  return (
    <div
      ref={container}
      className="relative min-w-0 flex-1 bg-slate-50"
      onDragOver={gestures.onDragOver}
      onDrop={gestures.onDrop}
      data-testid="canvas"
      data-ready={hydrated || undefined}
    >
      <CanvasContext.Provider value={ctx}>
        <LiveDragFlow<PipelineNode | NoteNode, PipelineEdge>
          nodes={canvasNodes}
          // Zoomed out, edges are painted (motion-canvas.tsx), not mounted: thousands of
          // mounted edges each recompute their ends on every frame of a pan.
          edges={lowDetail ? NO_EDGES : ed.edges}
          nodeTypes={NODE_TYPES}
          // Zoomed out, every (light) block stays mounted: culling would mount and unmount hundreds per frame of a pan.
          onlyRenderVisibleElements={canvasNodes.length > CULL_ABOVE_NODES && !lowDetail}
          onNodesChange={ed.onNodesChange}
          onEdgesChange={ed.onEdgesChange}
          onConnect={gestures.onConnect}
          onConnectEnd={gestures.onConnectEnd}
          isValidConnection={ed.isValidConnection}
          onPaneClick={gestures.onPaneClick}
          onMoveStart={gestures.onMoveStart}
          onMoveEnd={gestures.onMoveEnd}
          onNodeDragStart={gestures.onDragStart}
          onNodeDragStop={gestures.onDragEnd}
          onSelectionDragStart={gestures.onSelectionDragStart}
          onSelectionDragStop={gestures.onDragEnd}
          deleteKeyCode={null}
          // Shift-drag draws a selection box; Shift/Ctrl/Cmd-click adds to the selection.
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          selectionMode={SelectionMode.Partial}
          snapToGrid
          snapGrid={SNAP_GRID}
          // Fit a loaded pipeline once; an empty canvas keeps zoom 1 so the first drop does not jump.
          fitView={fitView}
          fitViewOptions={FIT_VIEW_OPTIONS}
          minZoom={0.1}
          maxZoom={2}
          attributionPosition="bottom-right"
        >
          <Controls position="top-left" showInteractive={false} orientation="horizontal" />
          {canvasNodes.length > 10 ? <CanvasMinimap nodes={settledNodes} color={minimapColor} nodeWidth={NODE_WIDTH} /> : null}
          <ConnectionHint nodes={ed.nodes} edges={ed.edges} />
          <MotionCanvas ref={gestures.motion} edges={ed.edges} />
        </LiveDragFlow>
      </CanvasContext.Provider>
      {children}
    </div>
  );
}

/** While a connection is drawn over a port it cannot end on, say why. */
function ConnectionHint({ nodes, edges }: { nodes: PipelineNode[]; edges: PipelineEdge[] }) {
  const c = useConnection();
  if (!c.inProgress || !c.toHandle || c.isValid !== false) return null;
  const from = c.fromHandle;
  const to = c.toHandle;
  const conn =
    from.type === "source"
      ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
      : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
  const r = checkConnection(nodes, edges, conn);
  if (r.ok) return null;
  return (
    <div
      data-testid="connection-hint"
      className="pointer-events-none absolute left-1/2 top-14 z-20 -translate-x-1/2 rounded-md border border-rose-200 bg-white px-3 py-1.5 text-[12.5px] text-rose-700 shadow-md"
    >
      <span className="mr-1.5 inline-block h-2 w-2 rounded-full" style={{ background: PORT_COLORS.deployment }} />
      {r.reason}
    </div>
  );
}
