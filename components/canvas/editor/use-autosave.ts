"use client";
/**
 * Autosave. A saved pipeline autosaves its draft once editing pauses, so
 * nothing is lost; back at the saved version, the draft is dropped. A new
 * pipeline has no row to hang a draft on until its first save: its draft is
 * kept in this browser (localStorage) and offered when /pipelines/new opens
 * again. Also: the unsaved-changes warning when the tab closes, and the guard
 * a version save (use-save-run.ts) holds so no late draft lands on top of it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useReactFlow } from "@xyflow/react";
import type { PipelineSpecInput } from "../../../workflows/spec/spec";
import { useTRPC } from "../../trpc/trpc";
import { fromSpec, toSpec, type CanvasGraph, type NoteNode, type PipelineEdge, type PipelineNode } from "../graph-spec";
import type { PipelineEditorState } from "../use-pipeline-editor";
import { FIT_VIEW_OPTIONS } from "./editor-canvas";

/** The version the editor is based on. */
export interface Saved {
  id: string;
  version: number;
  /** The spec as last saved, to tell whether there are unsaved changes. */
  json: string;
}

/** The autosaved draft as the server or this browser has it: its spec JSON and when it was written. */
export interface Draft {
  json: string;
  at: Date;
}

/** A draft a never-saved pipeline left in this browser. */
export interface LocalDraft {
  spec: PipelineSpecInput;
  at: Date;
}

/** Held by a version save: waits for an autosave already on the wire, and blocks new ones. */
export interface SaveGuard {
  /** Blocks autosaves; resolves once the one on the wire (if any) has landed. */
  hold(): Promise<unknown>;
  /** The version was saved: saving it deleted the draft (on the server, or for a first save in this browser). */
  saved(first: boolean): void;
  release(): void;
}

/** How long the canvas must be still before the draft is autosaved. */
const AUTOSAVE_MS = 800;

export function useAutosave({
  ed,
  saved,
  initial,
  initialDraft,
  flash,
}: {
  ed: PipelineEditorState;
  saved: Saved | null;
  initial: CanvasGraph;
  initialDraft: { updatedAt: Date } | null;
  flash: (message: string) => void;
}) {
  const trpc = useTRPC();
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();
  const saveDraft = useMutation(trpc.pipelines.saveDraft.mutationOptions());
  const discardDraft = useMutation(trpc.pipelines.discardDraft.mutationOptions());
  // Lazy: the initial value is a whole-graph toSpec + JSON.stringify, which must not run on every render (every drag frame).
  const [draft, setDraft] = useState<Draft | null>(() =>
    initialDraft ? { json: JSON.stringify(toSpec(initial.meta, initial.nodes, initial.edges, initial.notes)), at: initialDraft.updatedAt } : null,
  );
  const dirty = saved ? saved.json !== ed.specJson : ed.nodes.length > 0 || ed.notes.length > 0;

  // A version save waits for an autosave already on the wire, and blocks new
  // ones, so a late draft never lands on top of the version that replaced it.
  const saving = useRef(false);
  const draftRequest = useRef<Promise<unknown>>(Promise.resolve());
  const guard = useMemo<SaveGuard>(
    () => ({
      hold() {
        saving.current = true;
        return draftRequest.current;
      },
      saved(first) {
        setDraft(null); // saving a version deletes the draft on the server
        if (first) writeLocalDraft(null); // from now on the server keeps the drafts
      },
      release() {
        saving.current = false;
      },
    }),
    [],
  );

  const draftJson = draft?.json;
  // A draft left by an earlier new pipeline is offered, not forced: this may be another tab.
  const [localOffer, setLocalOffer] = useState<LocalDraft | null>(null);
  useEffect(() => {
    if (!saved) setLocalOffer(readLocalDraft());
    // Once, when the editor opens.
  }, []);
  const restoreLocal = useCallback(() => {
    if (!localOffer) return;
    const g = fromSpec(localOffer.spec);
    ed.replaceGraph(g);
    setDraft({ json: JSON.stringify(toSpec(g.meta, g.nodes, g.edges, g.notes)), at: localOffer.at });
    setLocalOffer(null);
    flash(`Restored the unsaved pipeline from ${formatTime(localOffer.at)}`);
    requestAnimationFrame(() => void flow.fitView({ ...FIT_VIEW_OPTIONS, duration: 300 }));
  }, [ed, flash, flow, localOffer]);
  const discardLocal = () => {
    writeLocalDraft(null);
    setLocalOffer(null);
  };
  useEffect(() => {
    if (saved || localOffer) return; // until the offer is answered, the stored draft stays as it is
    const json = ed.specJson;
    if (json === draftJson) return;
    const spec = ed.spec;
    const empty = spec.nodes.length === 0 && !spec.notes?.length;
    const t = setTimeout(() => {
      if (saving.current) return;
      if (writeLocalDraft(empty ? null : spec)) setDraft(empty ? null : { json, at: new Date() });
    }, AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [ed.specJson, draftJson, saved, localOffer]);
  useEffect(() => {
    if (!saved) return;
    const json = ed.specJson;
    if (json === (draftJson ?? saved.json)) return;
    const spec = ed.spec;
    const t = setTimeout(() => {
      if (saving.current) return; // the version being saved supersedes this draft
      const request =
        json === saved.json
          ? discardDraft.mutateAsync({ id: saved.id }).then(() => setDraft(null))
          : saveDraft.mutateAsync({ id: saved.id, spec: spec, baseVersion: saved.version }).then((r) => setDraft({ json, at: new Date(r.updatedAt) }));
      draftRequest.current = request.catch(() => undefined); // a failed autosave retries on the next edit
    }, AUTOSAVE_MS);
    return () => clearTimeout(t);
    // Keyed on the spec's JSON, not on the mutation objects, which change identity every render.
  }, [ed.specJson, draftJson, saved]);

  useEffect(() => {
    if (!dirty || draftJson === ed.specJson) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, draftJson, ed.specJson, saved]);

  return {
    draft,
    /** The spec differs from the saved version (a new pipeline: it has anything on it). */
    dirty,
    /** There are changes the draft does not hold yet. */
    draftPending: dirty && draftJson !== ed.specJson,
    guard,
    localOffer,
    restoreLocal,
    discardLocal,
  };
}

/** Where a never-saved pipeline's draft lives: this browser only. */
const LOCAL_DRAFT_KEY = "conveyor:new-pipeline-draft";

function readLocalDraft(): LocalDraft | null {
  try {
    const raw = window.localStorage.getItem(LOCAL_DRAFT_KEY);
    const v = raw ? (JSON.parse(raw) as { spec?: PipelineSpecInput; at?: string }) : null;
    return v?.spec && Array.isArray(v.spec.nodes) && v.at ? { spec: v.spec, at: new Date(v.at) } : null;
  } catch {
    return null; // unreadable or not ours: start empty
  }
}

/** Stores (or with null, removes) the new pipeline's draft; false when storage refused it (full, disabled). */
function writeLocalDraft(spec: PipelineSpecInput | null): boolean {
  try {
    if (spec) window.localStorage.setItem(LOCAL_DRAFT_KEY, JSON.stringify({ spec, at: new Date().toISOString() }));
    else window.localStorage.removeItem(LOCAL_DRAFT_KEY);
    return true;
  } catch {
    return false;
  }
}

export function formatTime(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
