"use client";
/** Where things land on the canvas and bringing a node into view; `container` goes on the element around the canvas. */
import { useCallback, useRef } from "react";
import { useReactFlow } from "@xyflow/react";
import type { NoteNode, PipelineEdge, PipelineNode } from "../graph-spec";
import { NODE_WIDTH } from "../node-style";
import type { PipelineEditorState } from "../use-pipeline-editor";

export function useCanvasView(ed: PipelineEditorState) {
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();
  const container = useRef<HTMLDivElement>(null);

  /** Where a clicked palette item lands: the viewport centre, nudged off other nodes. */
  const centrePosition = useCallback(() => {
    const rect = container.current?.getBoundingClientRect();
    const p = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
    const start = { x: p.x - NODE_WIDTH / 2, y: p.y - 40 };
    // The nearest spot below or right of the centre where a new card overlaps nothing.
    const { nodes, notes } = ed.currentGraph();
    const overlaps = (x: number, y: number) =>
      [...notes, ...nodes].some((n) => {
        const w = n.measured?.width ?? n.width ?? NODE_WIDTH;
        const h = n.measured?.height ?? n.height ?? 110;
        return x < n.position.x + w + 20 && x + NODE_WIDTH + 20 > n.position.x && y < n.position.y + h + 20 && y + 110 + 20 > n.position.y;
      });
    for (let ring = 0; ring < 12; ring++) {
      for (const [dx, dy] of [
        [0, ring],
        [ring, 0],
        [ring, ring],
        [-ring, ring],
      ] as const) {
        const x = start.x + dx * (NODE_WIDTH + 40);
        const y = start.y + dy * 70;
        if (!overlaps(x, y)) return { x, y };
      }
    }
    return start;
  }, [ed.currentGraph, flow]);

  /** Selects a node and centres the view on it. */
  const focusNode = useCallback(
    (id: string) => {
      ed.select(id);
      const n = flow.getInternalNode(id);
      if (n) {
        const w = n.measured.width ?? NODE_WIDTH;
        const h = n.measured.height ?? 100;
        void flow.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, {
          zoom: Math.max(flow.getZoom(), 0.9),
          duration: 300,
        });
      }
    },
    [ed, flow],
  );

  /** Pans just enough to show a node when it is outside the visible canvas. */
  const revealNode = useCallback(
    (id: string) => {
      const n = flow.getInternalNode(id);
      const rect = container.current?.getBoundingClientRect();
      if (!n || !rect) return;
      const w = n.measured.width ?? NODE_WIDTH;
      const h = n.measured.height ?? 100;
      const tl = flow.flowToScreenPosition(n.internals.positionAbsolute);
      const br = flow.flowToScreenPosition({ x: n.internals.positionAbsolute.x + w, y: n.internals.positionAbsolute.y + h });
      if (tl.x >= rect.left && tl.y >= rect.top && br.x <= rect.right && br.y <= rect.bottom) return;
      void flow.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, { zoom: flow.getZoom(), duration: 300 });
    },
    [flow],
  );

  return { container, centrePosition, focusNode, revealNode };
}

export type CanvasView = ReturnType<typeof useCanvasView>;
