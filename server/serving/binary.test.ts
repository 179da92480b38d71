/**
 * The binary tensor data extension's encoding (binary.ts) and its parsing
 * in parseInferRequest: byte layouts as tritonclient writes and reads them,
 * and an error naming the field for every malformed body.
 */
import { describe, expect, it } from "vitest";
import { RequestError } from "./errors";
import { BinaryInputs, binaryInferResponse, encodeTensor, firstBinaryValue, splitInferBody } from "./binary";
import { compileSchema, parseInferRequest } from "./protocol";
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

/** BYTES elements as the extension lays them out: a 4-byte little-endian length, then the bytes. */
function bytesTensor(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const b = Buffer.from(v, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    }),
  );
}

function fp32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

/** A request body as tritonclient sends it: the JSON, then the inputs' bytes; and its header value. */
function body(json: unknown, ...chunks: Buffer[]): { body: Buffer; header: string } {
  const head = Buffer.from(JSON.stringify(json));
  return { body: Buffer.concat([head, ...chunks]), header: String(head.length) };
}

function parse(json: unknown, ...chunks: Buffer[]) {
  const b = body(json, ...chunks);
  const split = splitInferBody(b.body, b.header);
  return parseInferRequest(split.json, linear, split.binary);
}

const xBinary = (rows: number, size: number) => ({ name: "x", shape: [rows, 1], datatype: "FP32", parameters: { binary_data_size: size } });
const sBinary = (rows: number, size: number) => ({ name: "s", shape: [rows, 1], datatype: "BYTES", parameters: { binary_data_size: size } });

describe("binary inputs", () => {
  it("reads FP32 and BYTES tensors from the bytes after the JSON, in the order the inputs are listed", () => {
    const s = bytesTensor(["a", "", "héllo ✓"]);
    const x = fp32([1.5, Number.NaN, -2]);
    const parsed = parse({ inputs: [sBinary(3, s.length), xBinary(3, 12)] }, s, x);
    expect(parsed.rows).toBe(3);
    expect(parsed.feeds.map((f) => f.name)).toEqual(["x", "s"]);
    expect(Array.from(parsed.feeds[0]!.data as Float32Array)).toEqual([1.5, NaN, -2]);
    expect(parsed.feeds[1]!.data).toEqual(["a", "", "héllo ✓"]);
  });

  it("mixes binary and JSON inputs", () => {
    const parsed = parse({ inputs: [xBinary(2, 8), { name: "s", shape: [2, 1], datatype: "BYTES", data: ["a", "b"] }] }, fp32([3, 4]));
    expect(Array.from(parsed.feeds[0]!.data as Float32Array)).toEqual([3, 4]);
    expect(parsed.feeds[1]!.data).toEqual(["a", "b"]);
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ["a header that is no number", () => splitInferBody(Buffer.from("{}"), "12abc"), "Inference-Header-Content-Length", /must be a byte count, got "12abc"/],
    [
      "a header longer than the body",
      () => splitInferBody(Buffer.from("{}"), "10"),
      "Inference-Header-Content-Length",
      /says the JSON part is 10 bytes, but the body has only 2/,
    ],
    ["JSON cut short by the header", () => splitInferBody(Buffer.from('{"inputs": []}'), "5"), "body", /not valid JSON/],
    [
      "binary_data_size larger than the bytes left",
      () => parse({ inputs: [xBinary(1, 4), sBinary(1, 50)] }, fp32([1]), bytesTensor(["a"])),
      "inputs[1].parameters.binary_data_size",
      /inputs\[1\]\.parameters\.binary_data_size of input "s" is 50 bytes, but only 5 bytes of binary data are left/,
    ],
    [
      "an FP32 size that is not 4 bytes a row",
      () => parse({ inputs: [xBinary(2, 4), sBinary(2, 10)] }, fp32([1]), bytesTensor(["a", "b"])),
      "inputs[0].parameters.binary_data_size",
      /input "x" is FP32 with 2 rows, which is 8 bytes, not 4/,
    ],
    [
      "a BYTES element longer than its tensor",
      () => parse({ inputs: [xBinary(1, 4), sBinary(1, 6)] }, fp32([1]), Buffer.from([9, 0, 0, 0, 97, 98])),
      "inputs[1].parameters.binary_data_size",
      /element 0 of "s" says it has 9 bytes, but only 2 bytes of its binary data are left/,
    ],
    [
      "a BYTES tensor cut inside a length",
      () => parse({ inputs: [xBinary(1, 4), sBinary(1, 7)] }, fp32([1]), Buffer.from([1, 0, 0, 0, 97, 0, 0])),
      "inputs[1].parameters.binary_data_size",
      /ends inside the 4-byte length of element 1/,
    ],
    [
      "a BYTES tensor with the wrong count",
      () => parse({ inputs: [xBinary(1, 4), sBinary(1, 10)] }, fp32([1]), bytesTensor(["a", "b"])),
      "inputs[1].parameters.binary_data_size",
      /input "s" has shape \[1, 1\] but its binary data holds 2 elements/,
    ],
    [
      "bytes no input accounts for",
      () => parse({ inputs: [xBinary(1, 4), sBinary(1, 5)] }, fp32([1]), bytesTensor(["a"]), Buffer.from([1, 2, 3])),
      "Inference-Header-Content-Length",
      /3 bytes of binary data that no input's parameters\.binary_data_size accounts for/,
    ],
    [
      "binary_data_size without binary data",
      () => parseInferRequest({ inputs: [xBinary(1, 4)] }, linear),
      "inputs[0].parameters.binary_data_size",
      /the request has no binary data \(send the Inference-Header-Content-Length header\)/,
    ],
    [
      "both data and binary_data_size",
      () => parse({ inputs: [{ ...xBinary(1, 4), data: [1] }] }, fp32([1])),
      "inputs[0].data",
      /has both data and parameters\.binary_data_size/,
    ],
    ["a negative size", () => parse({ inputs: [xBinary(1, -4)] }), "inputs[0].parameters.binary_data_size", /must be a byte count \(an integer ≥ 0\), got -4/],
    ["parameters that are no object", () => parse({ inputs: [{ ...xBinary(1, 4), parameters: [4] }] }), "inputs[0].parameters", /must be an object/],
  ])("refuses %s, naming the field", (_, fn, field, message) => {
    const e = err(fn);
    expect(e.status).toBe(400);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it("firstBinaryValue: an input's first element without taking it; undefined when its data is not there or malformed", () => {
    const s = bytesTensor(["ünï", "b"]);
    const x = fp32([-2.5, 1]);
    const input = (name: string, datatype: string, size: unknown) => ({ name, datatype, shape: [2, 1], parameters: { binary_data_size: size } });
    const inputs = [input("s", "BYTES", s.length), { name: "y", datatype: "FP32", shape: [2, 1], data: [1, 2] }, input("x", "FP32", x.length)];
    const bytes = Buffer.concat([s, x]);
    expect(firstBinaryValue(inputs, 0, bytes)).toBe("ünï");
    expect(firstBinaryValue(inputs, 2, bytes)).toBe(-2.5);
    expect(firstBinaryValue(inputs, 1, bytes)).toBeUndefined();
    expect(firstBinaryValue([input("s", "BYTES", 4)], 0, bytesTensor([""]))).toBe("");
    // Too short, a length past its size, an unknown datatype, a bad size before it.
    expect(firstBinaryValue([input("x", "FP32", 2)], 0, Buffer.alloc(2))).toBeUndefined();
    expect(firstBinaryValue([input("s", "BYTES", 6)], 0, s.subarray(0, 6))).toBeUndefined();
    expect(firstBinaryValue([input("x", "INT64", 8)], 0, Buffer.alloc(8))).toBeUndefined();
    expect(firstBinaryValue([input("s", "BYTES", "9"), input("x", "FP32", 8)], 1, bytes)).toBeUndefined();
    expect(firstBinaryValue([input("x", "FP32", 8)], 0, Buffer.alloc(4))).toBeUndefined();
  });

  it("BinaryInputs.take is strict about the count even past the rows", () => {
    const b = new BinaryInputs(bytesTensor(["a", "b", "c"]));
    expect(() => b.take("inputs[0]", "s", "BYTES", 2, 15)).toThrow(/holds 3 elements/);
  });
});

describe("binary outputs", () => {
  it("which outputs: binary_data on an output wins over binary_data_output on the request", () => {
    const x = { name: "x", shape: [1, 1], datatype: "FP32", data: [1] };
    expect(parseInferRequest({ inputs: [x] }, classifier).binaryOutputs).toBeUndefined();
    expect(parseInferRequest({ inputs: [x], parameters: { binary_data_output: true } }, classifier).binaryOutputs).toEqual(new Set(["label", "probabilities"]));
    expect(
      parseInferRequest(
        { inputs: [x], parameters: { binary_data_output: true }, outputs: [{ name: "label", parameters: { binary_data: false } }, { name: "probabilities" }] },
        classifier,
      ).binaryOutputs,
    ).toEqual(new Set(["probabilities"]));
    expect(parseInferRequest({ inputs: [x], outputs: [{ name: "label", parameters: { binary_data: true } }] }, classifier).binaryOutputs).toEqual(
      new Set(["label"]),
    );
    expect(err(() => parseInferRequest({ inputs: [x], parameters: { binary_data_output: "yes" } }, classifier))).toMatchObject({
      field: "parameters.binary_data_output",
    });
    expect(err(() => parseInferRequest({ inputs: [x], outputs: [{ name: "label", parameters: { binary_data: 1 } }] }, classifier))).toMatchObject({
      field: "outputs[0].parameters.binary_data",
    });
    expect(err(() => parseInferRequest({ inputs: [x], outputs: [{ name: "label", parameters: { classification: 2 } }] }, classifier))).toMatchObject({
      field: "outputs[0].parameters.classification",
      message: expect.stringContaining("not supported"),
    });
  });

  it("encodes each datatype as tritonclient decodes it", () => {
    expect(encodeTensor({ type: "float32", dims: [2], data: Float32Array.of(1.5, -2) })).toEqual({ datatype: "FP32", bytes: fp32([1.5, -2]) });
    const big = encodeTensor({ type: "int64", dims: [2], data: BigInt64Array.of(3n, -1n) });
    expect(big.datatype).toBe("INT64");
    expect([big.bytes.readBigInt64LE(0), big.bytes.readBigInt64LE(8)]).toEqual([3n, -1n]);
    expect(encodeTensor({ type: "bool", dims: [2], data: Uint8Array.of(1, 0) })).toEqual({ datatype: "BOOL", bytes: Buffer.from([1, 0]) });
    expect(encodeTensor({ type: "string", dims: [2], data: ["yes", "ñ"] })).toEqual({ datatype: "BYTES", bytes: bytesTensor(["yes", "ñ"]) });
    // A view into a larger batch's output: only its own bytes.
    const all = Float32Array.of(1, 2, 3, 4);
    expect(encodeTensor({ type: "float32", dims: [2], data: all.subarray(1, 3) }).bytes).toEqual(fp32([2, 3]));
  });

  it("answers the JSON, then the binary outputs' bytes, with the JSON's length in Inference-Header-Content-Length", () => {
    const results = {
      label: { type: "string", dims: [2, 1], data: ["yes", "no"] },
      probabilities: { type: "float32", dims: [2, 2], data: Float32Array.of(0.75, 0.25, 0.5, 0.5) },
    };
    const raw = binaryInferResponse({ name: "cls", version: 3 }, "r1", ["label", "probabilities"], results, classifier, new Set(["probabilities"]));
    expect(raw.contentType).toBe("application/octet-stream");
    const n = Number(raw.headers["inference-header-content-length"]);
    const json = JSON.parse(raw.bytes.subarray(0, n).toString());
    expect(json).toEqual({
      model_name: "cls",
      model_version: "3",
      id: "r1",
      outputs: [
        { name: "label", datatype: "BYTES", shape: [2, 1], data: ["yes", "no"] },
        { name: "probabilities", datatype: "FP32", shape: [2, 2], parameters: { binary_data_size: 16 } },
      ],
    });
    expect(raw.bytes.subarray(n)).toEqual(fp32([0.75, 0.25, 0.5, 0.5]));
  });
});
