"use client";
/**
 * What the pointer does on the canvas: pans, zooms and node drags (painted on
 * the motion canvas while they last), drawing connections, clicking the pane,
 * and dropping a node type from the palette.
 *
 * Every handler passed to React Flow keeps its identity across renders (refs,
 * the editor's stable callbacks): React Flow copies each changed callback prop
 * into its store, and each copy wakes every subscriber.
 */
import { useCallback, useRef, type DragEvent } from "react";
import { useReactFlow, type Connection, type FinalConnectionState, type Node } from "@xyflow/react";
import { checkConnection, type NoteNode, type PipelineEdge, type PipelineNode } from "../graph-spec";
import type { MotionCanvasHandle } from "../motion-canvas";
import { NODE_WIDTH } from "../node-style";
import { DRAG_MIME } from "../palette";
import type { PipelineEditorState } from "../use-pipeline-editor";

export function useCanvasGestures(ed: PipelineEditorState, flash: (message: string) => void) {
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();

  // While the view pans or zooms, or nodes are dragged, the graph is painted
  // on one canvas instead of the DOM (motion-canvas.tsx). No state: no re-render.
  const motion = useRef<MotionCanvasHandle>(null);
  const onMoveStart = useCallback(() => motion.current?.startView(), []);
  const onMoveEnd = useCallback(() => motion.current?.endView(), []);
  const onDragStart = useCallback((_: unknown, __: unknown, dragged: Node[]) => motion.current?.startDrag(dragged.map((n) => n.id)), []);
  const onSelectionDragStart = useCallback((_: unknown, dragged: Node[]) => motion.current?.startDrag(dragged.map((n) => n.id)), []);
  const onDragEnd = useCallback(() => motion.current?.endDrag(), []);

  const onConnect = useCallback(
    (c: Connection) => {
      const refused = ed.onConnect(c);
      if (refused) flash(`Connection refused: ${refused}`);
    },
    [ed.onConnect, flash],
  );
  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      const conn =
        from.type === "source"
          ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
          : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
      const { nodes, edges } = ed.currentGraph();
      const r = checkConnection(nodes, edges, conn);
      if (!r.ok) flash(`Connection refused: ${r.reason}`);
    },
    [ed.currentGraph, flash],
  );

  const onPaneClick = useCallback(() => ed.select(null), [ed.select]);

  // A node type dragged from the palette (on the element around the canvas).
  const onDragOver = (e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
    }
  };
  const onDrop = (e: DragEvent) => {
    const type = e.dataTransfer.getData(DRAG_MIME);
    if (!type) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    ed.addNode(type, { x: p.x - NODE_WIDTH / 2, y: p.y - 30 });
  };

  return { motion, onMoveStart, onMoveEnd, onDragStart, onSelectionDragStart, onDragEnd, onConnect, onConnectEnd, onPaneClick, onDragOver, onDrop };
}
