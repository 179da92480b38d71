import { describe, expect, it } from "vitest";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import { validateSpec } from "../../workflows/compiler/compile";
import { NODE_DEFINITIONS } from "../../workflows/nodes/registry";
import {
  checkConnection,
  connect,
  createNode,
  createNote,
  emptyMeta,
  fromSpec,
  nearestInDirection,
  nextNodeId,
  NODE_GAP_X,
  quickAdd,
  removeNodes,
  toSpec,
  type PipelineEdge,
  type PipelineNode,
} from "./graph-spec";

const SPEC: PipelineSpecInput = {
  apiVersion: "conveyor/v1",
  name: "boston",
  description: "house prices",
  params: [{ name: "seed", type: "number", default: 42 }],
  nodes: [
    { id: "ingest", type: "ingest.csv", config: { source: "sample:boston-housing" }, position: { x: 0, y: 0 } },
    { id: "split", type: "feature.split", label: "Split 80/20", config: { testFraction: 0.2 }, position: { x: 240, y: 0 } },
    { id: "train", type: "train.linear", config: { target: "medv" }, position: { x: 480, y: -60 } },
    { id: "eval", type: "evaluate", config: {}, position: { x: 720, y: 0 } },
    { id: "gate", type: "gate.threshold", config: { conditions: [{ metric: "r2", op: ">=", value: 0.5 }] }, position: { x: 960, y: 0 } },
    { id: "deploy", type: "deploy.endpoint", config: { model: "boston" }, position: { x: 1200, y: 0 } },
  ],
  edges: [
    { id: "e1", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
    { id: "e2", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
    { id: "e3", source: "train", sourcePort: "model", target: "eval", targetPort: "model" },
    { id: "e4", source: "split", sourcePort: "test", target: "eval", targetPort: "dataset" },
    { id: "e5", source: "eval", sourcePort: "metrics", target: "gate", targetPort: "metrics" },
    { id: "e6", source: "train", sourcePort: "model", target: "deploy", targetPort: "model" },
    { id: "e7", source: "gate", sourcePort: "decision", target: "deploy", targetPort: "decision" },
  ],
  triggers: [{ type: "webhook" }],
};

describe("fromSpec / toSpec", () => {
  it("round-trips a spec exactly", () => {
    const g = fromSpec(SPEC);
    expect(toSpec(g.meta, g.nodes, g.edges)).toEqual(SPEC);
    expect(validateSpec(SPEC)).toEqual([]);
  });

  it("maps ports to handles and colours edges by port type", () => {
    const g = fromSpec(SPEC);
    const e3 = g.edges.find((e) => e.id === "e3")!;
    expect(e3).toMatchObject({ source: "train", sourceHandle: "model", target: "eval", targetHandle: "model", data: { portType: "model" } });
    expect(e3.style?.stroke).toBe("#8b5cf6");
    expect(g.nodes.find((n) => n.id === "split")).toMatchObject({
      type: "pipeline",
      position: { x: 240, y: 0 },
      data: { type: "feature.split", label: "Split 80/20" },
    });
  });

  it("does not share config objects between the spec and the canvas", () => {
    const g = fromSpec(SPEC);
    (g.nodes[0]!.data.config as { source: string }).source = "sample:cars";
    expect(SPEC.nodes[0]!.config).toEqual({ source: "sample:boston-housing" });
  });

  it("keeps a node's type version, and writes none where the spec had none", () => {
    const spec: PipelineSpecInput = { ...SPEC, nodes: SPEC.nodes.map((n) => (n.id === "split" ? { ...n, version: 1 } : n)) };
    const g = fromSpec(spec);
    expect(g.nodes.find((n) => n.id === "split")!.data.version).toBe(1);
    const back = toSpec(g.meta, g.nodes, g.edges);
    expect(back.nodes.find((n) => n.id === "split")!.version).toBe(1);
    expect(back.nodes.find((n) => n.id === "train")).not.toHaveProperty("version");
    expect(back).toEqual(spec);
  });

  it("a node from the palette gets its type's newest version, written down", () => {
    const node = createNode("evaluate", { x: 0, y: 0 }, [])!;
    const newest = Math.max(...NODE_DEFINITIONS.filter((d) => d.type === "evaluate").map((d) => d.version));
    expect(node.data.version).toBe(newest);
    expect(toSpec(emptyMeta(), [node], []).nodes[0]!.version).toBe(newest);
  });

  it("drops empty labels", () => {
    const node: PipelineNode = { id: "a", type: "pipeline", position: { x: 1, y: 2 }, data: { type: "evaluate", label: "", config: {} } };
    expect(toSpec(emptyMeta("x"), [node], []).nodes[0]).toEqual({ id: "a", type: "evaluate", config: {}, position: { x: 1, y: 2 } });
  });
});

describe("node ids", () => {
  it("are readable and unique", () => {
    expect(nextNodeId("train.linear", [])).toBe("train-linear-1");
    expect(nextNodeId("train.linear", ["train-linear-1", "train-linear-2"])).toBe("train-linear-3");
    expect(nextNodeId("train.gbdt@1", [])).toBe("train-gbdt-1");
    expect(nextNodeId("evaluate", ["evaluate-1"])).toBe("evaluate-2");
  });
  it("are valid spec ids", () => {
    const node = createNode("ingest.csv", { x: 10.4, y: 20.6 }, [])!;
    expect(node).toMatchObject({ id: "ingest-csv-1", position: { x: 10, y: 21 }, data: { type: "ingest.csv", config: {} } });
    expect(createNode("no.such.type", { x: 0, y: 0 }, [])).toBeUndefined();
    expect(createNode("gate.threshold", { x: 0, y: 0 }, [])!.data.config).toEqual({ conditions: [] });
  });
});

describe("connections", () => {
  const { nodes, edges } = fromSpec(SPEC);
  const conn = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

  it("accepts matching port types", () => {
    expect(checkConnection(nodes, [], conn("ingest", "dataset", "split", "dataset"))).toEqual({ ok: true, portType: "dataset" });
  });

  it("refuses mismatched port types and says why", () => {
    const r = checkConnection(nodes, edges, conn("ingest", "dataset", "gate", "metrics"));
    expect(r).toEqual({ ok: false, reason: "gate.metrics needs a metrics; ingest.dataset is a dataset (dataset cannot feed metrics)" });
  });

  it("refuses self-loops, cycles and unknown ports", () => {
    expect(checkConnection(nodes, edges, conn("split", "train", "split", "dataset"))).toMatchObject({ ok: false, reason: "a node cannot feed itself" });
    const withoutE1 = edges.filter((e) => e.id !== "e1");
    expect(checkConnection(nodes, withoutE1, conn("split", "train", "ingest", "dataset"))).toMatchObject({ ok: false });
    // eval → split would close split → train → eval → split
    const cyc = checkConnection(
      [...nodes, { id: "split2", type: "pipeline", position: { x: 0, y: 0 }, data: { type: "feature.split", config: {} } }],
      edges,
      conn("eval", "metrics", "split", "dataset"),
    );
    expect(cyc.ok).toBe(false);
    expect(checkConnection(nodes, edges, conn("ingest", "nope", "split", "dataset"))).toEqual({ ok: false, reason: 'ingest has no output "nope"' });
  });

  it("detects a cycle through existing edges", () => {
    const g = fromSpec({
      ...SPEC,
      nodes: [
        { id: "a", type: "feature.split", config: {}, position: { x: 0, y: 0 } },
        { id: "b", type: "feature.split", config: {}, position: { x: 0, y: 0 } },
      ],
      edges: [{ id: "ab", source: "a", sourcePort: "train", target: "b", targetPort: "dataset" }],
    });
    expect(checkConnection(g.nodes, g.edges, conn("b", "train", "a", "dataset"))).toEqual({
      ok: false,
      reason: "b → a would close a cycle; pipelines flow one way",
    });
  });

  it("replaces the edge of an occupied input", () => {
    const before: PipelineEdge[] = edges.filter((e) => e.id !== "e4");
    const r = connect(nodes, before, conn("split", "train", "eval", "dataset"));
    expect(r.refused).toBeUndefined();
    const into = r.edges.filter((e) => e.target === "eval" && e.targetHandle === "dataset");
    expect(into).toHaveLength(1);
    const again = connect(nodes, r.edges, conn("split", "test", "eval", "dataset"));
    const replaced = again.edges.filter((e) => e.target === "eval" && e.targetHandle === "dataset");
    expect(replaced.map((e) => e.sourceHandle)).toEqual(["test"]);
    expect(again.edges).toHaveLength(r.edges.length);
  });

  it("builds the sample pipeline from an empty canvas", () => {
    let ns: PipelineNode[] = [];
    let es: PipelineEdge[] = [];
    for (const t of ["ingest.csv", "feature.split", "train.linear", "evaluate", "gate.threshold", "deploy.endpoint"]) {
      ns = [
        ...ns,
        createNode(
          t,
          { x: ns.length * 240, y: 0 },
          ns.map((n) => n.id),
        )!,
      ];
    }
    const id = (t: string) => ns.find((n) => n.data.type === t)!.id;
    const links: [string, string, string, string][] = [
      [id("ingest.csv"), "dataset", id("feature.split"), "dataset"],
      [id("feature.split"), "train", id("train.linear"), "dataset"],
      [id("train.linear"), "model", id("evaluate"), "model"],
      [id("feature.split"), "test", id("evaluate"), "dataset"],
      [id("evaluate"), "metrics", id("gate.threshold"), "metrics"],
      [id("train.linear"), "model", id("deploy.endpoint"), "model"],
      [id("gate.threshold"), "decision", id("deploy.endpoint"), "decision"],
    ];
    for (const [s, sp, t, tp] of links) {
      const r = connect(ns, es, conn(s, sp, t, tp));
      expect(r.refused).toBeUndefined();
      es = r.edges;
    }
    const cfg = (t: string, c: Record<string, unknown>) => (ns.find((n) => n.data.type === t)!.data.config = c);
    cfg("ingest.csv", { source: "sample:boston-housing" });
    cfg("train.linear", { target: "medv" });
    cfg("gate.threshold", { conditions: [{ metric: "r2", op: ">=", value: 0.5 }] });
    cfg("deploy.endpoint", { model: "boston" });
    expect(validateSpec(toSpec(emptyMeta("from scratch"), ns, es))).toEqual([]);
  });

  it("removes nodes with their edges", () => {
    const r = removeNodes({ nodes, edges }, ["train"]);
    expect(r.nodes.map((n) => n.id)).not.toContain("train");
    expect(r.edges.map((e) => e.id).sort()).toEqual(["e1", "e4", "e5", "e7"]);
  });
});

describe("quickAdd", () => {
  it("places the new node right of the selected one and connects matching ports", () => {
    const ingest = createNode("ingest.csv", { x: 0, y: 0 }, [])!;
    const r = quickAdd({ nodes: [ingest], edges: [] }, "feature.split", ingest, { x: 999, y: 999 })!;
    expect(r.node.id).toBe("feature-split-1");
    expect(r.node.position).toEqual({ x: NODE_GAP_X, y: 0 });
    expect(r.edges).toHaveLength(1);
    expect(r.edges[0]).toMatchObject({ source: ingest.id, sourceHandle: "dataset", target: "feature-split-1", targetHandle: "dataset" });
  });
  it("steps down past an occupied spot and does not connect incompatible types", () => {
    const ingest = createNode("ingest.csv", { x: 0, y: 0 }, [])!;
    const other = createNode("ingest.csv", { x: NODE_GAP_X, y: 0 }, [ingest.id])!;
    const r = quickAdd({ nodes: [ingest, other], edges: [] }, "gate.threshold", ingest, { x: 0, y: 0 })!;
    expect(r.node.position).toEqual({ x: NODE_GAP_X, y: 140 });
    expect(r.edges).toHaveLength(0);
  });
  it("uses the fallback position with nothing selected, and refuses unknown types", () => {
    expect(quickAdd({ nodes: [], edges: [] }, "evaluate", undefined, { x: 5, y: 6 })!.node.position).toEqual({ x: 5, y: 6 });
    expect(quickAdd({ nodes: [], edges: [] }, "no.such", undefined, { x: 0, y: 0 })).toBeUndefined();
  });
});

describe("nearestInDirection", () => {
  const at = (id: string, x: number, y: number) => ({ id, position: { x, y } });
  const grid = [at("a", 0, 0), at("b", 300, 0), at("c", 300, 200), at("d", 0, 200), at("e", 600, 20)];
  it("moves along the direction, preferring nodes in line", () => {
    expect(nearestInDirection(grid, "a", "right")).toBe("b");
    expect(nearestInDirection(grid, "b", "right")).toBe("e");
    expect(nearestInDirection(grid, "a", "down")).toBe("d");
    expect(nearestInDirection(grid, "c", "up")).toBe("b");
    expect(nearestInDirection(grid, "c", "left")).toBe("d");
  });
  it("returns undefined at the edge of the graph or for an unknown node", () => {
    expect(nearestInDirection(grid, "a", "left")).toBeUndefined();
    expect(nearestInDirection(grid, "zz", "left")).toBeUndefined();
  });
});

describe("notes", () => {
  it("round-trip through the canvas and stay out of a spec without notes", () => {
    const spec = {
      apiVersion: "conveyor/v1" as const,
      name: "n",
      description: "",
      nodes: [],
      edges: [],
      notes: [{ id: "note-1", text: "why", position: { x: 1, y: 2 }, width: 300, height: 150, color: "blue" as const }],
    };
    const g = fromSpec(spec);
    expect(g.notes[0]).toMatchObject({ id: "note-1", type: "note", data: { text: "why", color: "blue" }, width: 300, height: 150 });
    expect(toSpec(g.meta, g.nodes, g.edges, g.notes)).toEqual(spec);
    const bare = fromSpec({ apiVersion: "conveyor/v1", name: "n", description: "", nodes: [], edges: [] });
    expect(toSpec(bare.meta, bare.nodes, bare.edges, bare.notes)).not.toHaveProperty("notes");
  });
  it("get ids that do not collide with nodes", () => {
    expect(createNote({ x: 0, y: 0 }, ["note-1"]).id).toBe("note-2");
  });
});
