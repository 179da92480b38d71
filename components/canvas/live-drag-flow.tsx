"use client";
/**
 * <ReactFlow> whose node drags re-render the canvas alone. A controlled React
 * Flow reports every frame of a drag through `onNodesChange`, and the owner
 * (the editor, with its toolbar, menus and panels) would re-render on each
 * one. Here the positions of a drag in progress are kept in this component and
 * laid over the owner's nodes; the owner hears about the drag once, when it
 * ends, as the same changes it would have seen (the moves with `dragging:
 * true`, then the end). Every other change goes straight through.
 */
import { useCallback, useMemo, useRef, useState } from "react";
import { ReactFlow, type Edge, type Node, type NodeChange, type ReactFlowProps, type XYPosition } from "@xyflow/react";

export type LivePositions = ReadonlyMap<string, XYPosition>;

/** A frame of a drag in progress: a position change with `dragging: true`. */
function isLiveMove<N extends Node>(c: NodeChange<N>): c is Extract<NodeChange<N>, { type: "position" }> & { position: XYPosition } {
  return c.type === "position" && c.dragging === true && c.position !== undefined;
}

/**
 * Routes one `onNodesChange` call: a batch of live moves is kept (`live`);
 * anything else first hands the kept moves to the owner, then itself.
 */
export function routeNodeChanges<N extends Node>(
  live: LivePositions | null,
  changes: NodeChange<N>[],
): { live: LivePositions | null; forward: NodeChange<N>[][] } {
  if (changes.length > 0 && changes.every(isLiveMove)) {
    const next = new Map(live ?? []);
    for (const c of changes) if (isLiveMove(c)) next.set(c.id, c.position);
    return { live: next, forward: [] };
  }
  const flushed: NodeChange<N>[] = live ? [...live].map(([id, position]) => ({ id, type: "position", position, dragging: true })) : [];
  return { live: null, forward: flushed.length ? [flushed, changes] : [changes] };
}

/** `nodes` with the live positions laid over them (the same array when there are none). */
export function withLivePositions<N extends Node>(nodes: N[], live: LivePositions | null): N[] {
  if (!live || live.size === 0) return nodes;
  return nodes.map((n) => {
    const position = live.get(n.id);
    return position ? { ...n, position, dragging: true } : n;
  });
}

export function LiveDragFlow<N extends Node, E extends Edge>(props: ReactFlowProps<N, E>) {
  const { nodes, onNodesChange } = props;
  const [live, setLive] = useState<LivePositions | null>(null);
  // Read and written by the handler, which may run several times before a render.
  const liveRef = useRef<LivePositions | null>(null);
  const handle = useCallback(
    (changes: NodeChange<N>[]) => {
      const r = routeNodeChanges(liveRef.current, changes);
      if (r.live !== liveRef.current) {
        liveRef.current = r.live;
        setLive(r.live);
      }
      for (const batch of r.forward) onNodesChange?.(batch);
    },
    [onNodesChange],
  );
  const shown = useMemo(() => withLivePositions(nodes ?? [], live), [nodes, live]);
  return <ReactFlow<N, E> {...props} nodes={shown} onNodesChange={handle} />;
}
