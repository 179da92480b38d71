"use client";
/**
 * The spec as a whole: loading one onto the canvas (import, template, an
 * older version), exporting it (file, clipboard), and discarding the edits
 * since the saved version. Each replacement is one undo step.
 */
import { useCallback } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import type { PipelineSpecInput } from "../../../workflows/spec/spec";
import { useTRPC } from "../../trpc/trpc";
import { fromSpec, type NoteNode, type PipelineEdge, type PipelineNode } from "../graph-spec";
import { exportSpec, specFileName } from "../../../workflows/compiler/spec-file";
import type { PipelineEditorState } from "../use-pipeline-editor";
import type { Saved } from "./use-autosave";

export function useSpecCommands({
  ed,
  saved,
  flash,
  closeDialog,
  setActionError,
}: {
  ed: PipelineEditorState;
  saved: Saved | null;
  flash: (message: string) => void;
  closeDialog: () => void;
  setActionError: (error: unknown) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();

  const exportFile = useCallback(() => {
    const blob = new Blob([exportSpec(ed.currentSpec())], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = specFileName(ed.meta.name);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }, [ed]);

  const exportClipboard = useCallback(async () => {
    try {
      await navigator.clipboard.writeText(exportSpec(ed.currentSpec()));
      flash("Copied the pipeline spec as JSON");
    } catch (e) {
      setActionError(e);
    }
  }, [ed, flash]);

  /** Loads an imported spec onto the canvas (one undo step); problems stay visible as on any draft. */
  const loadSpec = useCallback(
    (spec: PipelineSpecInput, problems: number, what: string) => {
      ed.replaceGraph(fromSpec(spec));
      closeDialog();
      flash(
        `${what}: ${spec.nodes.length} node${spec.nodes.length === 1 ? "" : "s"}${problems ? `, ${problems} problem${problems === 1 ? "" : "s"} to fix` : ""}`,
      );
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
    },
    [closeDialog, ed, flash, flow],
  );

  const restoreVersion = useCallback(
    async (version: number) => {
      if (!saved) return;
      try {
        const v = await queryClient.fetchQuery(trpc.pipelines.get.queryOptions({ id: saved.id, version }));
        loadSpec(v.spec as PipelineSpecInput, 0, `Restored version ${version} (save to keep it)`);
      } catch (e) {
        setActionError(e);
      }
    },
    [loadSpec, queryClient, saved, trpc],
  );

  const discard = useCallback(() => {
    if (!saved) return;
    ed.replaceGraph(fromSpec(JSON.parse(saved.json) as PipelineSpecInput));
    flash(`Back to version ${saved.version}`);
  }, [ed, flash, saved]);

  return { exportFile, exportClipboard, loadSpec, restoreVersion, discard };
}
