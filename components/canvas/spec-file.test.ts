import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compile, validateSpec } from "../../workflows/compiler/compile";
import { NODE_DEFINITIONS } from "../../workflows/nodes/registry";
import { nodeTypesOf, validSpecArbitrary } from "../../testing/spec-arbitrary";
import type { PipelineSpecInput, SpecError } from "../../workflows/spec/spec";
import boston from "../../contract/templates/boston-housing.pipeline.json";
import { fromSpec, NOTE_SIZE, toSpec } from "./graph-spec";
import { exportSpec, findJsonSyntaxError, importSpec, specFileName, type ImportResult } from "../../workflows/compiler/spec-file";

const template = boston as unknown as PipelineSpecInput;
const specs = validSpecArbitrary();
const specsWithNotes = specs;

/** The spec as the canvas holds it: what toSpec(fromSpec(s)) gives (see graph-spec.ts). */
function canvasNormal(s: PipelineSpecInput): PipelineSpecInput {
  const { nodes, edges, notes, ...meta } = structuredClone(s);
  return {
    ...meta,
    nodes: nodes.map(({ label, config, position, ...n }) => ({
      ...n,
      ...(label ? { label } : {}),
      config: config ?? {},
      position: position ?? { x: 0, y: 0 },
    })),
    edges: edges ?? [],
    ...(notes?.length
      ? {
          notes: notes.map((n) => ({
            id: n.id,
            text: n.text ?? "",
            position: n.position ?? { x: 0, y: 0 },
            width: Math.round(n.width ?? NOTE_SIZE.width),
            height: Math.round(n.height ?? NOTE_SIZE.height),
            color: n.color ?? "yellow",
          })),
        }
      : {}),
  };
}

const throughCanvas = (s: PipelineSpecInput) => {
  const g = fromSpec(s);
  return toSpec(g.meta, g.nodes, g.edges, g.notes);
};

/** Every object's keys in another order (reversed, then rotated by `k`). */
function reorderKeys(v: unknown, k: number): unknown {
  if (Array.isArray(v)) return v.map((x) => reorderKeys(x, k));
  if (typeof v !== "object" || v === null) return v;
  const keys = Object.keys(v).reverse();
  const r = keys.length ? k % keys.length : 0;
  return Object.fromEntries([...keys.slice(r), ...keys.slice(0, r)].map((key) => [key, reorderKeys((v as Record<string, unknown>)[key], k + 1)]));
}

function loaded(r: ImportResult): { spec: PipelineSpecInput; problems: SpecError[] } {
  if (!r.ok) throw new Error(`import refused (${r.reason}): ${JSON.stringify(r.errors)}`);
  return r;
}

const refused = (r: ImportResult) => (r.ok ? { ok: true } : { reason: r.reason, errors: r.errors });

const text = (spec: unknown) => JSON.stringify(spec, null, 2);

describe("validSpecArbitrary (workflows/spec/arbitrary.ts)", () => {
  it("generates specs that compile", () => {
    fc.assert(
      fc.property(specs, (s) => {
        expect(validateSpec(s)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("covers every version of every registered node type, params references, optional fields present and absent", () => {
    const sample = fc.sample(specsWithNotes, { numRuns: 400, seed: 1 });
    const types = new Set(sample.flatMap(nodeTypesOf));
    expect([...types].sort()).toEqual(NODE_DEFINITIONS.map((d) => `${d.type}@${d.version}`).sort());
    expect(sample.some((s) => s.nodes.some((n) => n.type.includes("@")))).toBe(true);
    expect(sample.some((s) => s.nodes.some((n) => n.version !== undefined))).toBe(true);
    expect(sample.some((s) => JSON.stringify(s).includes("${params."))).toBe(true);
    expect(sample.some((s) => s.edges === undefined) && sample.some((s) => (s.edges?.length ?? 0) > 3)).toBe(true);
    expect(sample.some((s) => s.nodes.some((n) => n.position === undefined)) && sample.some((s) => s.nodes.some((n) => n.label === ""))).toBe(true);
    expect(sample.some((s) => (s.notes?.length ?? 0) > 0) && sample.some((s) => (s.triggers?.length ?? 0) > 0)).toBe(true);
  });
});

describe("exportSpec", () => {
  it("writes 2-space JSON with a trailing newline, in the spec's key order whatever the object's", () => {
    const messy = {
      nodes: [{ position: { y: 2, x: 1 }, config: { seed: 7, strategy: "random", extra: true }, type: "feature.split", id: "split" }],
      name: "p",
      custom: { b: 1, a: 2 },
      apiVersion: "conveyor/v1",
    } as unknown as PipelineSpecInput;
    expect(exportSpec(messy)).toBe(
      [
        "{",
        '  "apiVersion": "conveyor/v1",',
        '  "name": "p",',
        '  "nodes": [',
        "    {",
        '      "id": "split",',
        '      "type": "feature.split",',
        '      "config": {',
        '        "strategy": "random",',
        '        "seed": 7,',
        '        "extra": true',
        "      },",
        '      "position": {',
        '        "x": 1,',
        '        "y": 2',
        "      }",
        "    }",
        "  ],",
        '  "custom": {',
        '    "b": 1,',
        '    "a": 2',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("keeps the template's content and order, adding nothing", () => {
    const out = exportSpec(template);
    expect(out.endsWith("}\n")).toBe(true);
    expect(JSON.parse(out)).toEqual(template);
    expect(Object.keys(JSON.parse(out) as object)).toEqual(Object.keys(template));
    expect(exportSpec({ apiVersion: "conveyor/v1", name: "n", nodes: [] })).toBe('{\n  "apiVersion": "conveyor/v1",\n  "name": "n",\n  "nodes": []\n}\n');
  });

  it("orders trigger fields by their own variant and keeps odd keys as data", () => {
    const spec = JSON.parse(
      '{"triggers":[{"threshold":0.2,"deployment":"d","type":"drift"}],"nodes":[],"name":"n","apiVersion":"conveyor/v1","__proto__":{"x":1}}',
    ) as PipelineSpecInput;
    const out = exportSpec(spec);
    expect(out).toContain('"type": "drift",\n      "deployment": "d",\n      "threshold": 0.2');
    expect(out).toContain('"__proto__": {');
  });
});

describe("export → import round trip (property, generated valid specs)", () => {
  it("importSpec(exportSpec(s)) loads with no problems and equals s", () => {
    fc.assert(
      fc.property(specs, (s) => {
        const r = loaded(importSpec(exportSpec(s)));
        expect(r.problems).toEqual([]);
        expect(r.spec).toEqual(s);
      }),
      { numRuns: 150 },
    );
  });

  it("export is a fixed point, and does not depend on key order", () => {
    fc.assert(
      fc.property(specs, fc.nat(), (s, k) => {
        const once = exportSpec(s);
        expect(exportSpec(loaded(importSpec(once)).spec)).toBe(once);
        expect(exportSpec(reorderKeys(s, k) as PipelineSpecInput)).toBe(once);
      }),
      { numRuns: 150 },
    );
  });

  it("the canvas mapping round-trips, notes included: toSpec(fromSpec(s)) is s in the canvas's normal form", () => {
    fc.assert(
      fc.property(specsWithNotes, (s) => {
        const canvas = throughCanvas(s);
        expect(canvas).toEqual(canvasNormal(s));
        expect(throughCanvas(canvas)).toEqual(canvas);
        expect(exportSpec(throughCanvas(JSON.parse(exportSpec(canvas)) as PipelineSpecInput))).toBe(exportSpec(canvas));
      }),
      { numRuns: 150 },
    );
  });

  it("a spec loaded on the canvas stays valid, and what the editor exports imports again unchanged", () => {
    fc.assert(
      fc.property(specs, (s) => {
        const canvas = throughCanvas(s);
        expect(validateSpec(canvas)).toEqual([]);
        // What the editor exports from a loaded file loads again, unchanged.
        const imported = loaded(importSpec(exportSpec(canvas)));
        expect(imported.problems).toEqual([]);
        expect(throughCanvas(imported.spec)).toEqual(canvas);
      }),
      { numRuns: 150 },
    );
  });
});

describe("importSpec: what is refused", () => {
  it("reports JSON syntax errors with line and column", () => {
    const cases: [string, string][] = [
      ['{\n  "apiVersion": "conveyor/v1",\n  "nodes": [ }\n}', "line 3, column 14: a value was expected"],
      ['{\n  "apiVersion": "conveyor/v1",\n  "name": "x",\n}', 'line 4, column 1: unexpected "}" after ",": trailing commas are not allowed in JSON'],
      ['{\n  "apiVersion": "conveyor/v1",\n  "name": \'x\'\n}', "line 3, column 11: unexpected \"'x'\", a value was expected (strings use double quotes)"],
      ['{\n  "apiVersion": "conveyor/v1"\n  "name": "x"\n}', "line 3, column 3: a comma was expected"],
      ['{name: "x"}', 'line 1, column 2: unexpected "name", a property name in double quotes was expected'],
      ['{"name" "x"}', 'line 1, column 9: ":" was expected after the property name'],
      ['{"name": "a\nb"}', "line 1, column 12: control character in string (write line breaks and tabs as \\n and \\t)"],
      ['{"a": [1, 2', 'line 1, column 12: unexpected end of file, "]" was expected'],
      ['{"x": NaN}', 'line 1, column 7: unexpected "NaN", a value was expected (NaN is not a JSON value)'],
      ['{"x": -Infinity}', 'line 1, column 7: unexpected "-Infinity" (-Infinity is not a JSON value)'],
      ['{"x": 1} // saved', "line 1, column 10: comments are not allowed in JSON"],
      ['{"x": 1}\n{"y": 2}', "line 2, column 1: unexpected text after the end of the JSON value (a file holds one value)"],
      ['{\r\n"x": "\\q"}', 'line 2, column 7: bad escape "\\q" in string'],
      ['{"x": "\\u12"}', 'line 1, column 8: bad Unicode escape "\\u12" in string (expected 4 hex digits)'],
      ['{"x": 012}', "line 1, column 8: numbers cannot have leading zeros"],
      ['{"x": 1.}', "line 1, column 9: a digit was expected to finish the number"],
      ['{"x": "abc', "line 1, column 7: unterminated string (it starts here)"],
      ['{"x":\u00a01}', 'line 1, column 6: unexpected "\\u00a01", a value was expected'],
    ];
    for (const [input, message] of cases) {
      expect(importSpec(input), input).toEqual({ ok: false, reason: "json", errors: [{ nodeId: null, field: null, message }] });
    }
    // Nesting too deep for jsonc-parser's recursive descent: still refused, with a position.
    expect(refused(importSpec("[".repeat(100_000)))).toMatchObject({ reason: "json", errors: [{ message: expect.stringMatching(/^line 1, column \d+: /) }] });
    expect(refused(importSpec("  \n"))).toEqual({ reason: "json", errors: [{ nodeId: null, field: null, message: "the file is empty" }] });
  });

  it("refuses what is not a pipeline spec object", () => {
    expect(refused(importSpec("[]"))).toEqual({
      reason: "shape",
      errors: [
        {
          nodeId: null,
          field: null,
          message: 'expected a pipeline spec (a JSON object with apiVersion "conveyor/v1", name and nodes), but the file holds an array',
        },
      ],
    });
    expect(refused(importSpec('"hello"'))).toMatchObject({ reason: "shape", errors: [{ message: expect.stringContaining("but the file holds a string") }] });
    expect(refused(importSpec("null"))).toMatchObject({ reason: "shape", errors: [{ message: expect.stringContaining("but the file holds null") }] });
  });

  it("refuses a wrong or missing apiVersion before anything else", () => {
    expect(refused(importSpec(text({ ...template, apiVersion: "conveyor/v2", nodes: "junk" })))).toEqual({
      reason: "shape",
      errors: [{ nodeId: null, field: "apiVersion", message: 'apiVersion must be "conveyor/v1", but the file has "conveyor/v2"' }],
    });
    const { apiVersion: _, ...noVersion } = template;
    expect(refused(importSpec(text(noVersion)))).toEqual({
      reason: "shape",
      errors: [{ nodeId: null, field: "apiVersion", message: 'apiVersion is missing: a Conveyor pipeline spec has "apiVersion": "conveyor/v1"' }],
    });
  });

  it("refuses a spec of the wrong shape, by node and field", () => {
    const r = importSpec(
      text({
        apiVersion: "conveyor/v1",
        name: " ",
        nodes: [
          { id: "1st", type: "evaluate" },
          { id: "ok", type: "evaluate", position: { x: "left", y: 0 } },
        ],
      }),
    );
    expect(refused(r)).toEqual({
      reason: "shape",
      errors: [
        { nodeId: null, field: "name", message: "pipeline name is required" },
        { nodeId: "1st", field: "id", message: "must start with a letter and use only letters, digits, '-' and '_'" },
        { nodeId: "ok", field: "position.x", message: "Invalid input: expected number, received string" },
      ],
    });
    // A clipboard fragment is not a pipeline.
    expect(refused(importSpec(text({ apiVersion: "conveyor/v1", nodes: template.nodes, edges: template.edges })))).toMatchObject({
      reason: "shape",
      errors: [{ field: "name" }],
    });
  });

  it("refuses graphs the canvas cannot draw: repeated ids, edges to nothing, to notes or to missing ports", () => {
    const dup = structuredClone(template);
    dup.nodes.push({ ...dup.nodes[0]! });
    expect(refused(importSpec(text(dup)))).toMatchObject({
      reason: "graph",
      errors: [{ nodeId: "ingest", field: "id", message: 'node id "ingest" is used more than once' }],
    });

    const dangling = structuredClone(template);
    dangling.edges!.push({ id: "e9", source: "ghost", sourcePort: "dataset", target: "train", targetPort: "dataset" });
    expect(refused(importSpec(text(dangling)))).toMatchObject({
      reason: "graph",
      errors: [{ nodeId: "train", field: "inputs.dataset", message: 'edge "e9" comes from unknown node "ghost"' }],
    });

    const toNote = { ...structuredClone(template), notes: [{ id: "memo", text: "hi" }] };
    toNote.edges!.push({ id: "e9", source: "train", sourcePort: "model", target: "memo", targetPort: "x" });
    expect(refused(importSpec(text(toNote)))).toMatchObject({
      reason: "graph",
      errors: [{ nodeId: "train", field: "outputs.model", message: 'edge "e9" goes to note "memo"; notes have no ports' }],
    });

    const badPort = structuredClone(template);
    badPort.edges![0]!.targetPort = "data";
    const r = refused(importSpec(text(badPort)));
    expect(r).toMatchObject({ reason: "graph" });
    expect((r as { errors: SpecError[] }).errors[0]).toEqual({
      nodeId: "split",
      field: "inputs.data",
      message: 'feature.split has no input "data"; it has dataset',
    });

    const dupEdge = structuredClone(template);
    dupEdge.edges![1]!.id = "e1";
    expect(refused(importSpec(text(dupEdge)))).toMatchObject({
      reason: "graph",
      errors: [{ nodeId: "train", field: "edges", message: 'edge id "e1" is used more than once' }],
    });
  });
});

describe("importSpec: what loads as a draft, with its problems", () => {
  it("loads a valid file with no problems; tolerates a BOM and CRLF line ends", () => {
    expect(importSpec(exportSpec(template))).toEqual({ ok: true, spec: template, problems: [] });
    expect(loaded(importSpec(`\ufeff${exportSpec(template).replace(/\n/g, "\r\n")}`)).spec).toEqual(template);
  });

  it("names an unknown node type by its node id", () => {
    const s = structuredClone(template);
    s.nodes.push({ id: "mystery", type: "magic.box", config: {} });
    const r = loaded(importSpec(exportSpec(s)));
    expect(r.spec).toEqual(s);
    expect(r.problems).toEqual([{ nodeId: "mystery", field: "type", message: 'unknown node type "magic.box"' }]);
  });

  it("names bad config fields, exactly as the canvas shows them", () => {
    const s = structuredClone(template);
    const split = s.nodes.find((n) => n.id === "split")!;
    split.config = { testFraction: 1.5, shuffle: true };
    s.nodes.find((n) => n.id === "deploy")!.config = { model: "House prices" };
    const r = loaded(importSpec(exportSpec(s)));
    expect(r.problems).toEqual([
      { nodeId: "split", field: "config.testFraction", message: "testFraction must be < 1" },
      { nodeId: "split", field: "config.shuffle", message: 'unknown config field "shuffle" for feature.split' },
      { nodeId: "deploy", field: "config.model", message: "model must be lowercase letters, digits, '-' or '_' (it becomes a URL)" },
    ]);
    expect(r.problems).toEqual(validateSpec(throughCanvas(r.spec)));
  });

  it("loads graph problems the canvas can show and fix: type mismatches, unconnected inputs, cycles, unknown params", () => {
    const s = structuredClone(template);
    s.edges = s.edges!.filter((e) => e.id !== "e7"); // deploy.decision unconnected
    s.edges.find((e) => e.id === "e3")!.source = "split"; // a dataset into evaluate.model
    s.edges.find((e) => e.id === "e3")!.sourcePort = "test";
    s.nodes.find((n) => n.id === "train")!.config = { target: "${params.column}" };
    const r = loaded(importSpec(exportSpec(s)));
    expect(r.problems).toEqual(compile(s).ok ? [] : (compile(s) as { errors: SpecError[] }).errors);
    expect(r.problems.map((p) => `${p.nodeId} ${p.field}`).sort()).toEqual(["deploy inputs.decision", "evaluate inputs.model", "train config"]);
  });
});

describe("findJsonSyntaxError", () => {
  const mutated = fc
    .tuple(
      fc.json({ maxDepth: 3 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("del", "ins", "rep"), fc.constantFrom(..."{}[],:\"'\\ 0-.e+tfnu\n\r\tx/\u00a0\u0000")), { maxLength: 3 }),
    )
    .map(([json, edits]) => {
      let s = json;
      for (const [at, op, ch] of edits) {
        const i = s.length ? at % (s.length + 1) : 0;
        s = op === "del" ? s.slice(0, i) + s.slice(i + 1) : op === "ins" ? s.slice(0, i) + ch + s.slice(i) : s.slice(0, i) + ch + s.slice(i + 1);
      }
      return s;
    });

  it("reports an error exactly when JSON.parse throws, placed by jsonc-parser (property over mangled JSON)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), (s) => {
        let valid = true;
        try {
          JSON.parse(s);
        } catch {
          valid = false;
        }
        const err = findJsonSyntaxError(s);
        expect(err === null).toBe(valid);
        if (err) {
          expect(err.offset).toBeGreaterThanOrEqual(0);
          expect(err.offset).toBeLessThanOrEqual(s.length);
          expect(err.message).not.toMatch(/^not valid JSON/); // not the engine-message fallback
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("specFileName", () => {
  it("slugs the pipeline name", () => {
    expect(specFileName("boston-house-prices")).toBe("boston-house-prices.pipeline.json");
    expect(specFileName("Boston house prices")).toBe("boston-house-prices.pipeline.json");
    expect(specFileName("  Prévision — Météo 2024!  ")).toBe("prevision-meteo-2024.pipeline.json");
    expect(specFileName("数据")).toBe("pipeline.pipeline.json");
    expect(specFileName("x".repeat(200))).toBe(`${"x".repeat(80)}.pipeline.json`);
  });
});
