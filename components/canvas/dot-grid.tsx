"use client";
/**
 * The canvas's dot grid (every 20 px, two snap steps), drawn inside React
 * Flow's viewport so it moves with the graph. React Flow's <Background> is an
 * SVG pattern outside the viewport that React re-renders on every frame of a
 * pan; this grid is one element that never re-renders while the view moves.
 */
import { ViewportPortal } from "@xyflow/react";

const GAP = 20;
/** How far past the graph the grid reaches (flow px): more than a screen at the lowest zoom that shows it. */
const MARGIN = 8000;
/** Edges snap to this (a multiple of GAP), so the element changes size rarely. */
const STEP = 2000;

export function DotGrid({ bounds }: { bounds: { x: number; y: number; w: number; h: number } | null }) {
  const b = bounds ?? { x: 0, y: 0, w: 0, h: 0 };
  // Offset by half a gap: each tile draws its dot at its centre, so dots fall on multiples of GAP.
  const x0 = Math.floor((b.x - MARGIN) / STEP) * STEP - GAP / 2;
  const y0 = Math.floor((b.y - MARGIN) / STEP) * STEP - GAP / 2;
  const x1 = Math.ceil((b.x + b.w + MARGIN) / STEP) * STEP;
  const y1 = Math.ceil((b.y + b.h + MARGIN) / STEP) * STEP;
  return (
    <ViewportPortal>
      <div aria-hidden className="conveyor-dot-grid" style={{ left: x0, top: y0, width: x1 - x0, height: y1 - y0 }} />
    </ViewportPortal>
  );
}
