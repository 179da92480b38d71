"use client";
/**
 * How much the canvas draws, by zoom and size (measured by
 * `npm run bench -- canvas`, docs/benchmarks.md):
 * - below LOW_DETAIL_ZOOM a card's title is under 6 px: cards draw as light
 *   tinted blocks with the same box and ports;
 * - below FULL_DETAIL_ZOOM the 11 px port labels and the subtitle are under
 *   7 px: cards keep their title, ports and badges and drop that small text
 *   (text is most of what a frame repaints in a software-rastered browser);
 * - above CULL_ABOVE_NODES nodes, at LOW_DETAIL_ZOOM and up, only the nodes
 *   and edges in view are mounted;
 * - below LOW_DETAIL_ZOOM edges are not mounted at all: they are painted
 *   under the blocks (motion-canvas.tsx).
 * Every form keeps the card's box and port positions, so React Flow's
 * measurements and the edges stay valid across zoom. While the view or nodes
 * move, the same forms are painted on a canvas instead (motion-canvas.tsx).
 * (The canvas has no dot grid: in every form we tried, React Flow's
 * <Background> included, it was re-rastered over the whole canvas on each
 * frame of a pan and cost about a third of the frame rate.)
 */
import { useStore } from "@xyflow/react";

export const LOW_DETAIL_ZOOM = 0.4;
export const FULL_DETAIL_ZOOM = 0.65;
export const CULL_ABOVE_NODES = 300;

export type Detail = "low" | "medium" | "full";

export function detailAt(zoom: number): Detail {
  return zoom < LOW_DETAIL_ZOOM ? "low" : zoom < FULL_DETAIL_ZOOM ? "medium" : "full";
}

/** The level of detail at the current zoom (re-renders only when it changes). */
export function useDetail(): Detail {
  return useStore((s) => detailAt(s.transform[2]));
}

/** True while the viewport is zoomed out below LOW_DETAIL_ZOOM. */
export function useLowDetail(): boolean {
  return useDetail() === "low";
}
