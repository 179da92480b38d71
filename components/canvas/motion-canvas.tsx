"use client";
/**
 * While the view pans or zooms, or nodes are dragged, the canvas shows its
 * nodes and edges painted on one <canvas> (motion-painter.ts) and hides the
 * DOM cards and edges; when the gesture ends, the DOM is shown again. With
 * the DOM in the frame, every frame of a gesture repainted the cards and edges
 * and walked every mounted one (paint, layer and cull-rect updates), which
 * held a large graph to a fraction of bare React Flow's frame rate (canvas
 * benchmark, docs/benchmarks.md); the painted picture is moved by the
 * compositor and painted again only now and then.
 *
 * The picture is the same: the painter draws each node in the form the DOM
 * uses at that zoom, from React Flow's measured nodes and handles. A node
 * with keyboard focus stays in the DOM, so that focus is kept.
 */
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import { useStoreApi, type ReactFlowState, type Transform } from "@xyflow/react";
import type { NoteNode, PipelineEdge, PipelineNode } from "./graph-spec";
import { useCanvasContext, type CanvasContextValue } from "./editor-context";
import { paintScene, stillPlacement, type Fonts, type Rect, type Scene, type Still } from "./motion-painter";
import { detailAt } from "./level-of-detail";

/** The class on `.react-flow` while the canvas is shown (globals.css hides the DOM nodes and edges). */
export const MOVING_CLASS = "conveyor-moving";

export interface MotionCanvasHandle {
  /**
   * The view starts to pan or zoom: the canvas is shown on its first move, so
   * a click on the pane changes nothing. Ignored during a node drag (which
   * paints the view's moves too: React Flow pans while a node is dragged to
   * the edge) and while a connection is drawn (its ports stay live).
   */
  startView(): void;
  endView(): void;
  /** Nodes start to be dragged (once the pointer has moved): shown at once, those nodes painted apart. */
  startDrag(dragged: readonly string[]): void;
  endDrag(): void;
}

type State = ReactFlowState<PipelineNode | NoteNode, PipelineEdge>;

/** React Flow's measured nodes in the order it stacks them (the nodes array). */
function* internalsInOrder(s: State) {
  for (const n of s.nodes) {
    const internal = s.nodeLookup.get(n.id);
    if (internal) yield internal;
  }
}

function fontsOf(el: HTMLElement): Fonts {
  const mono = getComputedStyle(document.documentElement).getPropertyValue("--font-mono").trim();
  return { sans: getComputedStyle(el).fontFamily, mono: mono || "monospace" };
}

interface Gesture {
  active: boolean;
  from: Transform;
  dragged: ReadonlySet<string> | null;
  frame: number;
  still?: Still & { nodes: State["nodes"]; edges: readonly PipelineEdge[]; context: CanvasContextValue };
}

/**
 * Whether the still picture shows an old graph: a node other than the dragged
 * ones changed (a selection, a run status), or the edges or the canvas
 * context did. Dragged nodes change on every frame and are painted apart.
 */
export function stillIsStale(
  still: NonNullable<Gesture["still"]>,
  s: State,
  context: CanvasContextValue,
  edges: readonly PipelineEdge[],
  dragged: ReadonlySet<string> | null,
): boolean {
  if (still.edges !== edges || still.context !== context || still.nodes.length !== s.nodes.length) return true;
  if (still.nodes === s.nodes) return false;
  return s.nodes.some((n, i) => n !== still.nodes[i] && !dragged?.has(n.id));
}

function sizeCanvas(c: HTMLCanvasElement, area: Rect): CanvasRenderingContext2D | null {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(area.w * dpr);
  const h = Math.round(area.h * dpr);
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
    Object.assign(c.style, { width: `${area.w}px`, height: `${area.h}px` });
  }
  Object.assign(c.style, { left: `${area.x}px`, top: `${area.y}px`, transformOrigin: `${-area.x}px ${-area.y}px` });
  const ctx = c.getContext("2d");
  ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

export const MotionCanvas = forwardRef<MotionCanvasHandle, { edges: readonly PipelineEdge[] }>(function MotionCanvas({ edges }, ref) {
  const store = useStoreApi<PipelineNode | NoteNode, PipelineEdge>();
  const context = useCanvasContext();
  // Read when painting; the editor's edges, which zoomed out React Flow does not get.
  const latest = useRef({ context, edges });
  latest.current = { context, edges };
  // The still picture (moved by a composited transform between repaints) and the dragged nodes over it.
  const still = useRef<HTMLCanvasElement>(null);
  const dragged = useRef<HTMLCanvasElement>(null);
  const control = useRef<{ start(dragged: ReadonlySet<string> | null): void; stop(kind: "view" | "drag"): void; refresh(): void } | null>(null);

  useEffect(() => {
    let g: Gesture | null = null;
    // Zoomed out with no gesture, the still canvas holds the edges under the DOM blocks.
    let settledFrame = 0;
    let fonts: Fonts | undefined;
    const sceneOf = (s: State): Scene => ({
      nodes: internalsInOrder(s),
      edges: latest.current.edges,
      lookup: s.nodeLookup,
      transform: s.transform,
      context: latest.current.context,
      fonts: (fonts ??= s.domNode ? fontsOf(s.domNode) : { sans: "sans-serif", mono: "monospace" }),
    });
    const setVisible = (c: HTMLCanvasElement | null, on: boolean) => c?.style.setProperty("visibility", on ? "visible" : "hidden");

    const paintSettled = () => {
      settledFrame = 0;
      const sc = still.current;
      if (g?.active || !sc) return;
      const s = store.getState();
      const low = detailAt(s.transform[2]) === "low";
      if (low) {
        const area = { x: 0, y: 0, w: s.width, h: s.height };
        const ctx = sizeCanvas(sc, area);
        if (ctx) paintScene(ctx, sceneOf(s), { area, part: "edges" });
        sc.style.transform = "none";
      }
      setVisible(sc, low);
    };

    const paintGesture = () => {
      const sc = still.current;
      const dc = dragged.current;
      if (!g || !sc || !dc) return;
      g.frame = 0;
      const s = store.getState();
      const { context, edges } = latest.current;
      const placed = g.still && !stillIsStale(g.still, s, context, edges, g.dragged) && stillPlacement(g.still, s.transform, s.width, s.height);
      if (placed) sc.style.transform = placed;
      else {
        // Painted with a margin, so a pan moves it for a while before it is painted again.
        const m = Math.round(Math.max(s.width, s.height) * 0.4);
        const area = { x: -m, y: -m, w: s.width + 2 * m, h: s.height + 2 * m };
        const ctx = sizeCanvas(sc, area);
        if (ctx) paintScene(ctx, sceneOf(s), { area, moving: g.dragged ?? undefined, part: g.dragged ? "still" : undefined });
        sc.style.transform = "none";
        g.still = { transform: s.transform, detail: detailAt(s.transform[2]), area, nodes: s.nodes, edges, context };
      }
      if (g.dragged) {
        const area = { x: 0, y: 0, w: s.width, h: s.height };
        const ctx = sizeCanvas(dc, area);
        if (ctx) paintScene(ctx, sceneOf(s), { area, moving: g.dragged, part: "moving" });
      }
    };

    const activate = () => {
      if (!g || g.active) return;
      g.active = true;
      paintGesture();
      setVisible(still.current, true);
      setVisible(dragged.current, !!g.dragged);
      store.getState().domNode?.classList.add(MOVING_CLASS);
    };

    const stop = (kind?: "view" | "drag") => {
      const ended = g;
      if (!ended || (kind && (kind === "drag") !== !!ended.dragged)) return;
      g = null;
      if (ended.frame) cancelAnimationFrame(ended.frame);
      if (ended.active) {
        store.getState().domNode?.classList.remove(MOVING_CLASS);
        setVisible(dragged.current, false);
        paintSettled();
      }
    };

    const unsubscribe = store.subscribe((s) => {
      if (g?.active) {
        if (!g.frame) g.frame = requestAnimationFrame(paintGesture);
      } else if (g && (s.transform[0] !== g.from[0] || s.transform[1] !== g.from[1] || s.transform[2] !== g.from[2])) activate();
      else if (!settledFrame) settledFrame = requestAnimationFrame(paintSettled);
    });
    paintSettled();

    control.current = {
      start(ids) {
        if (!ids && (g?.dragged || store.getState().connection.inProgress)) return;
        stop();
        g = { active: false, from: store.getState().transform, dragged: ids, frame: 0 };
        if (ids) activate();
      },
      stop,
      refresh() {
        if (!g?.active && !settledFrame) settledFrame = requestAnimationFrame(paintSettled);
      },
    };
    // Whatever ends the editor ends a gesture too.
    return () => {
      unsubscribe();
      stop();
      if (settledFrame) cancelAnimationFrame(settledFrame);
      store.getState().domNode?.classList.remove(MOVING_CLASS);
    };
  }, [store]);

  // The editor's edges or context changed: zoomed out, the edges are painted again.
  useEffect(() => control.current?.refresh(), [edges, context]);

  useImperativeHandle(
    ref,
    () => ({
      startView: () => control.current?.start(null),
      endView: () => control.current?.stop("view"),
      startDrag: (ids) => control.current?.start(new Set(ids)),
      endDrag: () => control.current?.stop("drag"),
    }),
    [],
  );

  // Under React Flow's renderer (the pane is transparent): under the DOM
  // nodes when zoomed out, and alone while they are taken out of the page.
  const className = "pointer-events-none absolute z-[3]";
  return (
    <>
      <canvas ref={still} aria-hidden data-testid="motion-canvas" className={`${className} will-change-transform`} style={{ visibility: "hidden" }} />
      <canvas ref={dragged} aria-hidden className={className} style={{ visibility: "hidden" }} />
    </>
  );
});
