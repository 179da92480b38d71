"use client";
/**
 * The editor's minimap, drawn on a <canvas>. React Flow's <MiniMap> is an
 * SVG with one <rect> per node in the same element as the viewport mask, so
 * every frame of a pan repaints all of them (2,000 rects on a 2,000-node
 * graph). Here the nodes are drawn once per graph change and the viewport
 * frame is a separate element moved with the view. Click or drag in it to
 * move the view there; the wheel zooms.
 */
import { useEffect, useMemo, useRef, type PointerEvent, type WheelEvent } from "react";
import { Panel, useReactFlow, useStore, type Node } from "@xyflow/react";

const WIDTH = 150;
const HEIGHT = 100;
const PAD = 4;

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function nodeRect(n: Node, fallbackWidth: number): Rect {
  return { x: n.position.x, y: n.position.y, w: n.measured?.width ?? n.width ?? fallbackWidth, h: n.measured?.height ?? n.height ?? 80 };
}

/** The smallest rectangle holding every node (null without nodes). */
export function nodesBounds(nodes: readonly Node[], fallbackWidth: number): Rect | null {
  if (!nodes.length) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const n of nodes) {
    const r = nodeRect(n, fallbackWidth);
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.w);
    y1 = Math.max(y1, r.y + r.h);
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Scale and offset that fit `world` into the minimap, centred. */
export function fitInto(world: Rect, width = WIDTH, height = HEIGHT, pad = PAD): { scale: number; ox: number; oy: number } {
  const scale = Math.min((width - 2 * pad) / Math.max(1, world.w), (height - 2 * pad) / Math.max(1, world.h));
  return { scale, ox: (width - world.w * scale) / 2 - world.x * scale, oy: (height - world.h * scale) / 2 - world.y * scale };
}

export function CanvasMinimap<N extends Node>({ nodes, color, nodeWidth }: { nodes: readonly N[]; color: (n: N) => string; nodeWidth: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const flow = useReactFlow();
  // Numbers, one subscription each: re-renders only when one changes.
  const tx = useStore((s) => s.transform[0]);
  const ty = useStore((s) => s.transform[1]);
  const zoom = useStore((s) => s.transform[2]);
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const view: Rect = { x: -tx / zoom, y: -ty / zoom, w: width / zoom, h: height / zoom };
  const graph = useMemo(() => nodesBounds(nodes, nodeWidth), [nodes, nodeWidth]);
  // Nodes and the view both stay in the picture (as React Flow's minimap does).
  const world = graph ? union(graph, view) : view;
  const { scale, ox, oy } = fitInto(world);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext("2d");
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== WIDTH * dpr) {
      c.width = WIDTH * dpr;
      c.height = HEIGHT * dpr;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, WIDTH, HEIGHT);
    // One fill per colour.
    const byColour = new Map<string, Rect[]>();
    for (const n of nodes) {
      const k = color(n);
      const list = byColour.get(k);
      const r = nodeRect(n, nodeWidth);
      if (list) list.push(r);
      else byColour.set(k, [r]);
    }
    for (const [fill, rects] of byColour) {
      ctx.fillStyle = fill;
      ctx.beginPath();
      for (const r of rects) ctx.rect(ox + r.x * scale, oy + r.y * scale, Math.max(1, r.w * scale), Math.max(1, r.h * scale));
      ctx.fill();
    }
  }, [nodes, color, nodeWidth, scale, ox, oy]);

  /** Centres the view on the flow point under the pointer. */
  const moveTo = (e: PointerEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const fx = (e.clientX - box.left - ox) / scale;
    const fy = (e.clientY - box.top - oy) / scale;
    void flow.setCenter(fx, fy, { zoom: flow.getZoom() });
  };
  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    void flow.zoomTo(flow.getZoom() * Math.pow(2, -e.deltaY * 0.002));
  };

  return (
    <Panel position="top-right">
      <div
        role="group"
        aria-label="Minimap"
        title="Click or drag to move the view; scroll to zoom"
        className="nopan nowheel relative cursor-pointer overflow-hidden rounded-md border border-slate-200 bg-white shadow-sm"
        style={{ width: WIDTH, height: HEIGHT }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          moveTo(e);
        }}
        onPointerMove={(e) => {
          if (e.currentTarget.hasPointerCapture(e.pointerId)) moveTo(e);
        }}
        onWheel={onWheel}
      >
        <canvas ref={canvas} aria-hidden style={{ width: WIDTH, height: HEIGHT, display: "block" }} />
        <div
          data-testid="minimap-view"
          aria-hidden
          // Moved by a composited transform: a pan changes no layout and repaints nothing here.
          className="pointer-events-none absolute left-0 top-0 rounded-sm border border-indigo-500/70 bg-indigo-500/5 will-change-transform"
          style={{ width: view.w * scale, height: view.h * scale, transform: `translate(${ox + view.x * scale}px, ${oy + view.y * scale}px)` }}
        />
      </div>
    </Panel>
  );
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}
