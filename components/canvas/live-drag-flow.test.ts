import { describe, expect, it } from "vitest";
import { applyNodeChanges, type Node, type NodeChange } from "@xyflow/react";
import { routeNodeChanges, withLivePositions } from "./live-drag-flow";

const node = (id: string, x = 0, y = 0): Node => ({ id, position: { x, y }, data: {} });
const move = (id: string, x: number, y: number, dragging: boolean): NodeChange<Node> => ({ id, type: "position", position: { x, y }, dragging });

describe("live drags", () => {
  it("keeps the frames of a drag to itself and hands the owner the moves, then the end", () => {
    let r = routeNodeChanges<Node>(null, [move("a", 10, 0, true)]);
    expect(r.forward).toEqual([]);
    r = routeNodeChanges(r.live, [move("a", 20, 5, true), move("b", 1, 1, true)]);
    expect(r.forward).toEqual([]);
    expect([...r.live!]).toEqual([
      ["a", { x: 20, y: 5 }],
      ["b", { x: 1, y: 1 }],
    ]);
    const end = [move("a", 20, 5, false), move("b", 1, 1, false)];
    const done = routeNodeChanges(r.live, end);
    expect(done.live).toBeNull();
    expect(done.forward).toEqual([[move("a", 20, 5, true), move("b", 1, 1, true)], end]);
  });

  it("passes every other change straight through", () => {
    const select: NodeChange<Node> = { id: "a", type: "select", selected: true };
    expect(routeNodeChanges<Node>(null, [select])).toEqual({ live: null, forward: [[select]] });
    // Arrow-key nudges are moves without a drag.
    expect(routeNodeChanges<Node>(null, [move("a", 5, 5, false)]).forward).toEqual([[move("a", 5, 5, false)]]);
    expect(routeNodeChanges<Node>(null, []).forward).toEqual([[]]);
  });

  it("shows the drag over the owner's nodes, and the owner ends where the drag did", () => {
    const nodes = [node("a"), node("b", 50, 50), node("c", 9, 9)];
    expect(withLivePositions(nodes, null)).toBe(nodes);
    let r = routeNodeChanges<Node>(null, [move("a", 10, 0, true)]);
    r = routeNodeChanges(r.live, [move("a", 30, 40, true)]);
    const shown = withLivePositions(nodes, r.live);
    expect(shown.map((n) => n.position)).toEqual([
      { x: 30, y: 40 },
      { x: 50, y: 50 },
      { x: 9, y: 9 },
    ]);
    expect(shown[1]).toBe(nodes[1]);
    // The owner, applying what it is handed at the end, has the same picture without the overlay.
    const owner = routeNodeChanges(r.live, [move("a", 30, 40, false)]).forward.reduce((ns, batch) => applyNodeChanges(batch, ns), nodes);
    expect(owner.map((n) => [n.position, !!n.dragging])).toEqual([
      [{ x: 30, y: 40 }, false],
      [{ x: 50, y: 50 }, false],
      [{ x: 9, y: 9 }, false],
    ]);
  });
});
