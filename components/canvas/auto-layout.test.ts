import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { XYPosition } from "@xyflow/react";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import boston from "../../contract/templates/boston-housing.pipeline.json";
import { autoLayout, DEFAULT_NODE_HEIGHT, estimateNodeHeight, layoutNodesOf, portCentreY, type LayoutEdge, type LayoutNode } from "./auto-layout";
import { fromSpec } from "./graph-spec";
import { NODE_WIDTH } from "./node-style";

type Box = { x: number; y: number; width: number; height: number };

function boxes(nodes: readonly LayoutNode[], pos: Map<string, XYPosition>): Map<string, Box> {
  return new Map(nodes.map((n) => [n.id, { ...pos.get(n.id)!, width: n.width ?? NODE_WIDTH, height: n.height ?? DEFAULT_NODE_HEIGHT }]));
}

/** Pairs of node boxes that overlap (touching edges do not count). */
function overlaps(b: Map<string, Box>): string[] {
  const list = [...b.entries()];
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [ia, a] = list[i]!;
      const [ib, c] = list[j]!;
      if (a.x < c.x + c.width && c.x < a.x + a.width && a.y < c.y + c.height && c.y < a.y + a.height) out.push(`${ia} × ${ib}`);
    }
  }
  return out;
}

/** Edges whose target does not start right of the source's right edge. */
function backwards(b: Map<string, Box>, edges: readonly LayoutEdge[]): string[] {
  return edges.filter((e) => !(b.get(e.target)!.x > b.get(e.source)!.x + b.get(e.source)!.width)).map((e) => `${e.source} → ${e.target}`);
}

/** A random DAG: node i may take edges from any earlier node (on numbered ports). */
const dagArb = (maxNodes: number, minNodes = 1) =>
  fc
    .array(
      fc.record({
        width: fc.constantFrom(NODE_WIDTH, 180, 260),
        height: fc.integer({ min: 40, max: 200 }),
        parents: fc.uniqueArray(fc.nat(), { maxLength: 3 }),
      }),
      { minLength: minNodes, maxLength: maxNodes },
    )
    .map((spec) => {
      const nodes: LayoutNode[] = spec.map((s, i) => ({ id: `n${i}`, width: s.width, height: s.height }));
      const edges: LayoutEdge[] = spec.flatMap((s, i) =>
        i === 0
          ? []
          : [...new Set(s.parents.map((p) => p % i))].map((p, k) => ({
              source: `n${p}`,
              target: `n${i}`,
              sourceHandle: `out${k % 2}`,
              targetHandle: `in${k}`,
            })),
      );
      return { nodes, edges };
    });

/** Segments between handle centres cross (straight-line approximation of the drawn edges). */
function crossings(nodes: readonly LayoutNode[], pos: Map<string, XYPosition>, edges: readonly LayoutEdge[]): string[] {
  const b = boxes(nodes, pos);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seg = (e: LayoutEdge) => {
    const s = b.get(e.source)!;
    const t = b.get(e.target)!;
    const sy = byId.get(e.source)!.outputs!.find((p) => p.id === e.sourceHandle)!.y!;
    const ty = byId.get(e.target)!.inputs!.find((p) => p.id === e.targetHandle)!.y!;
    return { a: { x: s.x + s.width, y: s.y + sy }, b: { x: t.x, y: t.y + ty } };
  };
  const ccw = (p: XYPosition, q: XYPosition, r: XYPosition) => (r.y - p.y) * (q.x - p.x) - (q.y - p.y) * (r.x - p.x);
  const out: string[] = [];
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const e = edges[i]!;
      const f = edges[j]!;
      if (e.source === f.source || e.target === f.target || e.source === f.target || e.target === f.source) continue;
      const s1 = seg(e);
      const s2 = seg(f);
      if (ccw(s1.a, s1.b, s2.a) * ccw(s1.a, s1.b, s2.b) < 0 && ccw(s2.a, s2.b, s1.a) * ccw(s2.a, s2.b, s1.b) < 0)
        out.push(`${e.source}→${e.target} × ${f.source}→${f.target}`);
    }
  }
  return out;
}

const chain = (prefix: string, n: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } => ({
  nodes: Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, width: NODE_WIDTH, height: 89 })),
  edges: Array.from({ length: n - 1 }, (_, i) => ({ source: `${prefix}${i}`, target: `${prefix}${i + 1}` })),
});

describe("autoLayout", () => {
  it("lays out an empty graph as an empty map", async () => {
    expect(await autoLayout([], [])).toEqual(new Map());
  });

  it("lays out the sample pipeline left to right, port order respected, no crossings, on the grid", async () => {
    const g = fromSpec(boston as unknown as PipelineSpecInput);
    const nodes = layoutNodesOf(g.nodes);
    const edges = g.edges.map((e) => ({ source: e.source, target: e.target, sourceHandle: e.sourceHandle, targetHandle: e.targetHandle }));
    const pos = await autoLayout(nodes, edges);
    expect([...pos.keys()].sort()).toEqual(g.nodes.map((n) => n.id).sort());
    const b = boxes(nodes, pos);
    expect(backwards(b, edges)).toEqual([]);
    expect(overlaps(b)).toEqual([]);
    expect(crossings(nodes, pos, edges)).toEqual([]);
    for (const p of pos.values()) expect([p.x % 10, p.y % 10]).toEqual([0, 0]);
    // Columns by dependency depth: ingest | split | train | evaluate | gate | deploy.
    const xs = ["ingest", "split", "train", "evaluate", "gate", "deploy"].map((id) => pos.get(id)!.x);
    expect(xs).toEqual([...xs].sort((a, c) => a - c));
    expect(new Set(xs).size).toBe(6);
    // Spacing: a column is the card width plus the 80 px gap.
    const step = pos.get("split")!.x - pos.get("ingest")!.x;
    expect(step).toBeGreaterThanOrEqual(NODE_WIDTH + 80 - 5);
    expect(step).toBeLessThanOrEqual(NODE_WIDTH + 80 + 20);
    expect(Math.min(...[...pos.values()].map((p) => p.x))).toBe(0);
    expect(Math.min(...[...pos.values()].map((p) => p.y))).toBe(0);
  });

  it("orders a node's targets like the source's ports, whatever the input order", async () => {
    const nodes: LayoutNode[] = [
      { id: "bottom", inputs: [{ id: "in", y: portCentreY(0) }] },
      { id: "top", inputs: [{ id: "in", y: portCentreY(0) }] },
      {
        id: "src",
        outputs: [
          { id: "first", y: portCentreY(0) },
          { id: "second", y: portCentreY(1) },
        ],
      },
    ];
    const edges: LayoutEdge[] = [
      { source: "src", sourceHandle: "second", target: "bottom", targetHandle: "in" },
      { source: "src", sourceHandle: "first", target: "top", targetHandle: "in" },
    ];
    const pos = await autoLayout(nodes, edges);
    expect(pos.get("top")!.y).toBeLessThan(pos.get("bottom")!.y);
    // Same with ports known only by order (no measured handle positions).
    const unmeasured = nodes.map((n) => ({ id: n.id, inputs: n.inputs?.map((p) => ({ id: p.id })), outputs: n.outputs?.map((p) => ({ id: p.id })) }));
    const pos2 = await autoLayout(unmeasured, edges);
    expect(pos2.get("top")!.y).toBeLessThan(pos2.get("bottom")!.y);
  });

  it("orders a node's sources like its input ports", async () => {
    const nodes: LayoutNode[] = [
      { id: "b", outputs: [{ id: "out" }] },
      { id: "a", outputs: [{ id: "out" }] },
      { id: "sink", inputs: [{ id: "first" }, { id: "second" }] },
    ];
    const edges: LayoutEdge[] = [
      { source: "b", sourceHandle: "out", target: "sink", targetHandle: "second" },
      { source: "a", sourceHandle: "out", target: "sink", targetHandle: "first" },
    ];
    const pos = await autoLayout(nodes, edges);
    expect(pos.get("a")!.y).toBeLessThan(pos.get("b")!.y);
  });

  it("stacks disconnected parts top to bottom in input order without overlap", async () => {
    const a = chain("a", 3);
    const b = chain("b", 2);
    const lone: LayoutNode = { id: "lone", width: NODE_WIDTH, height: 55 };
    const nodes = [a.nodes[0]!, b.nodes[0]!, lone, ...a.nodes.slice(1), ...b.nodes.slice(1)];
    const edges = [...b.edges, ...a.edges];
    const pos = await autoLayout(nodes, edges, { componentSpacing: 60 });
    const bx = boxes(nodes, pos);
    expect(overlaps(bx)).toEqual([]);
    expect(backwards(bx, edges)).toEqual([]);
    const band = (ids: string[]) => ({
      top: Math.min(...ids.map((id) => bx.get(id)!.y)),
      bottom: Math.max(...ids.map((id) => bx.get(id)!.y + bx.get(id)!.height)),
    });
    const A = band(a.nodes.map((n) => n.id));
    const B = band(b.nodes.map((n) => n.id));
    const L = band(["lone"]);
    expect(A.top).toBe(0);
    expect(B.top).toBeGreaterThanOrEqual(A.bottom + 60);
    expect(L.top).toBeGreaterThanOrEqual(B.bottom + 60);
    // Every part starts at the left edge.
    for (const id of ["a0", "b0", "lone"]) expect(pos.get(id)!.x).toBe(0);
  });

  it("is deterministic", async () => {
    await fc.assert(
      fc.asyncProperty(dagArb(25), async ({ nodes, edges }) => {
        const first = await autoLayout(nodes, edges);
        await autoLayout(chain("x", 4).nodes, chain("x", 4).edges); // unrelated work in between
        const second = await autoLayout(structuredClone(nodes), structuredClone(edges));
        expect([...second]).toEqual([...first]);
      }),
      { numRuns: 20, seed: 7 },
    );
  });

  it("sends every edge left to right and overlaps no boxes (random DAGs)", async () => {
    await fc.assert(
      fc.asyncProperty(dagArb(30), async ({ nodes, edges }) => {
        const pos = await autoLayout(nodes, edges);
        expect(pos.size).toBe(nodes.length);
        const b = boxes(nodes, pos);
        expect(backwards(b, edges)).toEqual([]);
        expect(overlaps(b)).toEqual([]);
        for (const p of pos.values()) expect([p.x % 10, p.y % 10]).toEqual([0, 0]);
      }),
      { numRuns: 60 },
    );
  });

  it("lays out a generated 200-node DAG", async () => {
    const { nodes, edges } = fc.sample(dagArb(200, 200), { numRuns: 1, seed: 42 })[0]!;
    expect(nodes).toHaveLength(200);
    const pos = await autoLayout(nodes, edges);
    expect(pos.size).toBe(200);
    const b = boxes(nodes, pos);
    expect(backwards(b, edges)).toEqual([]);
    expect(overlaps(b)).toEqual([]);
  });

  it("falls back to default sizes, ignores dangling edges and self-loops, honours grid and origin", async () => {
    const nodes: LayoutNode[] = [{ id: "a" }, { id: "b", width: 0, height: Number.NaN }, { id: "a", width: 999 }];
    const edges: LayoutEdge[] = [
      { source: "a", target: "b", sourceHandle: null, targetHandle: null },
      { source: "a", target: "ghost" },
      { source: "b", target: "b" },
    ];
    const pos = await autoLayout(nodes, edges, { origin: { x: 103, y: -47 }, grid: 20 });
    expect([...pos.keys()]).toEqual(["a", "b"]);
    expect(pos.get("a")).toEqual({ x: 100, y: -40 });
    expect(pos.get("b")!.x).toBeGreaterThan(pos.get("a")!.x + NODE_WIDTH);
    for (const p of pos.values()) expect([Math.abs(p.x % 20), Math.abs(p.y % 20)]).toEqual([0, 0]);
  });

  it("still places every node of a graph with a cycle", async () => {
    const pos = await autoLayout(chain("c", 3).nodes, [...chain("c", 3).edges, { source: "c2", target: "c0" }]);
    expect(pos.size).toBe(3);
    expect(overlaps(boxes(chain("c", 3).nodes, pos))).toEqual([]);
  });
});

describe("layoutNodesOf", () => {
  it("takes ports in definition order at the card's rows, and the measured size when there is one", () => {
    const g = fromSpec(boston as unknown as PipelineSpecInput);
    const nodes = layoutNodesOf(g.nodes.map((n) => (n.id === "train" ? { ...n, measured: { width: 230, height: 97 } } : n)));
    const evaluate = nodes.find((n) => n.id === "evaluate")!;
    expect(evaluate).toEqual({
      id: "evaluate",
      width: NODE_WIDTH,
      height: estimateNodeHeight(2),
      inputs: [
        { id: "model", y: portCentreY(0) },
        { id: "dataset", y: portCentreY(1) },
      ],
      outputs: [{ id: "metrics", y: portCentreY(0) }],
    });
    expect(nodes.find((n) => n.id === "train")).toMatchObject({ width: 230, height: 97 });
    expect(nodes.find((n) => n.id === "ingest")).toMatchObject({ height: estimateNodeHeight(1), inputs: [] });
  });
});
