import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RequestError } from "./errors";
import { compileSchema, inferResponse, parseInferRequest, parseJsonBody, parsePredictRequest, predictions, tensorValues, type ModelSchema } from "./protocol";
import { classifierTestModel, linearTestModel } from "../../testing/models";

const linear = compileSchema(linearTestModel().manifest, ["prediction"]);
const classifier = compileSchema(classifierTestModel().manifest, ["label", "probabilities"]);

function err(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  throw new Error("expected a RequestError");
}

const x = (data: unknown[], extra: Record<string, unknown> = {}) => ({ name: "x", shape: [data.length, 1], datatype: "FP32", data, ...extra });
const s = (data: unknown[], extra: Record<string, unknown> = {}) => ({ name: "s", shape: [data.length, 1], datatype: "BYTES", data, ...extra });

describe("parseJsonBody", () => {
  it("parses JSON and refuses empty or malformed bodies", () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(err(() => parseJsonBody(Buffer.from("")))).toMatchObject({ status: 400, field: "body", message: expect.stringContaining("empty") });
    expect(err(() => parseJsonBody("{nope"))).toMatchObject({ status: 400, field: "body", message: expect.stringContaining("not valid JSON") });
  });

  it("reads Python's NaN, Infinity and -Infinity (json.dumps, tritonclient) as null and ±Infinity, never inside strings", () => {
    expect(parseJsonBody('{"data": [1.0, NaN, Infinity, -Infinity], "s": "NaN \\"Infinity\\""}')).toEqual({
      data: [1, null, Infinity, -Infinity],
      s: 'NaN "Infinity"',
    });
    expect(err(() => parseJsonBody('{"data": [NaN, nope]}'))).toMatchObject({ field: "body", message: expect.stringContaining("not valid JSON") });
  });
});

describe("parseInferRequest (OIP v2)", () => {
  it("returns feeds in the model's input order, whatever the request order", () => {
    const parsed = parseInferRequest({ id: "r1", inputs: [s(["a", null]), x([1.5, null])] }, linear);
    expect(parsed.rows).toBe(2);
    expect(parsed.id).toBe("r1");
    expect(parsed.feeds.map((f) => f.name)).toEqual(["x", "s"]);
    expect(Array.from(parsed.feeds[0]!.data as Float32Array)).toEqual([1.5, NaN]);
    expect(parsed.feeds[1]!.data).toEqual(["a", ""]);
    expect(parsed.outputs).toBeUndefined();
  });

  it("flattens nested data ([[1], [2]])", () => {
    const parsed = parseInferRequest({ inputs: [x([[1], [2]]), s([["a"], ["b"]])] }, linear);
    expect(Array.from(parsed.feeds[0]!.data as Float32Array)).toEqual([1, 2]);
  });

  it("accepts an outputs filter of known outputs", () => {
    const parsed = parseInferRequest({ inputs: [x([1])], outputs: [{ name: "label" }, { name: "label" }] }, classifier);
    expect(parsed.outputs).toEqual(["label"]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["a non-object body", [1, 2], "body", /JSON object/],
    ["inputs missing", {}, "inputs", /inputs must be an array/],
    ["inputs empty", { inputs: [] }, "inputs", /inputs is empty.*x, s/],
    ["a non-object tensor", { inputs: [3] }, "inputs[0]", /must be an object/],
    ["a tensor without name", { inputs: [{ shape: [1, 1], datatype: "FP32", data: [1] }] }, "inputs[0].name", /name must be a string/],
    ["an unknown input", { inputs: [x([1]), s(["a"]), { name: "z", shape: [1, 1], datatype: "FP32", data: [1] }] }, "inputs[2].name", /unknown input "z"/],
    ["a duplicate input", { inputs: [x([1]), x([2])] }, "inputs[1].name", /more than once/],
    ["a missing input", { inputs: [x([1])] }, "inputs", /missing input "s"/],
    ["a wrong datatype", { inputs: [x([1], { datatype: "FP64" }), s(["a"])] }, "inputs[0].datatype", /"x" has datatype FP32, got "FP64"/],
    ["BYTES sent as FP32", { inputs: [x([1]), s(["a"], { datatype: "FP32" })] }, "inputs[1].datatype", /"s" has datatype BYTES/],
    ["a 1-D shape", { inputs: [x([1], { shape: [1] }), s(["a"])] }, "inputs[0].shape", /shape \[rows, 1\].*got \[1\]/],
    ["a wide shape", { inputs: [x([1, 2], { shape: [1, 2] }), s(["a"])] }, "inputs[0].shape", /shape \[rows, 1\]/],
    ["zero rows", { inputs: [x([], { shape: [0, 1] }), s([])] }, "inputs[0].shape", /rows ≥ 1/],
    ["a fractional dimension", { inputs: [x([1], { shape: [1.5, 1] }), s(["a"])] }, "inputs[0].shape", /shape/],
    ["a string shape", { inputs: [x([1], { shape: "1,1" }), s(["a"])] }, "inputs[0].shape", /shape/],
    ["mismatched rows", { inputs: [x([1, 2]), s(["a"])] }, "inputs[1].shape", /"s" has 1 rows but "x" has 2/],
    ["data shorter than shape", { inputs: [x([1], { shape: [2, 1] }), s(["a", "b"])] }, "inputs[0].data", /shape \[2, 1\] but 1 values/],
    ["data not an array", { inputs: [x([1], { data: 1 }), s(["a"])] }, "inputs[0].data", /must be an array/],
    ["a string in FP32", { inputs: [x(["1.5"]), s(["a"])] }, "inputs[0].data[0]", /"x" is FP32 and needs a number or null, got a string/],
    ["a boolean in FP32", { inputs: [x([true]), s(["a"])] }, "inputs[0].data[0]", /got a boolean/],
    ["an object in FP32", { inputs: [x([1, {}]), s(["a", "b"])] }, "inputs[0].data[1]", /got an object/],
    ["a number in BYTES", { inputs: [x([1]), s([7])] }, "inputs[1].data[0]", /"s" is BYTES and needs a string or null, got number/],
    ["deep nesting", { inputs: [x([[[[[[1]]]]]], { shape: [1, 1] }), s(["a"])] }, "inputs[0].data", /nested too deeply/],
    ["a non-string id", { id: 5, inputs: [x([1]), s(["a"])] }, "id", /id must be a string/],
    ["an unknown output", { inputs: [x([1]), s(["a"])], outputs: [{ name: "nope" }] }, "outputs[0].name", /unknown output "nope".*prediction/],
    ["an empty outputs filter", { inputs: [x([1]), s(["a"])], outputs: [] }, "outputs", /non-empty/],
  ])("refuses %s with a 400 naming the field", (_label, body, field, message) => {
    const e = err(() => parseInferRequest(body, linear));
    expect(e.status).toBe(400);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it("does not treat inherited properties as inputs", () => {
    const schema = compileSchema({ ...linearTestModel().manifest, inputs: [{ name: "toString", datatype: "FP32", shape: [-1, 1] }] });
    expect(err(() => parseInferRequest({ inputs: [{ name: "constructor", shape: [1, 1], datatype: "FP32", data: [1] }] }, schema)).message).toMatch(
      /unknown input "constructor"/,
    );
    expect(parseInferRequest({ inputs: [{ name: "toString", shape: [1, 1], datatype: "FP32", data: [1] }] }, schema).rows).toBe(1);
  });
});

describe("parsePredictRequest (v1 instances)", () => {
  it("turns rows into column feeds; null is missing", () => {
    const parsed = parsePredictRequest(
      {
        instances: [
          { x: 1, s: "a" },
          { s: null, x: null },
        ],
      },
      linear,
    );
    expect(parsed.rows).toBe(2);
    expect(Array.from(parsed.feeds[0]!.data as Float32Array)).toEqual([1, NaN]);
    expect(parsed.feeds[1]!.data).toEqual(["a", ""]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ["a string body", "hello", "body", /JSON object/],
    ["no instances", { rows: [] }, "instances", /instances must be an array/],
    ["empty instances", { instances: [] }, "instances", /empty/],
    ["a non-object row", { instances: [[1, "a"]] }, "instances[0]", /must be an object/],
    ["a missing column", { instances: [{ x: 1, s: "a" }, { x: 2 }] }, "instances[1].s", /instances\[1\]: missing column "s"/],
    ["an unknown column", { instances: [{ x: 1, s: "a", y: 3 }] }, "instances[0].y", /unknown column "y"/],
    ["__proto__ as a column", { instances: [JSON.parse('{"x":1,"s":"a","__proto__":{"x":2}}')] }, "instances[0].__proto__", /unknown column "__proto__"/],
    ["text in a number column", { instances: [{ x: "12", s: "a" }] }, "instances[0].x", /"x" is FP32 and needs a number or null, got a string/],
    ["a number in a text column", { instances: [{ x: 1, s: 3 }] }, "instances[0].s", /"s" is BYTES/],
    ["an array value", { instances: [{ x: [1], s: "a" }] }, "instances[0].x", /got an array/],
  ])("refuses %s with a 400 naming the field", (_label, body, field, message) => {
    const e = err(() => parsePredictRequest(body, linear));
    expect(e.status).toBe(400);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });
});

describe("response shaping", () => {
  it("OIP v2: datatype from the manifest, shape from the tensor, bigint → number", () => {
    const out = inferResponse(
      { name: "m", version: 3 },
      "id-1",
      ["prediction"],
      { prediction: { type: "float32", dims: [2, 1], data: new Float32Array([1.5, 2]) } },
      linear,
    );
    expect(out).toEqual({
      model_name: "m",
      model_version: "3",
      id: "id-1",
      outputs: [{ name: "prediction", datatype: "FP32", shape: [2, 1], data: [1.5, 2] }],
    });
    expect(tensorValues({ type: "int64", dims: [2], data: new BigInt64Array([1n, 2n]) })).toEqual([1, 2]);
    expect(tensorValues({ type: "bool", dims: [2], data: new Uint8Array([1, 0]) })).toEqual([true, false]);
  });

  it("v1: { prediction } for regression, { label, probabilities: {class: p} } for classification", () => {
    expect(predictions(2, ["prediction"], { prediction: { type: "float32", dims: [2, 1], data: new Float32Array([1, 2]) } }, linear)).toEqual([
      { prediction: 1 },
      { prediction: 2 },
    ]);
    const rows = predictions(
      2,
      ["label", "probabilities"],
      {
        label: { type: "string", dims: [2, 1], data: ["yes", "no"] },
        probabilities: { type: "float32", dims: [2, 2], data: new Float32Array([0.75, 0.25, 0.5, 0.5]) },
      },
      classifier,
    );
    expect(JSON.parse(JSON.stringify(rows))).toEqual([
      { label: "yes", probabilities: { yes: 0.75, no: 0.25 } },
      { label: "no", probabilities: { yes: 0.5, no: 0.5 } },
    ]);
  });

  it("v1: an INT64 label index maps to its class name", () => {
    const rows = predictions(1, ["label"], { label: { type: "int64", dims: [1], data: new BigInt64Array([1n]) } }, classifier);
    expect(rows).toEqual([{ label: "no" }]);
  });
});

// ---------------------------------------------------------------------------
// Property tests: the parsers either accept (with consistent feeds) or throw a
// RequestError (400) — never anything else — for any JSON value.

function expectParsedOrRequestError(fn: () => { rows: number; feeds: { data: ArrayLike<unknown> }[] }, schema: ModelSchema): void {
  try {
    const parsed = fn();
    expect(parsed.rows).toBeGreaterThan(0);
    expect(parsed.feeds).toHaveLength(schema.inputs.length);
    for (const f of parsed.feeds) expect(f.data.length).toBe(parsed.rows);
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    expect(e.status).toBe(400);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

const columnValue = fc.oneof(fc.double(), fc.integer(), fc.constant(null), fc.string(), fc.boolean(), fc.constant({}), fc.constant([1]));
const nameArb = fc.oneof(fc.constantFrom("x", "s", "y", "__proto__", "constructor", ""), fc.string());
const tensorArb = fc.record(
  {
    name: nameArb,
    shape: fc.oneof(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: 0, max: 2 })), fc.array(fc.integer(), { maxLength: 3 }), fc.jsonValue()),
    datatype: fc.oneof(fc.constantFrom("FP32", "BYTES", "INT64", "fp32"), fc.jsonValue()),
    data: fc.oneof(fc.array(columnValue, { maxLength: 5 }), fc.array(fc.array(columnValue, { maxLength: 2 }), { maxLength: 4 }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const inferBodyArb = fc.oneof(
  fc.jsonValue(),
  fc.record(
    { inputs: fc.array(tensorArb, { maxLength: 4 }), id: fc.oneof(fc.string(), fc.jsonValue()), outputs: fc.jsonValue() },
    { requiredKeys: ["inputs"] },
  ),
);
const instancesBodyArb = fc.oneof(
  fc.jsonValue(),
  fc.record({ instances: fc.oneof(fc.array(fc.dictionary(nameArb, columnValue, { maxKeys: 4 }), { maxLength: 4 }), fc.jsonValue()) }),
);

describe("properties", () => {
  it("parseInferRequest: any JSON value → feeds or a 400", () => {
    fc.assert(
      fc.property(inferBodyArb, (body) => expectParsedOrRequestError(() => parseInferRequest(body, linear), linear)),
      { numRuns: 3000 },
    );
  });

  it("parsePredictRequest: any JSON value → feeds or a 400", () => {
    fc.assert(
      fc.property(instancesBodyArb, (body) => expectParsedOrRequestError(() => parsePredictRequest(body, linear), linear)),
      { numRuns: 3000 },
    );
  });

  it("parseJsonBody: any string → a value or a 400", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        (text) => {
          try {
            parseJsonBody(text);
          } catch (e) {
            expect(e).toBeInstanceOf(RequestError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  const row = fc.record({ x: fc.oneof(fc.double({ noNaN: true }), fc.constant(null)), s: fc.oneof(fc.string(), fc.constant(null)) });

  it("valid rows are accepted and v1 instances ≡ the equivalent OIP v2 request", () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), (rows) => {
        const v1 = parsePredictRequest({ instances: rows }, linear);
        const v2 = parseInferRequest({ inputs: [s(rows.map((r) => r.s)), x(rows.map((r) => r.x))] }, linear);
        expect(v1.rows).toBe(rows.length);
        expect(Array.from(v1.feeds[0]!.data as Float32Array)).toEqual(Array.from(v2.feeds[0]!.data as Float32Array));
        expect(v1.feeds[1]!.data).toEqual(v2.feeds[1]!.data);
        rows.forEach((r, i) => {
          expect((v1.feeds[0]!.data as Float32Array)[i]).toBe(r.x === null ? NaN : Math.fround(r.x));
          expect((v1.feeds[1]!.data as string[])[i]).toBe(r.s ?? "");
        });
      }),
      { numRuns: 500 },
    );
  });

  it("dropping any column of a valid row is a 400 that names it", () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), fc.nat(), fc.constantFrom("x", "s"), (rows, pick, col) => {
        const i = pick % rows.length;
        const broken = rows.map((r, j) => (j === i ? Object.fromEntries(Object.entries(r).filter(([k]) => k !== col)) : r));
        const e = err(() => parsePredictRequest({ instances: broken }, linear));
        expect(e.field).toBe(`instances[${i}].${col}`);
        expect(e.message).toContain(`"${col}"`);
      }),
      { numRuns: 300 },
    );
  });
});
