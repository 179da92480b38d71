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
  Controls,
  ReactFlowProvider,
  SelectionMode,
  useConnection,
  useReactFlow,
  type Connection,
  type FinalConnectionState,
  type Node,
} from "@xyflow/react";
import type { PipelineSpecInput, SpecError } from "../../workflows/spec/spec";
import { refusable } from "../trpc/refusable";
import { useTRPC } from "../trpc/trpc";
import { Button } from "../ui/button";
import { AlertIcon, HistoryIcon, LayoutIcon, NoteIcon, RedoIcon, RunIcon, SaveIcon, UndoIcon } from "../ui/icons";
import { Menu, MenuItem, MenuSeparator } from "../ui/menu";
import { ErrorNote, Loading } from "../ui/page";
import { SEED_TEMPLATES } from "../../contract/templates";
import { autoLayout, layoutNodesOf } from "./auto-layout";
import { ImportDialog, SaveDialog } from "./editor-dialogs";
import { QuickAdd } from "./quick-add";
import { exportSpec, specFileName } from "../../workflows/compiler/spec-file";
import { VersionsPanel } from "./versions-panel";
import { fragmentFromSelection, parseFragment, serializeFragment, type ClipboardFragment } from "./clipboard";
import { CanvasContext } from "./editor-context";
import { SAMPLES, type SampleName } from "../../workflows/spec/samples";
import { checkConnection, emptyMeta, fromSpec, inputColumns, nearestInDirection, PORT_COLORS, quickAdd, toSpec, type CanvasGraph, type Direction, type NoteNode, type PipelineEdge, type PipelineNode } from "./graph-spec";
import { ConfigPanel } from "./config-panel";
import { DRAG_MIME, Palette } from "./palette";
import { NODE_TYPES } from "./pipeline-node";
import { NODE_WIDTH, SNAP_GRID } from "./node-style";
import { errorsByNode } from "./problems";
import { ProblemsList } from "./problems-list";
import { usePipelineEditor } from "./use-pipeline-editor";
import { CULL_ABOVE_NODES, useLowDetail } from "./level-of-detail";
import { CanvasMinimap } from "./minimap";
import { LiveDragFlow } from "./live-drag-flow";
import { MotionCanvas, type MotionCanvasHandle } from "./motion-canvas";

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
  return <ReactFlowProvider>{pipelineId ? <ExistingPipeline id={pipelineId} /> : <Editor initial={{ meta: emptyMeta(), nodes: [], edges: [], notes: [] }} saved={null} draft={null} />}</ReactFlowProvider>;
}

/** Opens the latest version, or the autosaved draft on top of it when there is one. */
function ExistingPipeline({ id }: { id: string }) {
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
  return <Editor key={id} initial={draft ? fromSpec(draft.spec) : versionGraph} saved={saved} draft={draft} />;
}

interface Saved {
  id: string;
  version: number;
  /** The spec as last saved, to tell whether there are unsaved changes. */
  json: string;
}

/** How long the canvas must be still before the draft is autosaved. */
const AUTOSAVE_MS = 800;

function Editor({ initial, saved: initialSaved, draft: initialDraft }: { initial: CanvasGraph; saved: Saved | null; draft: { baseVersion: number; updatedAt: Date } | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const flow = useReactFlow<PipelineNode | NoteNode, PipelineEdge>();
  const ed = usePipelineEditor(initial);
  const [saved, setSaved] = useState<Saved | null>(initialSaved);
  const [serverErrors, setServerErrors] = useState<{ json: string; errors: SpecError[] } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [dialog, setDialog] = useState<"save" | "import" | "quick-add" | null>(null);
  const [showVersions, setShowVersions] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  useEffect(() => {
    if (dialog === "save") setRefusal(null);
  }, [dialog]);
  /** The autosaved draft as the server has it: its spec JSON and when it was written. */
  // Lazy: the initial value is a whole-graph toSpec + JSON.stringify, which must not run on every render (every drag frame).
  const [draft, setDraft] = useState<{ json: string; at: Date } | null>(() =>
    initialDraft ? { json: JSON.stringify(toSpec(initial.meta, initial.nodes, initial.edges, initial.notes)), at: initialDraft.updatedAt } : null,
  );
  const wrapper = useRef<HTMLDivElement>(null);
  // Set once React has attached its handlers (tests wait for it before dragging).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const create = useMutation(trpc.pipelines.create.mutationOptions());
  const save = useMutation(trpc.pipelines.save.mutationOptions());
  const start = useMutation(trpc.runs.start.mutationOptions());
  const saveDraft = useMutation(trpc.pipelines.saveDraft.mutationOptions());
  const discardDraft = useMutation(trpc.pipelines.discardDraft.mutationOptions());
  const busy = create.isPending || save.isPending || start.isPending;

  const dirty = saved ? saved.json !== ed.specJson : ed.nodes.length > 0 || ed.notes.length > 0;
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
  // Column pickers: the selected node's input columns, from a bundled sample or an uploaded dataset.
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const selectedColumns = useMemo(() => {
    if (!ed.selectedNode) return undefined;
    // From the settled graph: a drag (positions only) does not recompute it.
    return inputColumns({ nodes: ed.settled.nodes, edges: ed.settled.edges }, ed.selectedNode.id, (source) => {
      if (source.startsWith("sample:")) return SAMPLES[source.slice(7) as SampleName]?.columns;
      if (source.startsWith("dataset:")) return datasets.data?.find((d) => d.id === source.slice(8))?.columns;
      return undefined;
    });
  }, [datasets.data, ed.settled, ed.selectedNode]);
  const minimapColor = useCallback((n: PipelineNode | NoteNode) => (n.type === "note" ? "#fde047" : byNode.has(n.id) ? "#fda4af" : "#cbd5e1"), [byNode]);
  const lowDetail = useLowDetail();
  const ctx = useMemo(() => ({ readOnly: false, errorsByNode: byNode, onNoteChange: ed.updateNote }), [byNode, ed.updateNote]);
  // Notes first, so they sit under the pipeline nodes.
  const canvasNodes = useMemo<(PipelineNode | NoteNode)[]>(() => [...ed.notes, ...ed.nodes], [ed.notes, ed.nodes]);
  // The minimap follows the settled graph: it redraws once when a drag ends, not on every frame.
  const settledNodes = useMemo<(PipelineNode | NoteNode)[]>(() => [...ed.settled.notes, ...ed.settled.nodes], [ed.settled.notes, ed.settled.nodes]);

  // While the view pans or zooms, or nodes are dragged, the graph is painted
  // on one canvas instead of the DOM (motion-canvas.tsx). No state: no re-render.
  const motion = useRef<MotionCanvasHandle>(null);
  const onMoveStart = useCallback(() => motion.current?.startView(), []);
  const onMoveEnd = useCallback(() => motion.current?.endView(), []);
  const onDragStart = useCallback((_: unknown, __: unknown, dragged: Node[]) => motion.current?.startDrag(dragged.map((n) => n.id)), []);
  const onSelectionDragStart = useCallback((_: unknown, dragged: Node[]) => motion.current?.startDrag(dragged.map((n) => n.id)), []);
  const onDragEnd = useCallback(() => motion.current?.endDrag(), []);

  const flash = useCallback((message: string) => {
    setToast(message);
  }, []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 4500);
    return () => clearTimeout(t);
  }, [toast]);

  // A version save waits for an autosave already on the wire, and blocks new
  // ones, so a late draft never lands on top of the version that replaced it.
  const saving = useRef(false);
  const draftRequest = useRef<Promise<unknown>>(Promise.resolve());

  // A saved pipeline autosaves its draft once editing pauses, so nothing is
  // lost; back at the saved version, the draft is dropped. A new pipeline has
  // no row to hang a draft on until its first save: its draft is kept in this
  // browser (localStorage) and restored when /pipelines/new opens again.
  const draftJson = draft?.json;
  // A draft left by an earlier new pipeline is offered, not forced: this may be another tab.
  const [localOffer, setLocalOffer] = useState<{ spec: PipelineSpecInput; at: Date } | null>(null);
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
          : saveDraft.mutateAsync({ id: saved.id, spec: spec as Record<string, unknown>, baseVersion: saved.version }).then((r) => setDraft({ json, at: new Date(r.updatedAt) }));
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

  const persist = useCallback(
    async (message?: string): Promise<Saved | null> => {
      setActionError(null);
      saving.current = true;
      await draftRequest.current;
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
        setDraft(null); // saving a version deletes the draft on the server
        setServerErrors(null);
        if (!saved) {
          writeLocalDraft(null); // from now on the server keeps the drafts
          window.history.replaceState(null, "", `/pipelines/${r.id}`);
        }
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ id: r.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.pipelines.versions.queryKey({ id: r.id }) });
        flash(`Saved version ${r.version}`);
        return next;
      } catch (e) {
        setActionError(e);
        return null;
      } finally {
        saving.current = false;
      }
    },
    [create, ed, flash, queryClient, save, saved, trpc],
  );

  const run = useCallback(async () => {
    setActionError(null);
    const target = !saved || JSON.stringify(ed.currentSpec()) !== saved.json ? await persist() : saved;
    if (!target) return;
    try {
      const r = await refusable(() => start.mutateAsync({ pipelineId: target.id, version: target.version }));
      if (!r.ok) {
        setServerErrors({ json: target.json, errors: r.errors });
        flash("The pipeline cannot run yet: see the problems");
        return;
      }
      router.push(`/runs/${r.runId}`);
    } catch (e) {
      setActionError(e);
    }
  }, [ed, flash, persist, router, saved, start]);

  /** Nodes or notes are selected (edges alone are not copied). */
  const copyable = ed.selectedNodes.length + ed.selectedNotes.length > 0;
  const copySelection = useCallback(async (): Promise<boolean> => {
    if (ed.selectedNodes.length + ed.selectedNotes.length === 0) return false;
    const text = serializeFragment(fragmentFromSelection(ed.nodes, ed.edges, undefined, ed.notes));
    memoryClipboard = text;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // The in-memory copy still pastes within this tab.
    }
    return true;
  }, [ed.edges, ed.nodes, ed.notes, ed.selectedNodes.length, ed.selectedNotes.length]);

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
    const n = new Set(fragment.nodes.map((x) => x.id)).size;
    const k = ids.length - n;
    flash(`Pasted ${[n ? `${n} node${n === 1 ? "" : "s"}` : "", k ? `${k} note${k === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ")}`);
  }, [ed, flash]);

  const duplicate = useCallback(() => {
    if (ed.selectedNodes.length + ed.selectedNotes.length === 0) return;
    ed.paste(fragmentFromSelection(ed.nodes, ed.edges, undefined, ed.notes));
  }, [ed]);

  /** Where a clicked palette item lands: the viewport centre, nudged off other nodes. */
  const centrePosition = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
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
      for (const [dx, dy] of [[0, ring], [ring, 0], [ring, ring], [-ring, ring]] as const) {
        const x = start.x + dx * (NODE_WIDTH + 40);
        const y = start.y + dy * 70;
        if (!overlaps(x, y)) return { x, y };
      }
    }
    return start;
  }, [ed.currentGraph, flow]);
  const addFromPalette = useCallback((type: string) => void ed.addNode(type, centrePosition()), [centrePosition, ed.addNode]);

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

  /** Pans just enough to show a node when it is outside the visible canvas. */
  const revealNode = useCallback(
    (id: string) => {
      const n = flow.getInternalNode(id);
      const rect = wrapper.current?.getBoundingClientRect();
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

  const quickAddNode = useCallback(
    (type: string) => {
      setDialog(null);
      const after = ed.selectedNode;
      const r = quickAdd({ nodes: ed.nodes, edges: ed.edges }, type, after, centrePosition(), [...ed.nodes, ...ed.notes].map((n) => n.id));
      if (!r) return;
      ed.insert(r.node, r.edges);
      requestAnimationFrame(() => revealNode(r.node.id));
    },
    [centrePosition, ed, focusNode],
  );

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
      setDialog(null);
      flash(`${what}: ${spec.nodes.length} node${spec.nodes.length === 1 ? "" : "s"}${problems ? `, ${problems} problem${problems === 1 ? "" : "s"} to fix` : ""}`);
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1, duration: 300 }));
    },
    [ed, flash, flow],
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

  // Keyboard: Ctrl/Cmd+S saves anywhere; the editing keys act on the canvas
  // only while focus is not in a form control. Delete/Backspace are handled
  // here too, not by React Flow: its key tracker keeps a modifier "pressed"
  // when the modifier's keyup lands in a form field, and then ignores Delete.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog) return; // an open dialog owns the keyboard
      const mod = e.ctrlKey || e.metaKey;
      const editable = isEditableTarget(e.target);
      if ((e.key === "Delete" || e.key === "Backspace") && !mod && !e.altKey && !editable) {
        e.preventDefault();
        ed.removeSelected();
        return;
      }
      // Alt+arrows walk from the selected node to its nearest neighbour that way.
      if (e.altKey && !mod && !editable && e.key.startsWith("Arrow")) {
        const from = ed.selectedNode ?? ed.nodes[0];
        if (!from) return;
        e.preventDefault();
        const dir = e.key.slice(5).toLowerCase() as Direction;
        const to = ed.selectedNode ? nearestInDirection(ed.nodes, from.id, dir) : from.id;
        if (to) {
          ed.select(to);
          revealNode(to);
          requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(to)}"]`)?.focus());
        }
        return;
      }
      if (e.key === "Escape" && !editable) {
        ed.select(null);
        return;
      }
      if (!mod || e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === "s") {
        e.preventDefault();
        if (!busy) setDialog("save");
        return;
      }
      if (key === "k") {
        e.preventDefault();
        setDialog("quick-add");
        return;
      }
      if (editable) return;
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
        if (!copyable) return;
        e.preventDefault();
        void copySelection();
      } else if (key === "x") {
        if (!copyable) return;
        e.preventDefault();
        void copySelection().then(() => ed.removeSelected());
      } else if (key === "v") {
        e.preventDefault();
        void pasteClipboard();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [busy, copyable, copySelection, dialog, duplicate, ed, pasteClipboard, revealNode]);

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
    [ed.onConnect, flash],
  );
  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false || !state.toHandle || !state.fromHandle) return;
      const from = state.fromHandle;
      const to = state.toHandle;
      const conn = from.type === "source" ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null } : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
      const { nodes, edges } = ed.currentGraph();
      const r = checkConnection(nodes, edges, conn);
      if (!r.ok) flash(`Connection refused: ${r.reason}`);
    },
    [ed.currentGraph, flash],
  );

  const onPaneClick = useCallback(() => ed.select(null), [ed.select]);

  const hasSelection = ed.selectedNodes.length > 0 || ed.selectedNotes.length > 0 || ed.edges.some((e) => e.selected);
  const draftPending = dirty && draftJson !== ed.specJson;
  const status = busy
    ? "Saving…"
    : !saved
      ? draft && !draftPending
        ? `Not saved yet · draft kept in this browser ${formatTime(draft.at)}`
        : "Not saved yet"
      : !dirty
        ? `Saved · v${saved.version}`
        : draftPending
          ? `Unsaved changes · v${saved.version}`
          : `Draft autosaved ${draft ? formatTime(draft.at) : ""} · based on v${saved.version}`;

  return (
    <div className="flex h-full flex-col">
      <div className="flex h-12 shrink-0 items-center gap-2 border-b border-slate-200 bg-white px-4">
        <Link href="/" className="text-sm text-slate-500 hover:text-slate-800">
          Pipelines
        </Link>
        <span className="text-slate-300">/</span>
        <input
          aria-label="Pipeline name"
          value={ed.meta.name}
          onChange={(e) => ed.setMeta({ ...ed.meta, name: e.target.value })}
          placeholder="Pipeline name"
          className="h-8 w-64 min-w-0 rounded-md border border-transparent bg-transparent px-2 text-sm font-semibold text-slate-900 hover:border-slate-200 focus:border-indigo-400 focus:bg-white focus:outline-none focus:ring-2 focus:ring-indigo-100"
        />
        <span data-testid="save-status" className={`truncate text-xs ${dirty && saved ? "text-amber-600" : "text-slate-500"}`}>
          {status}
        </span>
        <div className="ml-auto flex shrink-0 items-center gap-1.5">
          <div role="group" aria-label="History" className="flex items-center">
            <Button variant="ghost" className="px-2" aria-label="Undo" title="Undo (Ctrl+Z)" onClick={ed.undo} disabled={!ed.canUndo}>
              <UndoIcon />
            </Button>
            <Button variant="ghost" className="px-2" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" onClick={ed.redo} disabled={!ed.canRedo}>
              <RedoIcon />
            </Button>
          </div>
          <Menu label="Edit">
            <MenuItem onSelect={ed.undo} disabled={!ed.canUndo} shortcut="Ctrl+Z">Undo</MenuItem>
            <MenuItem onSelect={ed.redo} disabled={!ed.canRedo} shortcut="Ctrl+Shift+Z">Redo</MenuItem>
            <MenuSeparator />
            <MenuItem onSelect={() => void copySelection().then((ok) => ok && ed.removeSelected())} disabled={!copyable} shortcut="Ctrl+X">Cut</MenuItem>
            <MenuItem onSelect={() => void copySelection()} disabled={!copyable} shortcut="Ctrl+C">Copy</MenuItem>
            <MenuItem onSelect={() => void pasteClipboard()} shortcut="Ctrl+V">Paste</MenuItem>
            <MenuItem onSelect={duplicate} disabled={!copyable} shortcut="Ctrl+D">Duplicate</MenuItem>
            <MenuItem onSelect={ed.removeSelected} disabled={!hasSelection} shortcut="Del">Delete</MenuItem>
            <MenuItem onSelect={ed.selectAll} disabled={!canvasNodes.length} shortcut="Ctrl+A">Select all</MenuItem>
            <MenuSeparator />
            <MenuItem onSelect={() => setDialog("quick-add")} shortcut="Ctrl+K">Quick add node…</MenuItem>
            <MenuItem onSelect={addNote}>Add sticky note</MenuItem>
          </Menu>
          <Button variant="ghost" onClick={() => void layout()} disabled={!ed.nodes.length} title="Arrange the graph left to right (undo restores)">
            <LayoutIcon />
            Auto-layout
          </Button>
          <Button variant="ghost" onClick={addNote} title="Add a sticky note">
            <NoteIcon />
            Note
          </Button>
          <Menu label="File">
            <MenuItem onSelect={() => setDialog("import")}>Import JSON…</MenuItem>
            <MenuItem onSelect={exportFile}>Export JSON file</MenuItem>
            <MenuItem onSelect={() => void exportClipboard()}>Copy spec JSON</MenuItem>
            {saved ? (
              <>
                <MenuSeparator />
                <MenuItem onSelect={discard} disabled={!dirty}>Discard changes since v{saved.version}</MenuItem>
              </>
            ) : null}
          </Menu>
          {saved ? (
            <Button variant="ghost" aria-pressed={showVersions} onClick={() => setShowVersions((v) => !v)} title="Version history and compare">
              <HistoryIcon />
              Versions
            </Button>
          ) : null}
          {saved ? (
            <Link href={`/runs?pipeline=${saved.id}`} className="px-2 text-sm text-slate-600 hover:text-slate-900">
              Runs
            </Link>
          ) : null}
          <Button onClick={() => setDialog("save")} disabled={busy} title="Save a new version (Ctrl+S)">
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
        <Palette onAdd={addFromPalette} />
        <div
          ref={wrapper}
          className="relative min-w-0 flex-1 bg-slate-50"
          onDragOver={onDragOver}
          onDrop={onDrop}
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
              onConnect={onConnect}
              onConnectEnd={onConnectEnd}
              isValidConnection={ed.isValidConnection}
              onPaneClick={onPaneClick}
              onMoveStart={onMoveStart}
              onMoveEnd={onMoveEnd}
              onNodeDragStart={onDragStart}
              onNodeDragStop={onDragEnd}
              onSelectionDragStart={onSelectionDragStart}
              onSelectionDragStop={onDragEnd}
              deleteKeyCode={null}
              // Shift-drag draws a selection box; Shift/Ctrl/Cmd-click adds to the selection.
              selectionKeyCode="Shift"
              multiSelectionKeyCode={MULTI_SELECT_KEYS}
              selectionMode={SelectionMode.Partial}
              snapToGrid
              snapGrid={SNAP_GRID}
              // Fit a loaded pipeline once; an empty canvas keeps zoom 1 so the first drop does not jump.
              fitView={initial.nodes.length > 0}
              fitViewOptions={FIT_VIEW_OPTIONS}
              minZoom={0.1}
              maxZoom={2}
              attributionPosition="bottom-right"
            >
              <Controls position="top-left" showInteractive={false} orientation="horizontal" />
              {canvasNodes.length > 10 ? (
                <CanvasMinimap nodes={settledNodes} color={minimapColor} nodeWidth={NODE_WIDTH} />
              ) : null}
              <ConnectionHint nodes={ed.nodes} edges={ed.edges} />
              <MotionCanvas ref={motion} edges={ed.edges} />
            </LiveDragFlow>
          </CanvasContext.Provider>
          {canvasNodes.length === 0 ? (
            <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
              <div className="pointer-events-auto rounded-xl border border-dashed border-slate-300 bg-white/85 px-8 py-6 text-center">
                <div className="text-sm font-medium text-slate-700">Drag a node here to start</div>
                <div className="mt-1 max-w-xs text-[13px] text-slate-500">
                  Begin with <span className="font-medium text-slate-700">CSV dataset</span> from the palette, press <kbd className="rounded border border-slate-300 px-1 text-[11px]">Ctrl K</kbd> to add by name,{" "}
                  <button type="button" onClick={() => setDialog("import")} className="text-indigo-600 hover:underline">
                    import a spec
                  </button>{" "}
                  or start from a template:
                </div>
                <div className="mt-3 flex flex-wrap justify-center gap-2">
                  {SEED_TEMPLATES.map((t) => (
                    <Button key={t.spec.name} size="sm" onClick={() => loadSpec(structuredClone(t.spec) as PipelineSpecInput, 0, `Started from “${t.spec.name}”`)}>
                      {t.spec.name}
                    </Button>
                  ))}
                </div>
              </div>
            </div>
          ) : null}
          <div className="pointer-events-none absolute bottom-3 left-3 z-10">
            <ProblemsList errors={shownErrors} onSelect={focusNode} />
          </div>
          {localOffer ? (
            <div role="region" aria-label="Unsaved pipeline" className="absolute left-1/2 top-3 z-20 flex -translate-x-1/2 items-center gap-3 rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2 text-[13px] text-amber-900 shadow-md">
              <span>
                An unsaved pipeline from {formatTime(localOffer.at)} ({localOffer.spec.nodes.length} node{localOffer.spec.nodes.length === 1 ? "" : "s"}) is kept in this browser.
              </span>
              <Button size="sm" variant="primary" onClick={restoreLocal}>
                Restore
              </Button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => {
                  writeLocalDraft(null);
                  setLocalOffer(null);
                }}
              >
                Discard
              </Button>
            </div>
          ) : null}
          {toast ? (
            <div role="status" className="absolute left-1/2 top-3 z-20 flex max-w-[70%] -translate-x-1/2 items-center gap-2 rounded-md bg-slate-900 px-3.5 py-2 text-[13px] text-white shadow-lg">
              {/^(Saved|Pasted|Copied|Imported|Restored|Back)/.test(toast) ? null : <AlertIcon className="shrink-0 text-amber-300" />}
              {toast}
            </div>
          ) : null}
        </div>
        {showVersions && saved ? (
          <VersionsPanel id={saved.id} current={saved.version} onRestore={(v) => void restoreVersion(v)} onClose={() => setShowVersions(false)} />
        ) : (
          <ConfigPanel
            node={ed.selectedNode}
            meta={ed.meta}
            errors={shownErrors}
            onConfig={ed.updateConfig}
            onLabel={ed.updateLabel}
            onDelete={ed.removeNode}
            onMeta={ed.setMeta}
            columns={selectedColumns}
          />
        )}
      </div>
      <SaveDialog
        open={dialog === "save"}
        refusal={refusal}
        onOpenChange={(o) => setDialog(o ? "save" : null)} version={saved ? saved.version + 1 : 1} onSave={(message) => void persist(message).then((r) => r && setDialog(null))} busy={busy} />
      <ImportDialog open={dialog === "import"} onOpenChange={(o) => setDialog(o ? "import" : null)} onImport={(spec, problems) => loadSpec(spec, problems, "Imported")} />
      <QuickAdd open={dialog === "quick-add"} onOpenChange={(o) => setDialog(o ? "quick-add" : null)} after={ed.selectedNode?.id} onPick={quickAddNode} />
    </div>
  );
}

/** Where a never-saved pipeline's draft lives: this browser only. */
const LOCAL_DRAFT_KEY = "conveyor:new-pipeline-draft";

function readLocalDraft(): { spec: PipelineSpecInput; at: Date } | null {
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

function formatTime(d: Date): string {
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// Props React Flow copies into its store when their identity changes: constants.
const MULTI_SELECT_KEYS = ["Shift", "Meta", "Control"];
const NO_EDGES: PipelineEdge[] = [];
const FIT_VIEW_OPTIONS = { padding: 0.2, maxZoom: 1 };

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
