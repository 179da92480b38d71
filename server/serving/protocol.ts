/**
 * Request parsing/validation and response shaping for the two predict APIs.
 * Pure (no I/O, no onnxruntime): every client mistake becomes a
 * RequestError naming the field; nothing else may escape for any JSON value.
 *
 * OIP v2 `POST /v2/models/{name}[/versions/{v}]/infer`
 *   request:  { id?: string, inputs: [{ name, shape: [rows, 1], datatype: "FP32" | "BYTES", data: [...] }],
 *               outputs?: [{ name, parameters?: { binary_data?: bool } }], parameters?: { binary_data_output?: bool } }
 *             `data` is row-major; nested arrays ([[1], [2]]) are flattened. With the binary tensor
 *             data extension (binary.ts) an input gives `parameters.binary_data_size` instead of `data`.
 *   response: { model_name, model_version: "3", id, outputs: [{ name, datatype, shape, data }] }
 *             (outputs asked for in binary: `parameters.binary_data_size` instead of `data`, see binary.ts)
 *
 * Friendly `POST /v1/predict/{name}[/versions/{v}]`
 *   request:  { instances: [{ column: value, ... }, ...] }   (every model column, no others)
 *   response: { model_name, model_version: 3, request_id, predictions: [...] } (request_id: the x-request-id,
 *             what feedback names), one object per instance whose
 *             keys are the model's outputs, a width-1 output as a scalar:
 *               regression      → { "prediction": 12.3 }
 *               classification  → { "label": "yes", "probabilities": { "yes": 0.88, "no": 0.12 } }
 *             (probabilities keyed by the manifest's classes; other multi-value outputs as arrays).
 *
 * Values: FP32 inputs take JSON numbers; `null` means missing (NaN, which
 * trained models impute). BYTES inputs take strings; `null` means missing
 * (the empty string: no category matches). Anything else is a 400.
 */
import type { ModelManifest } from "../../contract/model";
import type { ModelInput } from "../../workflows/ml/types";
import type { BinaryInputs } from "./binary";
import { RequestError } from "./errors";
import { toText } from "../../contract/text";

/** What the validation needs from a model, precomputed once per version. */
export interface ModelSchema {
  inputs: ModelInput[];
  inputIndex: Map<string, number>;
  /** Output names in manifest order (those the session really produces). */
  outputs: string[];
  outputDatatypes: Map<string, string>;
  classes?: string[];
}

export function compileSchema(manifest: ModelManifest, sessionOutputNames?: readonly string[]): ModelSchema {
  const inputs = manifest.inputs;
  const inputIndex = new Map(inputs.map((input, i) => [input.name, i]));
  const fromManifest = manifest.outputs.map((o) => o.name as string);
  const outputs = sessionOutputNames ? fromManifest.filter((n) => sessionOutputNames.includes(n)) : fromManifest;
  return {
    inputs,
    inputIndex,
    outputs: outputs.length > 0 ? outputs : [...(sessionOutputNames ?? [])],
    outputDatatypes: new Map(manifest.outputs.map((o) => [o.name as string, o.datatype])),
    classes: manifest.classes,
  };
}

export type InputFeed = { name: string; datatype: "FP32"; data: Float32Array } | { name: string; datatype: "BYTES"; data: string[] };

export interface ParsedRequest {
  rows: number;
  /** One per model input, in the manifest's order. */
  feeds: InputFeed[];
  /** OIP v2 only. */
  id?: string;
  /** OIP v2 only: the requested subset of outputs. */
  outputs?: string[];
  /** OIP v2 only: the outputs to answer as binary tensor data (binary.ts); unset when none. */
  binaryOutputs?: Set<string>;
}

/** A tensor as returned by the runtime (the subset of ort.Tensor we read). */
export interface OutputTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

export const MAX_ID_LENGTH = 256;
const MAX_NESTING = 4;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A short, safe rendering of a client-supplied string for messages. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `a string (${quote(v)})`;
  if (typeof v === "object") return "an object";
  return `${typeof v === "boolean" ? "a boolean" : typeof v} (${toText(v).slice(0, 40)})`;
}

function nameList(schema: ModelSchema): string {
  const names = schema.inputs.slice(0, 30).map((i) => i.name);
  return names.join(", ") + (schema.inputs.length > 30 ? `, … (${schema.inputs.length} in all)` : "");
}

/**
 * Python's JSON (json.dumps, so tritonclient's JSON inputs) writes NaN,
 * Infinity and -Infinity, which JSON has not: as null (a missing value, what
 * NaN means here) and ±1e999 (which JSON.parse reads as ±Infinity). Tokens
 * inside strings are left alone. Undefined when there is none.
 */
export function fromPythonJson(text: string): string | undefined {
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 78 && text.startsWith("NaN", i)) {
      out += `${text.slice(last, i)}null`;
      last = i + 3;
      i += 2;
    } else if (c === 73 && text.startsWith("Infinity", i)) {
      out += `${text.slice(last, i)}1e999`;
      last = i + 8;
      i += 7;
    }
  }
  return last === 0 ? undefined : out + text.slice(last);
}

/** Parses a request body; an empty or malformed body is a 400. */
export function parseJsonBody(body: Buffer | string): unknown {
  const text = typeof body === "string" ? body : body.toString("utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    if (/^\s*$/.test(text)) throw new RequestError("the request body is empty; send a JSON object", "body");
    const python = fromPythonJson(text);
    if (python !== undefined) {
      try {
        return JSON.parse(python);
      } catch {
        // not that either: report the original error
      }
    }
    const detail = e instanceof Error ? e.message.slice(0, 200) : "parse error";
    throw new RequestError(`the request body is not valid JSON: ${detail}`, "body");
  }
}

function flatten(data: unknown[], field: string): unknown[] {
  let nested = false;
  for (let i = 0; i < data.length; i++) {
    if (Array.isArray(data[i])) {
      nested = true;
      break;
    }
  }
  if (!nested) return data;
  const out: unknown[] = [];
  const walk = (arr: unknown[], depth: number): void => {
    if (depth > MAX_NESTING) throw new RequestError(`${field} is nested too deeply; send a flat row-major array`, field);
    for (const v of arr) {
      if (Array.isArray(v)) walk(v, depth + 1);
      else out.push(v);
    }
  };
  walk(data, 1);
  return out;
}

// The value checks are inlined in the loops below; these build the error
// (field names are only formatted when something is wrong: the hot path
// allocates no strings per value).
function badValue(field: string, column: string, datatype: "FP32" | "BYTES", v: unknown): never {
  const want = datatype === "FP32" ? "a number or null" : "a string or null";
  throw new RequestError(`${field}: column ${quote(column)} is ${datatype} and needs ${want}, got ${describe(v)}`, field);
}

/** The `parameters` object of a request, tensor or output (undefined when absent). */
function parametersOf(v: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const p = v.parameters;
  if (p === undefined) return undefined;
  if (!isObject(p)) throw new RequestError(`${field} must be an object, got ${describe(p)}`, field);
  return p;
}

function flag(p: Record<string, unknown> | undefined, key: string, field: string): boolean | undefined {
  const v = p?.[key];
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw new RequestError(`${field}.${key} must be true or false, got ${describe(v)}`, `${field}.${key}`);
  return v;
}

/**
 * Validates an OIP v2 infer request against the model's inputs; `binary`
 * is the binary tensor data after the JSON (binary.ts), if the request has any.
 */
export function parseInferRequest(body: unknown, schema: ModelSchema, binary?: BinaryInputs): ParsedRequest {
  if (!isObject(body)) {
    throw new RequestError(`the request body must be a JSON object like {"inputs": [...]}, got ${describe(body)}`, "body");
  }
  let id: string | undefined;
  if (body.id !== undefined) {
    if (typeof body.id !== "string") throw new RequestError(`id must be a string, got ${describe(body.id)}`, "id");
    if (body.id.length > MAX_ID_LENGTH) throw new RequestError(`id is longer than ${MAX_ID_LENGTH} characters`, "id");
    id = body.id;
  }
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) {
    throw new RequestError(`inputs must be an array of tensors {name, shape, datatype, data}, got ${describe(inputs)}`, "inputs");
  }
  if (inputs.length === 0) throw new RequestError(`inputs is empty; the model's inputs are: ${nameList(schema)}`, "inputs");

  const feeds = new Array<InputFeed | undefined>(schema.inputs.length);
  let rows = -1;
  let firstName = "";
  for (let i = 0; i < inputs.length; i++) {
    const t: unknown = inputs[i];
    const field = `inputs[${i}]`;
    if (!isObject(t)) throw new RequestError(`${field} must be an object {name, shape, datatype, data}, got ${describe(t)}`, field);
    const name = t.name;
    if (typeof name !== "string") throw new RequestError(`${field}.name must be a string, got ${describe(name)}`, `${field}.name`);
    const index = schema.inputIndex.get(name);
    if (index === undefined) {
      throw new RequestError(`${field}: unknown input ${quote(name)}; the model's inputs are: ${nameList(schema)}`, `${field}.name`);
    }
    if (feeds[index]) throw new RequestError(`${field}: input ${quote(name)} is given more than once`, `${field}.name`);
    const spec = schema.inputs[index]!;
    if (t.datatype !== spec.datatype) {
      throw new RequestError(
        `${field}: input ${quote(name)} has datatype ${spec.datatype}, got ${typeof t.datatype === "string" ? quote(t.datatype) : describe(t.datatype)}`,
        `${field}.datatype`,
      );
    }
    const shape = t.shape;
    if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[0]) || (shape[0] as number) < 1 || shape[1] !== 1) {
      const shown = Array.isArray(shape)
        ? `[${shape
            .slice(0, 4)
            .map((d) => (typeof d === "number" ? String(d) : "?"))
            .join(", ")}${shape.length > 4 ? ", …" : ""}]`
        : describe(shape);
      throw new RequestError(`${field}: input ${quote(name)} needs shape [rows, 1] with rows ≥ 1, got ${shown}`, `${field}.shape`);
    }
    const n = shape[0] as number;
    if (rows === -1) {
      rows = n;
      firstName = name;
    } else if (n !== rows) {
      throw new RequestError(`${field}: input ${quote(name)} has ${n} rows but ${quote(firstName)} has ${rows}`, `${field}.shape`);
    }
    const params = parametersOf(t, `${field}.parameters`);
    if (params?.binary_data_size !== undefined) {
      if (t.data !== undefined) {
        throw new RequestError(`${field}: input ${quote(name)} has both data and parameters.binary_data_size; send one of them`, `${field}.data`);
      }
      if (!binary) {
        throw new RequestError(
          `${field}.parameters.binary_data_size is set but the request has no binary data (send the Inference-Header-Content-Length header)`,
          `${field}.parameters.binary_data_size`,
        );
      }
      feeds[index] = binary.take(field, name, spec.datatype, n, params.binary_data_size);
      continue;
    }
    if (!Array.isArray(t.data)) throw new RequestError(`${field}: data of ${quote(name)} must be an array, got ${describe(t.data)}`, `${field}.data`);
    const data = flatten(t.data, `${field}.data`);
    if (data.length !== n) {
      throw new RequestError(`${field}: input ${quote(name)} has shape [${n}, 1] but ${data.length} values in data`, `${field}.data`);
    }
    if (spec.datatype === "FP32") {
      const arr = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        const v = data[j];
        arr[j] = typeof v === "number" ? v : v === null ? Number.NaN : badValue(`${field}.data[${j}]`, name, "FP32", v);
      }
      feeds[index] = { name, datatype: "FP32", data: arr };
    } else {
      const arr = new Array<string>(n);
      for (let j = 0; j < n; j++) {
        const v = data[j];
        arr[j] = typeof v === "string" ? v : v === null ? "" : badValue(`${field}.data[${j}]`, name, "BYTES", v);
      }
      feeds[index] = { name, datatype: "BYTES", data: arr };
    }
  }
  for (let i = 0; i < schema.inputs.length; i++) {
    if (!feeds[i]) throw new RequestError(`missing input ${quote(schema.inputs[i]!.name)}; the model's inputs are: ${nameList(schema)}`, "inputs");
  }
  binary?.finish();

  const allBinary = flag(parametersOf(body, "parameters"), "binary_data_output", "parameters");
  let binaryOutputs: Set<string> | undefined;
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    const req = body.outputs;
    if (!Array.isArray(req) || req.length === 0) throw new RequestError(`outputs must be a non-empty array of {name}, got ${describe(req)}`, "outputs");
    const chosen = new Set<string>();
    for (let i = 0; i < req.length; i++) {
      const o: unknown = req[i];
      const field = `outputs[${i}]`;
      if (!isObject(o) || typeof o.name !== "string") throw new RequestError(`${field} must be an object {name}`, field);
      if (!schema.outputs.includes(o.name)) {
        throw new RequestError(`${field}: unknown output ${quote(o.name)}; the model's outputs are: ${schema.outputs.join(", ")}`, `${field}.name`);
      }
      const params = parametersOf(o, `${field}.parameters`);
      if (params?.classification !== undefined) {
        throw new RequestError(`${field}.parameters.classification: the classification extension is not supported`, `${field}.parameters.classification`);
      }
      if (flag(params, "binary_data", `${field}.parameters`) ?? allBinary) (binaryOutputs ??= new Set()).add(o.name);
      chosen.add(o.name);
    }
    outputs = [...chosen];
  } else if (allBinary) {
    binaryOutputs = new Set(schema.outputs);
  }
  return { rows, feeds: feeds as InputFeed[], id, outputs, binaryOutputs };
}

/** Validates a `{ "instances": [ {col: value} ] }` request (one object per row). */
export function parsePredictRequest(body: unknown, schema: ModelSchema): ParsedRequest {
  if (!isObject(body)) {
    throw new RequestError(`the request body must be a JSON object like {"instances": [{...}]}, got ${describe(body)}`, "body");
  }
  const instances = body.instances;
  if (!Array.isArray(instances)) {
    throw new RequestError(`instances must be an array of objects (one per row), got ${describe(instances)}`, "instances");
  }
  const n = instances.length;
  if (n === 0) throw new RequestError("instances is empty; send at least one row", "instances");
  const specs = schema.inputs;
  const feeds: InputFeed[] = specs.map((s) =>
    s.datatype === "FP32" ? { name: s.name, datatype: "FP32", data: new Float32Array(n) } : { name: s.name, datatype: "BYTES", data: new Array<string>(n) },
  );
  for (let r = 0; r < n; r++) {
    const row: unknown = instances[r];
    if (!isObject(row)) throw new RequestError(`instances[${r}] must be an object of column: value, got ${describe(row)}`, `instances[${r}]`);
    for (let k = 0; k < specs.length; k++) {
      const name = specs[k]!.name;
      if (!Object.hasOwn(row, name)) throw new RequestError(`instances[${r}]: missing column ${quote(name)}`, `instances[${r}].${name}`);
      const feed = feeds[k]!;
      const v = row[name];
      if (feed.datatype === "FP32") {
        feed.data[r] = typeof v === "number" ? v : v === null ? Number.NaN : badValue(`instances[${r}].${name}`, name, "FP32", v);
      } else {
        feed.data[r] = typeof v === "string" ? v : v === null ? "" : badValue(`instances[${r}].${name}`, name, "BYTES", v);
      }
    }
    let count = 0;
    for (const key in row) if (Object.hasOwn(row, key)) count++;
    if (count !== specs.length) {
      const extra = Object.keys(row).find((key) => !schema.inputIndex.has(key)) ?? "?";
      throw new RequestError(`instances[${r}]: unknown column ${quote(extra)}; the model's columns are: ${nameList(schema)}`, `instances[${r}].${extra}`);
    }
  }
  return { rows: n, feeds };
}

/** A runtime tensor's data as JSON-safe values (bigint → number, bool → boolean). */
export function tensorValues(t: OutputTensor): unknown[] {
  const data = t.data;
  if (data instanceof Float32Array) return Array.from(data); // the common case first
  if (Array.isArray(data)) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Array.from(data, Number);
  if (t.type === "bool" && data instanceof Uint8Array) return Array.from(data, Boolean);
  if (ArrayBuffer.isView(data)) return Array.from(data as unknown as ArrayLike<number>);
  return [];
}

/** OIP datatypes of onnxruntime's tensor types. */
export const DATATYPE_OF: Record<string, string> = {
  float32: "FP32",
  float64: "FP64",
  string: "BYTES",
  int64: "INT64",
  int32: "INT32",
  int8: "INT8",
  uint8: "UINT8",
  bool: "BOOL",
  float16: "FP16",
};

export function inferResponse(
  model: { name: string; version: number },
  id: string,
  names: readonly string[],
  results: Record<string, OutputTensor | undefined>,
  schema: ModelSchema,
) {
  const outputs = [];
  for (const name of names) {
    const t = results[name];
    if (!t) continue;
    outputs.push({
      name,
      datatype: schema.outputDatatypes.get(name) ?? DATATYPE_OF[t.type] ?? t.type.toUpperCase(),
      shape: [...t.dims],
      data: tensorValues(t),
    });
  }
  return { model_name: model.name, model_version: String(model.version), id, outputs };
}

/** Per-row prediction objects for /v1/predict (shape documented at the top). */
export function predictions(rows: number, names: readonly string[], results: Record<string, OutputTensor | undefined>, schema: ModelSchema) {
  const out: Record<string, unknown>[] = Array.from({ length: rows }, () => ({}));
  for (const name of names) {
    const t = results[name];
    if (!t) continue;
    const values = tensorValues(t);
    const width = rows > 0 ? Math.floor(values.length / rows) : 0;
    if (width === 0) continue;
    const classes = schema.classes;
    for (let r = 0; r < rows; r++) {
      let value: unknown;
      if (width === 1) {
        value = values[r];
        if (name === "label" && typeof value === "number" && classes && classes[value] !== undefined) value = classes[value];
      } else if (name === "probabilities" && classes && classes.length === width) {
        // Null prototype: a class called "__proto__" stays an ordinary key.
        const probs = Object.create(null) as Record<string, unknown>;
        for (let c = 0; c < width; c++) probs[classes[c]!] = values[r * width + c];
        value = probs;
      } else {
        value = values.slice(r * width, (r + 1) * width);
      }
      out[r]![name] = value;
    }
  }
  return out;
}
