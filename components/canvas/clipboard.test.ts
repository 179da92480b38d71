import { describe, expect, it } from "vitest";
import type { PipelineSpecInput } from "../../workflows/spec/spec";
import { validateSpec } from "../../workflows/compiler/compile";
import { fragmentFromSelection, parseFragment, pasteFragment, PASTE_STEP, serializeFragment } from "./clipboard";
import { fromSpec, toSpec } from "./graph-spec";

const SPEC: PipelineSpecInput = {
  apiVersion: "conveyor/v1",
  name: "boston",
  description: "",
  nodes: [
    { id: "ingest", type: "ingest.csv", config: { source: "sample:boston-housing" }, position: { x: 0, y: 0 } },
    { id: "split", type: "feature.split", label: "Split 80/20", config: { testFraction: 0.2 }, position: { x: 240, y: 0 } },
    { id: "train", type: "train.linear", config: { target: "medv" }, position: { x: 480, y: 0 } },
  ],
  edges: [
    { id: "e1", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
    { id: "e2", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
  ],
};

function graph() {
  return fromSpec(SPEC);
}

describe("fragmentFromSelection", () => {
  it("takes the selected nodes and only the edges between them", () => {
    const g = graph();
    const nodes = g.nodes.map((n) => (n.id === "split" || n.id === "train" ? { ...n, selected: true } : n));
    const f = fragmentFromSelection(nodes, g.edges);
    expect(f.apiVersion).toBe("conveyor/v1");
    expect(f.nodes.map((n) => n.id)).toEqual(["split", "train"]);
    expect(f.nodes[0]).toEqual({ id: "split", type: "feature.split", label: "Split 80/20", config: { testFraction: 0.2 }, position: { x: 240, y: 0 } });
    expect(f.edges).toEqual([{ id: "e2", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" }]);
  });

  it("accepts explicit ids", () => {
    const g = graph();
    expect(fragmentFromSelection(g.nodes, g.edges, ["ingest"]).nodes.map((n) => n.id)).toEqual(["ingest"]);
  });
});

describe("parseFragment", () => {
  it("round-trips a serialized fragment", () => {
    const g = graph();
    const f = fragmentFromSelection(g.nodes, g.edges, ["ingest", "split"]);
    expect(parseFragment(serializeFragment(f))).toEqual(f);
  });

  it("accepts a whole pipeline spec", () => {
    const f = parseFragment(JSON.stringify(SPEC));
    expect(f?.nodes).toHaveLength(3);
    expect(f?.edges).toHaveLength(2);
  });

  it("rejects anything that is not a conveyor fragment", () => {
    for (const text of [
      null,
      "",
      "hello",
      "{not json",
      "[]",
      JSON.stringify({ nodes: [] }),
      JSON.stringify({ apiVersion: "other/v1", nodes: [{ id: "a", type: "x" }], edges: [] }),
      JSON.stringify({ apiVersion: "conveyor/v1", nodes: [], edges: [] }),
      JSON.stringify({ apiVersion: "conveyor/v1", nodes: [{ id: 3 }] }),
    ]) {
      expect(parseFragment(text)).toBeUndefined();
    }
  });
});

describe("pasteFragment", () => {
  it("renames colliding ids, keeps internal edges, offsets and selects the pasted nodes", () => {
    const g = graph();
    const f = fragmentFromSelection(g.nodes, g.edges, ["ingest", "split"]);
    const r = pasteFragment({ nodes: g.nodes.map((n) => ({ ...n, selected: n.id === "train" })), edges: g.edges }, f);
    expect(r.pastedIds).toEqual(["ingest-csv-1", "feature-split-1"]);
    expect(r.nodes).toHaveLength(5);
    expect(r.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["ingest-csv-1", "feature-split-1"]);
    const pasted = r.nodes.find((n) => n.id === "feature-split-1")!;
    expect(pasted.position).toEqual({ x: 240 + PASTE_STEP, y: PASTE_STEP });
    expect(pasted.data).toEqual({ type: "feature.split", label: "Split 80/20", config: { testFraction: 0.2 } });
    const newEdge = r.edges.find((e) => e.source === "ingest-csv-1")!;
    expect(newEdge).toMatchObject({
      id: "ingest-csv-1.dataset-feature-split-1.dataset",
      target: "feature-split-1",
      sourceHandle: "dataset",
      targetHandle: "dataset",
      data: { portType: "dataset" },
    });
    expect(r.edges).toHaveLength(3);
    // The result is still a valid spec.
    expect(validateSpec(toSpec(g.meta, r.nodes, r.edges)).filter((e) => e.field === "edges")).toEqual([]);
  });

  it("keeps ids that are free (pasting into another pipeline)", () => {
    const f = fragmentFromSelection(graph().nodes, graph().edges, ["ingest", "split"]);
    const r = pasteFragment({ nodes: [], edges: [] }, f);
    expect(r.pastedIds).toEqual(["ingest", "split"]);
    expect(r.edges.map((e) => e.id)).toEqual(["ingest.dataset-split.dataset"]);
  });

  it("steps further when the offset spot is taken (repeated paste)", () => {
    const g = graph();
    const f = fragmentFromSelection(g.nodes, g.edges, ["train"]);
    const once = pasteFragment(g, f);
    const twice = pasteFragment(once, f);
    expect(twice.pastedIds).toEqual(["train-linear-2"]);
    expect(twice.nodes.find((n) => n.id === "train-linear-2")!.position).toEqual({ x: 480 + 2 * PASTE_STEP, y: 2 * PASTE_STEP });
  });

  it("does not share config objects with the fragment", () => {
    const f = parseFragment(JSON.stringify(SPEC))!;
    const r = pasteFragment({ nodes: [], edges: [] }, f);
    r.nodes[0]!.data.config.source = "changed";
    expect(f.nodes[0]!.config).toEqual({ source: "sample:boston-housing" });
  });

  it("drops edges to nodes outside the fragment", () => {
    const f = parseFragment(JSON.stringify({ ...SPEC, nodes: SPEC.nodes.slice(1) }))!;
    const r = pasteFragment({ nodes: [], edges: [] }, f);
    expect(r.edges.map((e) => e.source)).toEqual(["split"]);
  });
});

describe("sticky notes in fragments", () => {
  const withNotes = () =>
    fromSpec({ ...SPEC, notes: [{ id: "note-1", text: "check the split", position: { x: 0, y: -120 }, width: 220, height: 100, color: "blue" }] });

  it("copies selected notes with the nodes and pastes them with fresh ids, shifted and selected", () => {
    const g = withNotes();
    const f = fragmentFromSelection(g.nodes, g.edges, ["ingest", "note-1"], g.notes);
    expect(f.notes).toEqual([{ id: "note-1", text: "check the split", position: { x: 0, y: -120 }, width: 220, height: 100, color: "blue" }]);
    const parsed = parseFragment(serializeFragment(f))!;
    expect(parsed).toEqual(f);
    const r = pasteFragment(g, parsed);
    expect(r.notes).toHaveLength(2);
    const pasted = r.notes[1]!;
    expect(pasted.id).not.toBe("note-1");
    expect(pasted.selected).toBe(true);
    expect(r.notes[0]!.selected).toBeFalsy();
    expect(pasted.position).toEqual({ x: PASTE_STEP, y: -120 + PASTE_STEP });
    expect(pasted.data).toEqual({ text: "check the split", color: "blue" });
    expect(r.pastedIds).toContain(pasted.id);
    // The result is still a valid pipeline: no id is shared between nodes and notes.
    expect(validateSpec(toSpec(g.meta, r.nodes, r.edges, r.notes))).toEqual([]);
  });

  it("pastes a fragment of notes alone, and never gives a note a node's id", () => {
    const g = withNotes();
    const text = JSON.stringify({ apiVersion: "conveyor/v1", notes: [{ id: "ingest", text: "hi" }] });
    const f = parseFragment(text)!;
    expect(f.nodes).toEqual([]);
    const r = pasteFragment(g, f);
    const ids = [...r.nodes, ...r.notes].map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(r.notes.at(-1)!.data.text).toBe("hi");
  });

  it("refuses an empty fragment", () => {
    expect(parseFragment(JSON.stringify({ apiVersion: "conveyor/v1", nodes: [], notes: [] }))).toBeUndefined();
  });
});
