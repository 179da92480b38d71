"use client";
/**
 * The pipeline editor at /pipelines/new and /pipelines/{id}: palette,
 * React Flow canvas, config panel, live validation, save and run. `Editor`
 * composes the parts in ./editor/: autosave, save and run, problems,
 * clipboard, keyboard, canvas gestures and view, commands, toolbar, canvas
 * and what lies over it. Handlers passed to React Flow keep their identity
 * across renders, and a drag re-renders only the canvas (live-drag-flow.tsx).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import type { FreshWebhook } from "./triggers-section";
import { useTRPC } from "../trpc/trpc";
import { ErrorNote, Loading } from "../ui/page";
import { ConfigPanel } from "./config-panel";
import { ImportDialog, SaveDialog } from "./editor-dialogs";
import { emptyMeta, fromSpec, toSpec, type CanvasGraph, type NoteNode, type PipelineNode } from "./graph-spec";
import { Palette } from "./palette";
import { ProblemsList } from "./problems-list";
import { QuickAdd } from "./quick-add";
import { usePipelineEditor } from "./use-pipeline-editor";
import { VersionsPanel } from "./versions-panel";
import { EmptyCanvas, LocalDraftOffer, Toast, useToast } from "./editor/canvas-overlays";
import { EditorCanvas } from "./editor/editor-canvas";
import { EditorToolbar } from "./editor/editor-toolbar";
import { useAutosave, type Saved } from "./editor/use-autosave";
import { useCanvasCommands } from "./editor/use-canvas-commands";
import { useCanvasView } from "./editor/use-canvas-view";
import { useClipboardActions } from "./editor/use-clipboard-actions";
import { useEditorKeyboard, type EditorDialog } from "./editor/use-editor-keyboard";
import { useProblems } from "./editor/use-problems";
import { useSaveRun } from "./editor/use-save-run";
import { useDatasetColumns } from "./editor/use-dataset-columns";
import { useSpecCommands } from "./editor/use-spec-commands";

/** "Edit and resume" a run: the version it ran, the node to fix, and the run whose unchanged steps the next run reuses. */
export interface ResumeTarget {
  runId: string;
  version?: number;
  select?: string;
}

export function PipelineEditor({ pipelineId, resume }: { pipelineId?: string; resume?: ResumeTarget }) {
  return (
    <ReactFlowProvider>
      {pipelineId ? (
        <ExistingPipeline id={pipelineId} resume={resume} />
      ) : (
        <Editor initial={{ meta: emptyMeta(), nodes: [], edges: [], notes: [] }} saved={null} draft={null} />
      )}
    </ReactFlowProvider>
  );
}

/** Opens the latest version, or the autosaved draft on top of it when there is one. */
function ExistingPipeline({ id, resume }: { id: string; resume?: ResumeTarget }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.pipelines.get.queryOptions({ id }), staleTime: Infinity, refetchOnMount: "always" });
  const hasDraft = !!q.data?.draft;
  const d = useQuery({ ...trpc.pipelines.draft.queryOptions({ id }), enabled: hasDraft, staleTime: Infinity, refetchOnMount: "always" });
  if (q.isPending || (hasDraft && d.isPending)) return <Loading label="Loading pipeline…" />;
  if (q.isError)
    return (
      <div className="p-8">
        <ErrorNote error={q.error} title="Could not open this pipeline" />
      </div>
    );
  const versionGraph = fromSpec(q.data.spec as PipelineSpecInput);
  const saved = { id, version: q.data.version, json: JSON.stringify(toSpec(versionGraph.meta, versionGraph.nodes, versionGraph.edges, versionGraph.notes)) };
  const draft = d.data ? { spec: d.data.spec as PipelineSpecInput, baseVersion: d.data.baseVersion, updatedAt: new Date(d.data.updatedAt) } : null;
  return <Editor key={id} initial={draft ? fromSpec(draft.spec) : versionGraph} saved={saved} draft={draft} resume={resume} />;
}

function Editor({
  initial,
  saved: initialSaved,
  draft: initialDraft,
  resume,
}: {
  initial: CanvasGraph;
  saved: Saved | null;
  draft: { baseVersion: number; updatedAt: Date } | null;
  resume?: ResumeTarget;
}) {
  const datasets = useDatasetColumns();
  const ed = usePipelineEditor(initial, { datasets });
  const [saved, setSaved] = useState<Saved | null>(initialSaved);
  const [dialog, setDialog] = useState<EditorDialog | null>(null);
  const closeDialog = useCallback(() => setDialog(null), []);
  const [showVersions, setShowVersions] = useState(false);
  const { toast, flash } = useToast();
  const problems = useProblems(ed);
  const autosave = useAutosave({ ed, saved, initial, initialDraft, flash });
  const [freshWebhook, setFreshWebhook] = useState<FreshWebhook | null>(null);
  const { busy, starting, refusal, persist, run } = useSaveRun({
    ed,
    saved,
    setSaved,
    guard: autosave.guard,
    problems,
    saveDialogOpen: dialog === "save",
    flash,
    onWebhook: setFreshWebhook,
    resumeOf: resume?.runId,
  });
  const view = useCanvasView(ed);
  const clipboard = useClipboardActions(ed, flash);
  const commands = useCanvasCommands({ ed, view, closeDialog });
  const spec = useSpecCommands({ ed, saved, flash, closeDialog, setActionError: problems.setActionError });
  useEditorKeyboard({ ed, dialog, openDialog: setDialog, busy, clipboard, revealNode: view.revealNode });
  useResume(resume, initialSaved, spec.restoreVersion, view.focusNode);
  // Notes first, so they sit under the pipeline nodes.
  const canvasNodes = useMemo<(PipelineNode | NoteNode)[]>(() => [...ed.notes, ...ed.nodes], [ed.notes, ed.nodes]);

  return (
    <div className="flex h-full flex-col">
      <EditorToolbar
        ed={ed}
        saved={saved}
        autosave={autosave}
        busy={busy}
        starting={starting}
        clipboard={clipboard}
        showVersions={showVersions}
        onToggleVersions={() => setShowVersions((v) => !v)}
        openDialog={setDialog}
        onAddNote={commands.addNote}
        onLayout={commands.layout}
        onExportFile={spec.exportFile}
        onExportClipboard={spec.exportClipboard}
        onDiscard={spec.discard}
        onRun={run}
      />
      {resume ? (
        <div role="status" data-testid="resume-banner" className="border-b border-sky-200 bg-sky-50 px-4 py-2 text-[13px] text-sky-900">
          Resuming run <span className="font-mono">{resume.runId.slice(0, 8)}</span>: fix {resume.select ? <strong>{resume.select}</strong> : "what failed"},
          then Run. Steps that did not change are not run again: they reuse that run&apos;s outputs.
        </div>
      ) : null}
      {problems.actionError ? (
        <div className="border-b border-rose-200 bg-rose-50 px-4 py-2">
          <ErrorNote error={problems.actionError} title="The action failed" />
        </div>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <Palette onAdd={commands.addFromPalette} />
        <EditorCanvas ed={ed} nodes={canvasNodes} errorsByNode={problems.byNode} flash={flash} fitView={initial.nodes.length > 0} container={view.container}>
          {canvasNodes.length === 0 ? <EmptyCanvas onImport={() => setDialog("import")} onLoad={spec.loadSpec} /> : null}
          <div className="pointer-events-none absolute bottom-3 left-3 z-10">
            <ProblemsList errors={problems.shownErrors} onSelect={view.focusNode} nodes={ed.nodes} />
          </div>
          {autosave.localOffer ? <LocalDraftOffer offer={autosave.localOffer} onRestore={autosave.restoreLocal} onDiscard={autosave.discardLocal} /> : null}
          {toast ? <Toast message={toast} /> : null}
        </EditorCanvas>
        {showVersions && saved ? (
          <VersionsPanel id={saved.id} current={saved.version} onRestore={(v) => void spec.restoreVersion(v)} onClose={() => setShowVersions(false)} />
        ) : (
          <ConfigPanel
            node={ed.selectedNode}
            meta={ed.meta}
            errors={problems.shownErrors}
            onConfig={ed.updateConfig}
            onLabel={ed.updateLabel}
            onDelete={ed.removeNode}
            onMeta={ed.setMeta}
            insight={ed.selectedNode ? ed.insights.get(ed.selectedNode.id) : undefined}
            pipelineId={saved?.id}
            freshWebhook={freshWebhook}
            onFreshWebhook={setFreshWebhook}
          />
        )}
      </div>
      <SaveDialog
        open={dialog === "save"}
        refusal={refusal}
        onOpenChange={(o) => setDialog(o ? "save" : null)}
        version={saved ? saved.version + 1 : 1}
        onSave={(message) => void persist(message).then((r) => r && setDialog(null))}
        busy={busy}
      />
      <ImportDialog
        open={dialog === "import"}
        onOpenChange={(o) => setDialog(o ? "import" : null)}
        onImport={(imported, problemCount) => spec.loadSpec(imported, problemCount, "Imported")}
      />
      <QuickAdd
        open={dialog === "quick-add"}
        onOpenChange={(o) => setDialog(o ? "quick-add" : null)}
        after={ed.selectedNode?.id}
        onPick={commands.quickAddNode}
      />
    </div>
  );
}

/** Once, on opening for "Edit and resume": the run's version on the canvas (when it is not the latest) and its failed node in view. */
function useResume(resume: ResumeTarget | undefined, saved: Saved | null, restoreVersion: (v: number) => Promise<void>, focusNode: (id: string) => void) {
  const done = useRef(false);
  useEffect(() => {
    if (!resume || done.current) return;
    done.current = true;
    void (async () => {
      if (resume.version && saved && resume.version !== saved.version) await restoreVersion(resume.version);
      if (resume.select) setTimeout(() => focusNode(resume.select!), 50);
    })();
  }, [focusNode, restoreVersion, resume, saved]);
}
