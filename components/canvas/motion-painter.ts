/**
 * Paints the canvas's nodes and edges on a 2D canvas, in the same forms the
 * DOM draws them (pipeline-node.tsx, note-node.tsx, React Flow's bezier
 * edges): the picture shown while the view or nodes move (motion-canvas.tsx).
 * Geometry comes from React Flow's measured nodes and handles; the sizes and
 * colours below mirror the cards' Tailwind classes.
 */
import { getBezierPath, Position, type InternalNode, type Transform } from "@xyflow/react";
import { resolveNodeType } from "../../workflows/nodes/registry";
import type { PortDef } from "../../workflows/nodes/types";
import { PORT_COLORS, type NoteNode, type PipelineEdge, type PipelineNode } from "./graph-spec";
import type { CanvasContextValue } from "./editor-context";
import { detailAt, type Detail } from "./level-of-detail";
import { CARD, DIFF_STYLE, cardLook } from "./node-style";
import { NOTE_STYLE } from "./note-node";
import { NOTE_COLORS } from "../../workflows/spec/spec";
import { STATUS_STYLE, toStatus } from "../ui/status-badge";

type AnyNode = InternalNode<PipelineNode | NoteNode>;

/** Tailwind colours the cards use (slate scale, indigo-500, rose-500). */
const C = {
  slate100: "#f1f5f9",
  slate300: "#cbd5e1",
  slate400: "#94a3b8",
  slate500: "#64748b",
  slate600: "#475569",
  slate800: "#1e293b",
  indigo500: "#6366f1",
  rose500: "#f43f5e",
  rose600: "#e11d48",
  violet50: "#f5f3ff",
  violet600: "#7c3aed",
  slate700: "#334155",
  edge: "#94a3b8",
  /** React Flow's resize handles. */
  resize: "#3367d9",
} as const;

export interface Fonts {
  sans: string;
  mono: string;
}

export interface Scene {
  nodes: Iterable<AnyNode>;
  edges: readonly PipelineEdge[];
  lookup: ReadonlyMap<string, AnyNode>;
  transform: Transform;
  context: CanvasContextValue;
  fonts: Fonts;
}

/**
 * What to paint: the part of the screen (CSS pixels, relative to the view's
 * top-left; the canvas's top-left is `area.x, area.y`), and, during a drag,
 * either the nodes that stay (`still`) or the dragged ones (`moving`), each
 * with the edges that move with them; or the edges alone (`edges`: zoomed
 * out, where the DOM draws only the blocks).
 */
export interface Paint {
  area: Rect;
  moving?: ReadonlySet<string>;
  part?: "still" | "moving" | "edges";
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

function nodeBox(n: AnyNode): Rect {
  const p = n.internals.positionAbsolute;
  return { x: p.x, y: p.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;
}

/** The point where an edge meets a handle, as React Flow computes it. */
function handlePoint(n: AnyNode, side: "source" | "target", id: string | null | undefined): { x: number; y: number; position: Position } | null {
  const list = n.internals.handleBounds?.[side];
  const h = (id ? list?.find((x) => x.id === id) : list?.[0]) ?? null;
  if (!h) return null;
  const { x, y } = n.internals.positionAbsolute;
  const hx = x + h.x;
  const hy = y + h.y;
  switch (h.position) {
    case Position.Top:
      return { x: hx + h.width / 2, y: hy, position: h.position };
    case Position.Right:
      return { x: hx + h.width, y: hy + h.height / 2, position: h.position };
    case Position.Bottom:
      return { x: hx + h.width / 2, y: hy + h.height, position: h.position };
    default:
      return { x: hx, y: hy + h.height / 2, position: Position.Left };
  }
}

const ellipsized = new Map<string, string>();

/** `text` cut with an ellipsis to `max` px in the current font (memoised). */
function ellipsize(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  const key = `${ctx.font}|${ctx.letterSpacing}|${max}|${text}`;
  const hit = ellipsized.get(key);
  if (hit !== undefined) return hit;
  let out = text;
  if (ctx.measureText(text).width > max) {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(text.slice(0, mid) + "…").width <= max) lo = mid;
      else hi = mid - 1;
    }
    out = text.slice(0, lo) + "…";
  }
  if (ellipsized.size > 5000) ellipsized.clear();
  ellipsized.set(key, out);
  return out;
}

function roundRect(ctx: CanvasRenderingContext2D, r: Rect, radius: number) {
  ctx.beginPath();
  ctx.roundRect(r.x, r.y, r.w, r.h, radius);
}

/** A card's frame: drop shadow, outer ring, fill and the inset group stripe. */
function paintFrame(ctx: CanvasRenderingContext2D, b: Rect, fill: string, stripe: string, ring: string, ringWidth: number) {
  ctx.fillStyle = "rgb(15 23 42 / 0.08)";
  roundRect(ctx, { ...b, y: b.y + 1 }, CARD.radius);
  ctx.fill();
  if (ringWidth > 0 && ring !== "transparent") {
    ctx.fillStyle = ring;
    roundRect(ctx, { x: b.x - ringWidth, y: b.y - ringWidth, w: b.w + 2 * ringWidth, h: b.h + 2 * ringWidth }, CARD.radius + ringWidth);
    ctx.fill();
  }
  ctx.save();
  roundRect(ctx, b, CARD.radius);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.clip();
  ctx.fillStyle = stripe;
  ctx.fillRect(b.x, b.y, CARD.stripe, b.h);
  ctx.restore();
}

function paintPort(ctx: CanvasRenderingContext2D, x: number, y: number, color: string) {
  ctx.fillStyle = "rgb(15 23 42 / 0.15)";
  ctx.beginPath();
  ctx.arc(x, y, CARD.port / 2 + 1, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = "#fff";
  ctx.beginPath();
  ctx.arc(x, y, CARD.port / 2, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x, y, CARD.port / 2 - 2, 0, Math.PI * 2);
  ctx.fill();
}

function font(weight: number, size: number, family: string) {
  return `${weight} ${size}px ${family}`;
}

/**
 * A CSS line box centres the font's ascent and descent, a "middle" baseline
 * its em box: glyphs sit about a pixel lower in the DOM at these sizes.
 */
const LINE_BOX_NUDGE = 1;

/** Text at `x`, vertically centred on `cy` as in a CSS line box; returns the x after it. */
function text(ctx: CanvasRenderingContext2D, s: string, x: number, cy: number, color: string): number {
  ctx.fillStyle = color;
  ctx.fillText(s, x, cy + LINE_BOX_NUDGE);
  return x + ctx.measureText(s).width;
}

function paintPipelineNode(ctx: CanvasRenderingContext2D, n: InternalNode<PipelineNode>, detail: Detail, scene: Scene) {
  const { readOnly, errorsByNode, runStateByNode, diffByNode } = scene.context;
  const b = nodeBox(n);
  const def = resolveNodeType(n.data.type, n.data.version);
  const errors = errorsByNode.get(n.id) ?? [];
  const run = runStateByNode?.get(n.id);
  const diff = diffByNode?.get(n.id);
  const look = cardLook({
    group: def?.group,
    selected: !!n.selected,
    problems: errors.length > 0 && !readOnly,
    runStatusColor: run && STATUS_STYLE[toStatus(run.status)].ring,
    diff,
    low: detail === "low",
  });
  ctx.globalAlpha = look.opacity;
  paintFrame(ctx, b, look.fill, look.stripe, look.ring, look.ringWidth);
  const ports = (side: "source" | "target", defs: readonly PortDef[] | undefined) => {
    for (const h of n.internals.handleBounds?.[side] ?? []) {
      const port = defs?.find((p) => p.name === h.id);
      if (port && detail !== "low") paintPort(ctx, b.x + h.x + h.width / 2, b.y + h.y + h.height / 2, PORT_COLORS[port.type]);
    }
  };
  if (detail === "low") {
    ctx.globalAlpha = 1;
    return;
  }
  const { sans, mono } = scene.fonts;
  ctx.textBaseline = "middle";
  // Header rule.
  ctx.fillStyle = C.slate100;
  ctx.fillRect(b.x + CARD.stripe, b.y + CARD.header - 1, b.w - CARD.stripe, 1);
  // Problems badge (right of the title).
  let titleMax = b.w - CARD.padLeft - CARD.padRight;
  if (errors.length && !readOnly) {
    ctx.font = font(600, 11, sans);
    const label = String(errors.length);
    const w = Math.max(20, ctx.measureText(label).width + 12);
    const x = b.x + b.w - CARD.padRight - w;
    ctx.fillStyle = C.rose500;
    roundRect(ctx, { x, y: b.y + 12, w, h: 20 }, 10);
    ctx.fill();
    ctx.textAlign = "center";
    text(ctx, label, x + w / 2, b.y + 22, "#fff");
    ctx.textAlign = "left";
    titleMax -= w + 8;
  }
  ctx.font = font(600, 13, sans);
  text(ctx, ellipsize(ctx, n.data.label || def?.label || n.data.type, titleMax), b.x + CARD.padLeft, b.y + 20, C.slate800);
  // Subtitle: diff chip, run status, or group; then the id at full detail.
  const sy = b.y + 38;
  let x = b.x + CARD.padLeft;
  const compact = detail === "medium";
  ctx.font = font(600, 10.5, sans);
  if (diff) {
    ctx.letterSpacing = "0.26px";
    const label = diff.toUpperCase();
    const w = ctx.measureText(label).width + 8;
    ctx.fillStyle = DIFF_STYLE[diff].chip.bg;
    roundRect(ctx, { x, y: sy - 8, w, h: 16 }, 4);
    ctx.fill();
    text(ctx, label, x + 4, sy, DIFF_STYLE[diff].chip.fg);
    ctx.letterSpacing = "0px";
    x += w + 6;
  } else if (run) {
    const status = STATUS_STYLE[toStatus(run.status)];
    ctx.fillStyle = status.ring;
    ctx.beginPath();
    ctx.arc(x + 3, sy, 3, 0, Math.PI * 2);
    ctx.fill();
    x = text(ctx, run.status, x + 10, sy, status.ring) + 4;
    if (run.cached) {
      ctx.font = font(500, 10.5, sans);
      const w = ctx.measureText("cached").width + 8;
      ctx.fillStyle = C.violet50;
      roundRect(ctx, { x, y: sy - 8, w, h: 16 }, 4);
      ctx.fill();
      text(ctx, "cached", x + 4, sy, C.violet600);
      x += w;
    }
    x += 6;
  } else if (!compact) {
    ctx.letterSpacing = "0.26px";
    x = text(ctx, (def ? look.groupLabel : "unknown").toUpperCase(), x, sy, def ? look.stripe : C.slate500) + 6;
    ctx.letterSpacing = "0px";
  }
  if (!compact) {
    ctx.font = font(400, 10.5, sans);
    x = text(ctx, "·", x, sy, C.slate300) + 6;
    ctx.font = font(400, 10.5, mono);
    text(ctx, ellipsize(ctx, n.id, b.x + b.w - CARD.padRight - x), x, sy, C.slate400);
  }
  if (!def) {
    ctx.font = font(400, 11, sans);
    text(ctx, `Unknown node type “${n.data.type}”`, b.x + 12, b.y + CARD.header + 16, C.rose600);
  } else {
    ports("target", def.inputs);
    ports("source", def.outputs);
    if (!compact) {
      ctx.font = font(400, 11, sans);
      const rows = Math.max(def.inputs.length, def.outputs.length);
      for (let i = 0; i < rows; i++) {
        const cy = b.y + CARD.header + CARD.rowsPad + CARD.row * i + CARD.row / 2;
        const input = def.inputs[i];
        const output = def.outputs[i];
        if (input) {
          const end = text(ctx, input.label ?? input.name, b.x + CARD.portText, cy, C.slate600);
          if (input.required === false) text(ctx, " (optional)", end, cy, C.slate400);
        }
        if (output) {
          ctx.textAlign = "right";
          text(ctx, output.label ?? output.name, b.x + b.w - CARD.portText, cy, C.slate600);
          ctx.textAlign = "left";
        }
      }
    }
  }
  ctx.globalAlpha = 1;
}

function wrapLines(ctx: CanvasRenderingContext2D, s: string, max: number): string[] {
  const lines: string[] = [];
  for (const para of s.split("\n")) {
    let line = "";
    for (const word of para.split(/(\s+)/)) {
      const next = line + word;
      if (line && ctx.measureText(next).width > max) {
        lines.push(line);
        line = word.trimStart();
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

function paintNote(ctx: CanvasRenderingContext2D, n: InternalNode<NoteNode>, zoom: number, scene: Scene) {
  const b = nodeBox(n);
  const style = NOTE_STYLE[n.data.color] ?? NOTE_STYLE.yellow;
  const editable = !scene.context.readOnly && !!scene.context.onNoteChange;
  if (n.selected) {
    ctx.fillStyle = C.indigo500;
    roundRect(ctx, { x: b.x - 2, y: b.y - 2, w: b.w + 4, h: b.h + 4 }, 8);
    ctx.fill();
  }
  ctx.fillStyle = "rgb(0 0 0 / 0.05)";
  roundRect(ctx, { ...b, y: b.y + 1 }, 6);
  ctx.fill();
  ctx.fillStyle = style.border;
  roundRect(ctx, b, 6);
  ctx.fill();
  ctx.fillStyle = style.bg;
  roundRect(ctx, { x: b.x + 1, y: b.y + 1, w: b.w - 2, h: b.h - 2 }, 5);
  ctx.fill();
  if (n.selected && editable) {
    // The colour swatches in the top strip and React Flow's resize handles on the corners.
    NOTE_COLORS.forEach((c, i) => {
      ctx.fillStyle = n.data.color === c ? C.slate700 : "#fff";
      ctx.beginPath();
      ctx.arc(b.x + 14 + 16 * i, b.y + 10, 6, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = NOTE_STYLE[c].swatch;
      ctx.beginPath();
      ctx.arc(b.x + 14 + 16 * i, b.y + 10, 5, 0, Math.PI * 2);
      ctx.fill();
    });
    for (const [x, y] of [
      [b.x, b.y],
      [b.x + b.w, b.y],
      [b.x, b.y + b.h],
      [b.x + b.w, b.y + b.h],
    ] as const) {
      ctx.fillStyle = "#fff";
      roundRect(ctx, { x: x - 4, y: y - 4, w: 8, h: 8 }, 2);
      ctx.fill();
      ctx.fillStyle = C.resize;
      roundRect(ctx, { x: x - 3, y: y - 3, w: 6, h: 6 }, 1);
      ctx.fill();
    }
  }
  if (13 * zoom < 3) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(b.x, b.y, b.w, b.h - 8);
  ctx.clip();
  ctx.font = font(400, 13, scene.fonts.sans);
  ctx.textBaseline = "middle";
  const lines = n.data.text ? wrapLines(ctx, n.data.text, b.w - 20) : [];
  if (!lines.length && editable) text(ctx, "Write a note…", b.x + 11, b.y + 31, "rgb(100 116 139 / 0.7)");
  lines.forEach((line, i) => text(ctx, line, b.x + 11, b.y + 31 + 20 * i, C.slate800));
  ctx.restore();
}

/** The still picture: painted at `transform` over `area`, a margin around the view. */
export interface Still {
  transform: Transform;
  detail: Detail;
  area: Rect;
}

/** Scale of the still picture a frame may show before it is painted again. */
const RESCALE = 1.25;

/**
 * The CSS transform that shows a still picture painted at `still.transform`
 * at `now`, or null when that would leave part of the view uncovered, cross a
 * level of detail or stretch it too far.
 */
export function stillPlacement(still: Still, now: Transform, width: number, height: number): string | null {
  const k = now[2] / still.transform[2];
  if (k > RESCALE || k < 1 / RESCALE || detailAt(now[2]) !== still.detail) return null;
  const dx = now[0] - still.transform[0] * k;
  const dy = now[1] - still.transform[1] * k;
  // The view's corners in the still picture's coordinates.
  const x0 = -dx / k;
  const y0 = -dy / k;
  const x1 = (width - dx) / k;
  const y1 = (height - dy) / k;
  const { area } = still;
  if (x0 < area.x || y0 < area.y || x1 > area.x + area.w || y1 > area.y + area.h) return null;
  return `translate(${dx}px, ${dy}px) scale(${k})`;
}

/** Paints the scene's nodes and edges that fall in `paint.area`. */
export function paintScene(ctx: CanvasRenderingContext2D, scene: Scene, paint: Paint) {
  const [tx, ty, zoom] = scene.transform;
  const { area, moving, part } = paint;
  const detail = detailAt(zoom);
  const wanted = (id: string) => part !== "edges" && (!moving || !part || moving.has(id) === (part === "moving"));
  const edgeWanted = (e: PipelineEdge) => !moving || !part || (moving.has(e.source) || moving.has(e.target)) === (part === "moving");
  ctx.clearRect(0, 0, area.w, area.h);
  // The area in flow coordinates, with room for rings and ports.
  const view: Rect = { x: (area.x - tx) / zoom - 10, y: (area.y - ty) / zoom - 10, w: area.w / zoom + 20, h: area.h / zoom + 20 };
  ctx.save();
  ctx.translate(tx - area.x, ty - area.y);
  ctx.scale(zoom, zoom);

  // Edges under the nodes, one path per colour.
  const byColour = new Map<string, Path2D>();
  for (const e of scene.edges) {
    // (Hidden from React Flow or not: zoomed out, edges are only ever painted.)
    if (!edgeWanted(e)) continue;
    const s = scene.lookup.get(e.source);
    const t = scene.lookup.get(e.target);
    if (!s || !t || s.hidden || t.hidden) continue;
    const a = handlePoint(s, "source", e.sourceHandle);
    const z = handlePoint(t, "target", e.targetHandle);
    if (!a || !z) continue;
    // A bezier stays inside its endpoints' box widened by the curvature's reach.
    const reach = Math.max(25, Math.abs(z.x - a.x) / 2);
    const box = { x: Math.min(a.x, z.x) - reach, y: Math.min(a.y, z.y), w: Math.abs(z.x - a.x) + 2 * reach, h: Math.abs(z.y - a.y) };
    if (!overlaps(box, view)) continue;
    const [d] = getBezierPath({ sourceX: a.x, sourceY: a.y, sourcePosition: a.position, targetX: z.x, targetY: z.y, targetPosition: z.position });
    const colour = e.style?.stroke ?? C.edge;
    let path = byColour.get(colour);
    if (!path) byColour.set(colour, (path = new Path2D()));
    path.addPath(new Path2D(d));
  }
  ctx.lineWidth = 1.75;
  for (const [colour, path] of byColour) {
    ctx.strokeStyle = colour;
    ctx.stroke(path);
  }

  // Nodes in the area, in React Flow's stacking order.
  const shown: AnyNode[] = [];
  for (const n of scene.nodes) if (!n.hidden && wanted(n.id) && overlaps(nodeBox(n), view)) shown.push(n);
  shown.sort((a, b) => a.internals.z - b.internals.z);
  for (const n of shown) {
    if (n.type === "note") paintNote(ctx, n as InternalNode<NoteNode>, zoom, scene);
    else paintPipelineNode(ctx, n as InternalNode<PipelineNode>, detail, scene);
  }
  ctx.restore();
}
