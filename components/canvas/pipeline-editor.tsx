"use client";
/**
 * The pipeline editor at /pipelines/new and /pipelines/{id}: palette,
 * React Flow canvas, config panel, live validation, save and run.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  SelectionMode,
  useConnection,
  useReactFlow,
  type Connection,
  type FinalConnectionState,
} from "@xyflow/react";
import type { PipelineSpecInput, SpecError } from "../../workflows/spec/spec";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { AlertIcon, RedoIcon, RunIcon, SaveIcon, UndoIcon } from "../ui/icons";
import { ErrorNote, Loading } from "../ui/page";
import { fragmentFromSelection, parseFragment, serializeFragment, type ClipboardFragment } from "./clipboard";
import { CanvasContext } from "./editor-context";
import { checkConnection, emptyMeta, fromSpec, PORT_COLORS, toSpec, type CanvasGraph, type PipelineEdge, type PipelineNode } from "./graph-spec";
import { ConfigPanel } from "./config-panel";
import { DRAG_MIME, Palette } from "./palette";
import { NODE_TYPES } from "./pipeline-node";
import { NODE_WIDTH } from "./node-style";
import { errorsByNode } from "./problems";
import { ProblemsList } from "./problems-list";
import { usePipelineEditor } from "./use-pipeline-editor";

/**
 * What was copied last in this tab: paste falls back to it when the system
 * clipboard cannot be read (no permission, insecure context). Module-level so
 * it survives navigating between pipelines.
 */
let memoryClipboard: string | null = null;

/** Keyboard focus is in a form control, where keys belong to the control. */
function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function PipelineEditor({ pipelineId }: { pipelineId?: string }) {
  return <ReactFlowProvider>{pipelineId ? <ExistingPipeline id={pipelineId} /> : <Editor initial={{ meta: emptyMeta(), nodes: [], edges: [] }} saved={null} />}</ReactFlowProvider>;
}

function ExistingPipeline({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.pipelines.get.queryOptions({ id }), staleTime: Infinity, refetchOnMount: "always" });
  if (q.isPending) return <Loading label="Loading pipeline…" />;
  if (q.isError)
    return (
      <div className="p-8">
        <ErrorNote error={q.error} title="Could not open this pipeline" />
      </div>
    );
  const spec = q.data.spec as PipelineSpecInput;
  const graph = fromSpec(spec);
  return <Editor key={id} initial={graph} saved={{ id, version: q.data.version, json: JSON.stringify(toSpec(graph.meta, graph.nodes, graph.edges)) }} />;
}

interface Saved {
  id: string;
  version: number;
  /** The spec as last saved, to tell whether there are unsaved changes. */
  json: string;
}

function Editor({ initial, saved: initialSaved }: { initial: CanvasGraph; saved: Saved | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flow = useReactFlow<PipelineNode, PipelineEdge>();
  const ed = usePipelineEditor(initial);
  const [saved, setSaved] = useState<Saved | null>(initialSaved);
  const [serverErrors, setServerErrors] = useState<{ json: string; errors: SpecError[] } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [toast, setToast] = useState<string | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const create = useMutation(trpc.pipelines.create.mutationOptions());
  const save = useMutation(trpc.pipelines.save.mutationOptions());
  const start = useMutation(trpc.runs.start.mutationOptions());
  const busy = create.isPending || save.isPending || start.isPending;

  const dirty = saved ? saved.json !== ed.specJson : ed.nodes.length > 0;
  // Errors the server returned stay on the canvas until the spec changes.
  const shownErrors = useMemo(() => {
    // An empty canvas has its own empty state; "no nodes" would only be noise.
    const client = ed.nodes.length === 0 ? ed.errors.filter((e) => e.field !== "nodes") : ed.errors;
    if (!serverErrors || serverErrors.json !== ed.specJson) return client;
    const key = (e: SpecError) => `${e.nodeId}|${e.field}|${e.message}`;
    const seen = new Set(client.map(key));
    return [...client, ...serverErrors.errors.filter((e) => !seen.has(key(e)))];
  }, [ed.errors, ed.nodes.length, ed.specJson, serverErrors]);
  const byNode = useMemo(() => errorsByNode(shownErrors), [shownErrors]);
  const ctx = useMemo(() => ({ readOnly: false, errorsByNode: byNode }), [byNode]);

  const flash = useCallback((message: string) => {
    setToast(message);
  }, []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 4500);
    return () => clearTimeout(t);
  }, [toast]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const persist = useCallback(async (): Promise<Saved | null> => {
    setActionError(null);
    const spec = ed.spec;
    const json = ed.specJson;
    try {
      const r = saved ? await save.mutateAsync({ id: saved.id, spec }) : await create.mutateAsync({ spec });
      if (!r.ok) {
        setServerErrors({ json, errors: r.errors });
        flash(`Not saved: ${r.errors.length} problem${r.errors.length === 1 ? "" : "s"} to fix first`);
        return null;
      }
      const next = { id: r.id, version: r.version, json };
      setSaved(next);
      setServerErrors(null);
      if (!saved) window.history.replaceState(null, "", `/pipelines/${r.id}`);
      void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ id: r.id }) });
      flash(`Saved version ${r.version}`);
      return next;
    } catch (e) {
      setActionError(e);
      return null;
    }
  }, [create, ed.spec, ed.specJson, flash, queryClient, save, saved, trpc]);

  const run = useCallback(async () => {
    setActionError(null);
    const target = !saved || dirty ? await persist() : saved;
    if (!target) return;
    try {
      const r = await start.mutateAsync({ pipelineId: target.id, version: target.version });
      if (!r.ok) {
        setServerErrors({ json: target.json, errors: r.errors });
        flash("The pipeline cannot run yet: see the problems");
        return;
      }
      router.push(`/runs/${r.runId}`);
    } catch (e) {
      setActionError(e);
    }
  }, [dirty, flash, persist, router, saved, start]);

  const copySelection = useCallback(async (): Promise<boolean> => {
    if (ed.selectedNodes.length === 0) return false;
    const text = serializeFragment(fragmentFromSelection(ed.nodes, ed.edges));
    memoryClipboard = text;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // The in-memory copy still pastes within this tab.
    }
    return true;
  }, [ed.edges, ed.nodes, ed.selectedNodes.length]);

  const pasteClipboard = useCallback(async () => {
    let text: string | null = null;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      text = null;
    }
    let fragment: ClipboardFragment | undefined = parseFragment(text);
    // Unreadable clipboard: use what this tab copied last.
    if (!fragment && (text === null || text === "")) fragment = parseFragment(memoryClipboard);
    if (!fragment) {
      flash("Nothing to paste: the clipboard holds no Conveyor nodes");
      return;
    }
    const ids = ed.paste(fragment);
    flash(`Pasted ${ids.length} node${ids.length === 1 ? "" : "s"}`);
  }, [ed, flash]);

  const duplicate = useCallback(() => {
    if (ed.selectedNodes.length === 0) return;
    ed.paste(fragmentFromSelection(ed.nodes, ed.edges));
  }, [ed]);

  // Keyboard: Ctrl/Cmd+S saves anywhere; the editing keys act on the canvas
  // only while focus is not in a form control. Delete/Backspace are handled
  // here too, not by React Flow: its key tracker keeps a modifier "pressed"
  // when the modifier's keyup lands in a form field, and then ignores Delete.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if ((e.key === "Delete" || e.key === "Backspace") && !mod && !e.altKey && !isEditableTarget(e.target)) {
        e.preventDefault();
        ed.removeSelected();
        return;
      }
      if (!mod || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === "s") {
        e.preventDefault();
        if (!busy) void persist();
        return;
      }
      if (isEditableTarget(e.target)) return;
      if (key === "z" && !e.shiftKey) {
        e.preventDefault();
        ed.undo();
      } else if ((key === "z" && e.shiftKey) || key === "y") {
        e.preventDefault();
        ed.redo();
      } else if (key === "a") {
        e.preventDefault();
        ed.selectAll();
      } else if (key === "d") {
        e.preventDefault();
        duplicate();
      } else if (key === "c") {
        if (ed.selectedNodes.length === 0) return;
        e.preventDefault();
        void copySelection();
      } else if (key === "x") {
        if (ed.selectedNodes.length === 0) return;
        e.preventDefault();
        void copySelection().then(() => ed.removeSelected());
      } else if (key === "v") {
        e.preventDefault();
        void pasteClipboard();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [busy, copySelection, duplicate, ed, pasteClipboard, persist]);

  /** Where a clicked palette item lands: the viewport centre, nudged off other nodes. */
  const centrePosition = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    const p = rect ? flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }) : { x: 0, y: 0 };
    let pos = { x: p.x - NODE_WIDTH / 2, y: p.y - 40 };
    for (let i = 0; i < 20 && ed.nodes.some((n) => Math.abs(n.position.x - pos.x) < 40 && Math.abs(n.position.y - pos.y) < 40); i++) {
      pos = { x: pos.x + 40, y: pos.y + 40 };
    }
    return pos;
  }, [ed.nodes, flow]);

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

  const onConnect = useCallback(
    (c: Connection) => {
      const refused = ed.onConnect(c);
      if (refused) flash(`Connection refused: ${refused}`);
    },
    [ed, flash],
  );
  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      const conn = from.type === "source" ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null } : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
      const r = checkConnection(ed.nodes, ed.edges, conn);
      if (!r.ok) flash(`Connection refused: ${r.reason}`);
    },
    [ed.edges, ed.nodes, flash],
  );

  const focusNode = useCallback(
    (id: string) => {
      ed.select(id);
      const n = flow.getInternalNode(id);
      if (n) {
        const w = n.measured.width ?? NODE_WIDTH;
        const h = n.measured.height ?? 100;
        void flow.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.9), duration: 300 });
      }
    },
    [ed, flow],
  );

  const status = busy ? "Saving…" : !saved ? "Not saved yet" : dirty ? "Unsaved changes" : `Saved · v${saved.version}`;

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-12 shrink-0 items-center gap-3 border-b border-slate-200 bg-white px-4">
        <Link href="/" className="text-sm text-slate-500 hover:text-slate-800">
          Pipelines
        </Link>
        <span className="text-slate-300">/</span>
        <input
          aria-label="Pipeline name"
          value={ed.meta.name}
          onChange={(e) => ed.setMeta({ ...ed.meta, name: e.target.value })}
          placeholder="Pipeline name"
          className="h-8 w-72 rounded-md border border-transparent bg-transparent px-2 text-sm font-semibold text-slate-900 hover:border-slate-200 focus:border-indigo-400 focus:bg-white focus:outline-none focus:ring-2 focus:ring-indigo-100"
        />
        <span data-testid="save-status" className={`text-xs ${dirty && saved ? "text-amber-600" : "text-slate-500"}`}>
          {status}
        </span>
        <div className="ml-auto flex items-center gap-2">
          <div role="group" aria-label="History" className="mr-1 flex items-center">
            <Button variant="ghost" className="px-2" aria-label="Undo" title="Undo (Ctrl+Z)" onClick={ed.undo} disabled={!ed.canUndo}>
              <UndoIcon />
            </Button>
            <Button variant="ghost" className="px-2" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" onClick={ed.redo} disabled={!ed.canRedo}>
              <RedoIcon />
            </Button>
          </div>
          {saved ? (
            <Link href={`/runs?pipeline=${saved.id}`} className="px-2 text-xs font-medium text-slate-500 hover:text-slate-800">
              Runs
            </Link>
          ) : null}
          <Button onClick={() => void persist()} disabled={busy} title="Save a new version (Ctrl+S)">
            <SaveIcon />
            Save
          </Button>
          <Button
            variant="primary"
            onClick={() => void run()}
            disabled={busy || ed.errors.length > 0}
            title={ed.errors.length ? `Fix ${ed.errors.length} problem${ed.errors.length === 1 ? "" : "s"} before running` : "Save (if needed) and run this pipeline"}
          >
            <RunIcon />
            Run
          </Button>
        </div>
      </div>
      {actionError ? (
        <div className="border-b border-rose-200 bg-rose-50 px-4 py-2">
          <ErrorNote error={actionError} title="The action failed" />
        </div>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <Palette onAdd={(type) => ed.addNode(type, centrePosition())} />
        <div ref={wrapper} className="relative min-w-0 flex-1" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
          <CanvasContext.Provider value={ctx}>
            <ReactFlow<PipelineNode, PipelineEdge>
              nodes={ed.nodes}
              edges={ed.edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={ed.onNodesChange}
              onEdgesChange={ed.onEdgesChange}
              onConnect={onConnect}
              onConnectEnd={onConnectEnd}
              isValidConnection={ed.isValidConnection}
              onPaneClick={() => ed.select(null)}
              deleteKeyCode={null}
              // Shift-drag draws a selection box; Shift/Ctrl/Cmd-click adds to the selection.
              selectionKeyCode="Shift"
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              selectionMode={SelectionMode.Partial}
              snapToGrid
              snapGrid={[10, 10]}
              // Fit a loaded pipeline once; an empty canvas keeps zoom 1 so the first drop does not jump.
              fitView={initial.nodes.length > 0}
              fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
              minZoom={0.2}
              maxZoom={2}
              attributionPosition="bottom-right"
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
              <Controls position="top-left" showInteractive={false} orientation="horizontal" />
              {ed.nodes.length > 10 ? (
                <MiniMap position="top-right" pannable zoomable nodeColor={(n) => (byNode.has(n.id) ? "#fda4af" : "#cbd5e1")} style={{ width: 150, height: 100 }} />
              ) : null}
              <ConnectionHint nodes={ed.nodes} edges={ed.edges} />
            </ReactFlow>
          </CanvasContext.Provider>
          {ed.nodes.length === 0 ? (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
              <div className="rounded-xl border border-dashed border-slate-300 bg-white/80 px-8 py-6 text-center">
                <div className="text-sm font-medium text-slate-700">Drag a node here to start</div>
                <div className="mt-1 max-w-xs text-[13px] text-slate-500">
                  Begin with <span className="font-medium text-slate-700">CSV dataset</span> from the palette, or click any node to add it at the centre.
                </div>
              </div>
            </div>
          ) : null}
          <div className="pointer-events-none absolute bottom-3 left-3 z-10">
            <ProblemsList errors={shownErrors} onSelect={focusNode} />
          </div>
          {toast ? (
            <div role="status" className="absolute left-1/2 top-3 z-20 flex max-w-[70%] -translate-x-1/2 items-center gap-2 rounded-md bg-slate-900 px-3.5 py-2 text-[13px] text-white shadow-lg">
              {toast.startsWith("Saved") || toast.startsWith("Pasted") ? null : <AlertIcon className="shrink-0 text-amber-300" />}
              {toast}
            </div>
          ) : null}
        </div>
        <ConfigPanel
          node={ed.selectedNode}
          meta={ed.meta}
          errors={shownErrors}
          onConfig={ed.updateConfig}
          onLabel={ed.updateLabel}
          onDelete={ed.removeNode}
          onMeta={ed.setMeta}
        />
      </div>
    </div>
  );
}

const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];

/** While a connection is drawn over a port it cannot end on, say why. */
function ConnectionHint({ nodes, edges }: { nodes: PipelineNode[]; edges: PipelineEdge[] }) {
  const c = useConnection();
  if (!c.inProgress || !c.toHandle || c.isValid !== false) return null;
  const from = c.fromHandle;
  const to = c.toHandle;
  const conn = from.type === "source" ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null } : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
  const r = checkConnection(nodes, edges, conn);
  if (r.ok) return null;
  return (
    <div data-testid="connection-hint" className="pointer-events-none absolute left-1/2 top-14 z-20 -translate-x-1/2 rounded-md border border-rose-200 bg-white px-3 py-1.5 text-[12.5px] text-rose-700 shadow-md">
      <span className="mr-1.5 inline-block h-2 w-2 rounded-full" style={{ background: PORT_COLORS.deployment }} />
      {r.reason}
    </div>
  );
}
