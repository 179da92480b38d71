"use client";
/** Saving a version (new pipeline: creating it) and running the pipeline, saving first when needed. */
import { useCallback, useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/trpc";
import type { PipelineEditorState } from "../use-pipeline-editor";
import type { Saved, SaveGuard } from "./use-autosave";
import type { EditorProblems } from "./use-problems";
import { refusable } from "../../trpc/refusable";

export function useSaveRun({
  ed,
  saved,
  setSaved,
  guard,
  problems,
  saveDialogOpen,
  flash,
  onWebhook,
  resumeOf,
}: {
  ed: PipelineEditorState;
  saved: Saved | null;
  setSaved: (saved: Saved) => void;
  guard: SaveGuard;
  problems: EditorProblems;
  saveDialogOpen: boolean;
  /** A save gave the pipeline a webhook: its token, shown this once. */
  onWebhook?: (webhook: { token: string; url: string }) => void;
  /** Run as a resume of this earlier run: its unchanged succeeded steps are reused. */
  resumeOf?: string;
  flash: (message: string) => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { setServerErrors, setActionError } = problems;
  const create = useMutation(trpc.pipelines.create.mutationOptions());
  const save = useMutation(trpc.pipelines.save.mutationOptions());
  const start = useMutation(trpc.runs.start.mutationOptions());
  const busy = create.isPending || save.isPending || start.isPending;
  /** Why the last save was refused, shown in the save dialog until it opens again. */
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    if (saveDialogOpen) setRefusal(null);
  }, [saveDialogOpen]);

  const persist = useCallback(
    async (message?: string): Promise<Saved | null> => {
      setActionError(null);
      await guard.hold();
      const spec = ed.currentSpec();
      const json = JSON.stringify(spec);
      try {
        const r = await refusable(() => (saved ? save.mutateAsync({ id: saved.id, spec, message }) : create.mutateAsync({ spec, message })));
        if (!r.ok) {
          setServerErrors({ json, errors: r.errors });
          const why = `Not saved: ${r.errors.length} problem${r.errors.length === 1 ? "" : "s"} to fix first (see the problems list).${saved ? " Your edits are kept in the draft." : ""}`;
          setRefusal(why);
          flash(why);
          return null;
        }
        const next = { id: r.id, version: r.version, json };
        setSaved(next);
        guard.saved(!saved);
        setServerErrors(null);
        if (!saved) window.history.replaceState(null, "", `/pipelines/${r.id}`);
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ id: r.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.versions.queryKey({ id: r.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.triggers.list.queryKey({ id: r.id }) });
        if (r.webhook) onWebhook?.(r.webhook);
        flash(
          r.unchanged
            ? `Nothing changed since version ${r.version}: no new version`
            : r.webhook
              ? `Saved version ${r.version}: the webhook's URL is in the pipeline settings, shown this once`
              : `Saved version ${r.version}`,
        );
        return next;
      } catch (e) {
        setActionError(e);
        return null;
      } finally {
        guard.release();
      }
    },
    [create, ed, flash, onWebhook, queryClient, save, saved, trpc],
  );

  /** Pressed Run: said at once on the button, until the run page opens (or the run is refused). */
  const [starting, setStarting] = useState(false);
  const run = useCallback(async () => {
    setActionError(null);
    setStarting(true);
    try {
      // Unsaved edits become a version first, saying a run made it.
      const target = !saved || JSON.stringify(ed.currentSpec()) !== saved.json ? await persist("Saved to run") : saved;
      if (!target) return;
      const r = await refusable(() => start.mutateAsync({ pipelineId: target.id, version: target.version, ...(resumeOf ? { resumeOf } : {}) }));
      if (!r.ok) {
        setServerErrors({ json: target.json, errors: r.errors });
        flash("The pipeline cannot run yet: see the problems");
        return;
      }
      router.push(`/runs/${r.runId}`);
    } catch (e) {
      setActionError(e);
    } finally {
      setStarting(false);
    }
  }, [ed, flash, persist, resumeOf, router, saved, setActionError, setServerErrors, start]);

  return { busy, starting, refusal, persist, run };
}
