"use client";
/** Adding to the graph (palette click, sticky note, quick-add) and arranging it (auto-layout). */
import { useCallback } from "react";
import { useReactFlow } from "@xyflow/react";
import { autoLayout, layoutNodesOf } from "../auto-layout";
import { quickAdd, type NoteNode, type PipelineEdge, type PipelineNode } from "../graph-spec";
import type { PipelineEditorState } from "../use-pipeline-editor";
import type { CanvasView } from "./use-canvas-view";

export function useCanvasCommands({ ed, view, closeDialog }: { ed: PipelineEditorState; view: CanvasView; closeDialog: () => void }) {
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();
  const { centrePosition, revealNode } = view;

  const addFromPalette = useCallback((type: string) => void ed.addNode(type, centrePosition()), [centrePosition, ed.addNode]);

  const addNote = useCallback(() => {
    const id = ed.addNote(centrePosition());
    // Focus the new note's text so typing goes straight in.
    requestAnimationFrame(() => document.querySelector<HTMLTextAreaElement>(`[data-testid="note-${id}"] textarea`)?.focus());
  }, [centrePosition, ed]);

  const layout = useCallback(async () => {
    if (!ed.nodes.length) return;
    const positions = await autoLayout(layoutNodesOf(ed.nodes), ed.edges);
    ed.moveTo(positions);
    requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
  }, [ed, flow]);

  /** Quick-add: the picked type after the selected node, connected to it. */
  const quickAddNode = useCallback(
    (type: string) => {
      closeDialog();
      const after = ed.selectedNode;
      const r = quickAdd(
        { nodes: ed.nodes, edges: ed.edges },
        type,
        after,
        centrePosition(),
        [...ed.nodes, ...ed.notes].map((n) => n.id),
      );
      if (!r) return;
      ed.insert(r.node, r.edges);
      requestAnimationFrame(() => revealNode(r.node.id));
    },
    [centrePosition, closeDialog, ed, revealNode],
  );

  return { addFromPalette, addNote, layout, quickAddNode };
}
