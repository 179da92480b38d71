import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compile, validateSpec } from "./compile";
import { NODE_DEFINITIONS } from "../nodes/registry";

const dir = path.join(__dirname, "fixtures");
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith(".pipeline.json"));

describe("compile: golden fixtures", () => {
  it("has valid and invalid fixtures", () => {
    expect(fixtures.filter((f) => f.startsWith("valid-")).length).toBeGreaterThanOrEqual(3);
    expect(fixtures.filter((f) => f.startsWith("invalid-")).length).toBeGreaterThanOrEqual(7);
  });
  for (const f of fixtures) {
    it(f, () => {
      const spec = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
      const expected = JSON.parse(fs.readFileSync(path.join(dir, f.replace(".pipeline.json", ".expected.json")), "utf8"));
      const r = compile(spec);
      const actual = r.ok ? { ok: true, steps: r.plan.steps.map((s) => s.nodeId), params: r.plan.params } : { ok: false, errors: r.errors };
      expect(actual).toEqual(expected);
      expect(f.startsWith("valid-")).toBe(r.ok);
    });
  }
});

describe("compile: plan", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "valid-boston.pipeline.json"), "utf8"));

  it("applies config defaults and wires inputs to producing ports", () => {
    const r = compile(spec);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const train = r.plan.steps.find((s) => s.nodeId === "train")!;
    expect(train.config).toEqual({ task: "regression", target: "medv", l2: 1 });
    expect(train.inputs).toEqual({ dataset: { nodeId: "split", port: "train" } });
    const evaluate = r.plan.steps.find((s) => s.nodeId === "evaluate")!;
    expect(evaluate.dependsOn.sort()).toEqual(["split", "train"]);
    const deploy = r.plan.steps.find((s) => s.nodeId === "deploy")!;
    expect(deploy.cacheable).toBe(false);
    expect(deploy.config).toEqual({ model: "boston-house-prices", alias: "champion", strategy: "replace" });
  });

  it("is pure: the same spec compiles to the same plan", () => {
    expect(compile(spec)).toEqual(compile(structuredClone(spec)));
  });

  it("substitutes run params, typed", () => {
    const withParams = JSON.parse(fs.readFileSync(path.join(dir, "valid-params.pipeline.json"), "utf8"));
    const r = compile(withParams, { params: { minR2: 0.7 } });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.plan.steps.find((s) => s.nodeId === "gate")!.config).toEqual({ conditions: [{ metric: "r2", op: ">=", value: 0.7 }] });
    expect(validateSpec(withParams, { params: { minR2: "high" } })).toEqual([
      { nodeId: null, field: "params.minR2", message: 'param "minR2" must be a number' },
    ]);
    expect(validateSpec(withParams, { params: { nope: 1 } })[0]!.field).toBe("params.nope");
  });

  it("reports an empty pipeline", () => {
    expect(validateSpec({ apiVersion: "conveyor/v1", name: "x", nodes: [] })).toEqual([
      { nodeId: null, field: "nodes", message: "the pipeline has no nodes; add at least one" },
    ]);
  });

  it("refuses two edges into one input", () => {
    const s = structuredClone(spec);
    s.edges.push({ id: "e9", source: "split", sourcePort: "test", target: "train", targetPort: "dataset" });
    expect(validateSpec(s)).toEqual([{ nodeId: "train", field: "inputs.dataset", message: 'input "dataset" already has a connection; it takes one' }]);
  });
});

describe("compile: node type versions", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "valid-boston.pipeline.json"), "utf8"));
  const withNode = (patch: Record<string, unknown>) => {
    const s = structuredClone(spec);
    Object.assign(
      s.nodes.find((n: { id: string }) => n.id === "train"),
      patch,
    );
    return s;
  };

  it("a node without a version gets the newest; a pinned version is kept in the plan", () => {
    const newest = Math.max(...NODE_DEFINITIONS.filter((d) => d.type === "train.linear").map((d) => d.version));
    const r = compile(spec);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.plan.steps.find((s) => s.nodeId === "train")!.version).toBe(newest);
    const pinned = compile(withNode({ version: 1 }));
    if (!pinned.ok) throw new Error(JSON.stringify(pinned.errors));
    expect(pinned.plan.steps.find((s) => s.nodeId === "train")!.version).toBe(1);
    expect(pinned.spec.nodes.find((n) => n.id === "train")!.version).toBe(1);
  });

  it("evaluate@2 compares with the champion of the deploy node's model, else of the pipeline's name", () => {
    const withEvaluate = (config: Record<string, unknown>, dropDeploy = false) => {
      const s = structuredClone(spec);
      Object.assign(
        s.nodes.find((n: { id: string }) => n.id === "evaluate"),
        { version: 2, config },
      );
      if (dropDeploy) {
        s.name = "boston-without-deploy";
        s.nodes = s.nodes.filter((n: { id: string }) => n.id !== "deploy");
        s.edges = s.edges.filter((e: { target: string }) => e.target !== "deploy");
      }
      const r = compile(s);
      if (!r.ok) throw new Error(JSON.stringify(r.errors));
      return r.plan.steps.find((st) => st.nodeId === "evaluate")!.config;
    };
    expect(withEvaluate({ compareWithChampion: true })).toEqual({ compareWithChampion: true, registryName: "boston-house-prices" });
    expect(withEvaluate({ compareWithChampion: true }, true)).toEqual({ compareWithChampion: true, registryName: "boston-without-deploy" });
    expect(withEvaluate({ compareWithChampion: true, registryName: "other" })).toEqual({ compareWithChampion: true, registryName: "other" });
    expect(withEvaluate({})).toEqual({ compareWithChampion: false });
  });

  it("an unknown version names the node, the field and the versions there are", () => {
    const evaluate = structuredClone(spec);
    evaluate.nodes.find((n: { id: string }) => n.id === "evaluate").version = 7;
    expect(validateSpec(evaluate)).toEqual([{ nodeId: "evaluate", field: "version", message: "evaluate has no version 7; versions: 1, 2" }]);
    expect(validateSpec(withNode({ version: 7 }))).toEqual([{ nodeId: "train", field: "version", message: "train.linear has no version 7; versions: 1" }]);
    expect(validateSpec(withNode({ type: "train.linear@7" }))).toEqual([
      { nodeId: "train", field: "type", message: "train.linear has no version 7; versions: 1" },
    ]);
    expect(validateSpec(withNode({ version: 0 }))).toEqual([{ nodeId: "train", field: "version", message: "version must be a whole number ≥ 1" }]);
    expect(validateSpec(withNode({ version: 1.5 }))).toEqual([{ nodeId: "train", field: "version", message: "version must be a whole number ≥ 1" }]);
    expect(validateSpec(withNode({ type: "train.linear@1", version: 2 }))[0]).toMatchObject({ nodeId: "train", field: "version" });
  });
});

describe("compile: properties", () => {
  it("never throws, and every error names a field or a node", () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const errors = validateSpec(input);
        for (const e of errors) expect(typeof e.message).toBe("string");
      }),
      { numRuns: 300 },
    );
  });

  it("random edges between the six node types are accepted only when port types match", () => {
    const nodes = [
      { id: "i", type: "ingest.csv", config: { source: "sample:penguins" } },
      { id: "s", type: "feature.split", config: {} },
      { id: "t", type: "train.linear", config: { target: "species", task: "classification" } },
      { id: "v", type: "evaluate", config: {} },
      { id: "g", type: "gate.threshold", config: { conditions: [{ metric: "accuracy", op: ">=", value: 0.5 }] } },
      { id: "d", type: "deploy.endpoint", config: { model: "m" } },
    ];
    const ports: Record<string, { out: [string, string][]; in: [string, string][] }> = {
      i: { out: [["dataset", "dataset"]], in: [] },
      s: {
        out: [
          ["train", "dataset"],
          ["test", "dataset"],
        ],
        in: [["dataset", "dataset"]],
      },
      t: { out: [["model", "model"]], in: [["dataset", "dataset"]] },
      v: {
        out: [["metrics", "metrics"]],
        in: [
          ["model", "model"],
          ["dataset", "dataset"],
        ],
      },
      g: { out: [["decision", "decision"]], in: [["metrics", "metrics"]] },
      d: {
        out: [["deployment", "deployment"]],
        in: [
          ["model", "model"],
          ["decision", "decision"],
        ],
      },
    };
    const ids = Object.keys(ports);
    const edge = fc.record({ s: fc.constantFrom(...ids), t: fc.constantFrom(...ids), so: fc.nat(1), ti: fc.nat(1) });
    fc.assert(
      fc.property(edge, ({ s, t, so, ti }) => {
        const out = ports[s]!.out[so % Math.max(1, ports[s]!.out.length)];
        const inn = ports[t]!.in[ti % Math.max(1, ports[t]!.in.length)];
        if (!out || !inn || s === t) return;
        const errors = validateSpec({
          apiVersion: "conveyor/v1",
          name: "p",
          nodes,
          edges: [{ id: "e", source: s, sourcePort: out[0], target: t, targetPort: inn[0] }],
        });
        const portError = errors.find((e) => e.nodeId === t && e.field === `inputs.${inn[0]}` && e.message.includes("cannot feed"));
        expect(Boolean(portError)).toBe(out[1] !== inn[1]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("compile: sticky notes", () => {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "valid-boston.pipeline.json"), "utf8"));
  it("are ignored by the plan", () => {
    const withNotes = { ...spec, notes: [{ id: "note-1", text: "why", position: { x: 0, y: 0 } }] };
    const a = compile(spec);
    const b = compile(withNotes);
    expect(b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.plan).toEqual(a.plan);
  });
  it("may not reuse a node's or another note's id", () => {
    const errors = validateSpec({ ...spec, notes: [{ id: spec.nodes[0].id }, { id: "n" }, { id: "n" }] });
    expect(errors.filter((e) => e.field === "notes").map((e) => e.message)).toEqual([
      `note id "${spec.nodes[0].id}" is already used by another node or note`,
      'note id "n" is already used by another node or note',
    ]);
  });
});
