"use client";
/**
 * The canvas's dot grid (every 20 flow px, two snap steps). One screen-sized
 * element on its own compositor layer: a pan only moves it by less than one
 * gap (a transform, so nothing is repainted or re-rastered), and a zoom
 * re-rasters it once at the new spacing. React Flow's <Background> SVG
 * pattern, or dots painted inside the viewport, are re-rastered over the
 * whole canvas on every frame of a pan (measured by the canvas benchmark).
 */
import { useStore } from "@xyflow/react";

const GAP = 20;

/** Offset in [0, g) that puts dots (drawn at each tile's centre) on flow multiples of GAP. */
export function gridOffset(translate: number, g: number): number {
  return (((translate + g / 2) % g) + g) % g;
}

export function DotGrid() {
  const tx = useStore((s) => s.transform[0]);
  const ty = useStore((s) => s.transform[1]);
  const zoom = useStore((s) => s.transform[2]);
  const g = GAP * zoom;
  const r = Math.max(0.6, 1.2 * zoom);
  return (
    <div
      aria-hidden
      className="pointer-events-none absolute will-change-transform"
      style={{
        zIndex: -1,
        left: -g,
        top: -g,
        width: `calc(100% + ${2 * g}px)`,
        height: `calc(100% + ${2 * g}px)`,
        backgroundImage: `radial-gradient(circle at ${g / 2}px ${g / 2}px, #cbd5e1 ${r}px, transparent ${r + 0.5}px)`,
        backgroundSize: `${g}px ${g}px`,
        transform: `translate(${gridOffset(tx, g)}px, ${gridOffset(ty, g)}px)`,
      }}
    />
  );
}
