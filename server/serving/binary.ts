/**
 * The OIP binary tensor data extension (KServe's and Triton's
 * `binary_tensor_data`), as tritonclient speaks it.
 *
 * Request: the header `Inference-Header-Content-Length: <n>` says the body is
 * n bytes of the JSON infer request followed by raw tensor bytes. An input
 * with `parameters.binary_data_size: <k>` (and no `data`) takes the next k
 * bytes, in the order the inputs are listed: FP32 as little-endian float32
 * (4 bytes a value), BYTES as each element's 4-byte little-endian length then
 * its bytes (UTF-8 text). Every byte must belong to an input.
 *
 * Response: an output is sent in binary when the request asks,
 * `parameters.binary_data: true` on the requested output or
 * `parameters.binary_data_output: true` on the request (an output's own
 * setting wins). Its JSON entry then has `parameters.binary_data_size`
 * instead of `data`, the bytes follow the JSON in the outputs' order, and
 * the response's `Inference-Header-Content-Length` is the JSON's length
 * (content type application/octet-stream). Datatypes are the tensor's own
 * (FP32, INT64, BOOL, BYTES, …), encoded as above.
 */
import { RequestError } from "./errors";
import { RawBody } from "./http-io";
import { DATATYPE_OF, parseJsonBody, quote, tensorValues, type InputFeed, type ModelSchema, type OutputTensor } from "./protocol";

/** The request and response header (node:http's lower-case spelling). */
export const HEADER_LENGTH = "inference-header-content-length";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HEADER_FIELD = "Inference-Header-Content-Length";

/**
 * An infer body: all JSON, or (with the header) its JSON part and the binary
 * tensor data after it.
 */
export function splitInferBody(body: Buffer, headerLength: string | string[] | undefined): { json: unknown; binary?: BinaryInputs } {
  if (headerLength === undefined) return { json: parseJsonBody(body) };
  const raw = Array.isArray(headerLength) ? headerLength.join(",") : headerLength;
  if (!/^\s*[0-9]{1,10}\s*$/.test(raw)) {
    throw new RequestError(`the ${HEADER_FIELD} header must be a byte count, got ${quote(raw)}`, HEADER_FIELD);
  }
  const n = Number(raw);
  if (n > body.length) {
    throw new RequestError(`the ${HEADER_FIELD} header says the JSON part is ${n} bytes, but the body has only ${body.length}`, HEADER_FIELD);
  }
  return { json: parseJsonBody(body.subarray(0, n)), binary: new BinaryInputs(body.subarray(n)) };
}

/** The binary part of a request, taken input by input in the order they are listed. */
export class BinaryInputs {
  private offset = 0;

  constructor(readonly bytes: Buffer) {}

  /** The feed of input `name` (`field`: e.g. `inputs[0]`) from its next `size` bytes. */
  take(field: string, name: string, datatype: "FP32" | "BYTES", rows: number, size: unknown): InputFeed {
    const sizeField = `${field}.parameters.binary_data_size`;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw new RequestError(`${sizeField} must be a byte count (an integer ≥ 0), got ${JSON.stringify(size)?.slice(0, 40)}`, sizeField);
    }
    const left = this.bytes.length - this.offset;
    if (size > left) {
      throw new RequestError(
        `${sizeField} of input ${quote(name)} is ${size} bytes, but only ${left} bytes of binary data are left after the inputs before it`,
        sizeField,
      );
    }
    const chunk = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    if (datatype === "FP32") {
      if (size !== rows * 4) {
        throw new RequestError(`${sizeField}: input ${quote(name)} is FP32 with ${rows} rows, which is ${rows * 4} bytes, not ${size}`, sizeField);
      }
      const data = new Float32Array(rows);
      const view = Buffer.from(data.buffer);
      view.set(chunk);
      if (!LITTLE_ENDIAN) view.swap32();
      return { name, datatype, data };
    }
    const data = new Array<string>(rows);
    let at = 0;
    let count = 0;
    while (at < size) {
      if (size - at < 4) {
        throw new RequestError(`${field}: the binary data of ${quote(name)} ends inside the 4-byte length of element ${count}`, sizeField);
      }
      const len = chunk.readUInt32LE(at);
      at += 4;
      if (len > size - at) {
        throw new RequestError(
          `${field}: element ${count} of ${quote(name)} says it has ${len} bytes, but only ${size - at} bytes of its binary data are left`,
          sizeField,
        );
      }
      if (count < rows) data[count] = chunk.toString("utf8", at, at + len);
      count++;
      at += len;
    }
    if (count !== rows) {
      throw new RequestError(`${field}: input ${quote(name)} has shape [${rows}, 1] but its binary data holds ${count} elements`, sizeField);
    }
    return { name, datatype, data };
  }

  /** Every byte was taken by an input. */
  finish(): void {
    const left = this.bytes.length - this.offset;
    if (left > 0) {
      throw new RequestError(
        `the body has ${left} bytes of binary data that no input's parameters.binary_data_size accounts for (check ${HEADER_FIELD})`,
        HEADER_FIELD,
      );
    }
  }
}

/**
 * The first element of input `inputs[index]`'s binary data, read without
 * parsing the request (an A/B split's sticky key is read before the version,
 * and so the schema, is chosen): its bytes start after the binary data of the
 * inputs listed before it. A number (FP32) or a string (BYTES); undefined
 * when the input has no binary data or it is not well formed (the parse then
 * says why, against the chosen version's inputs).
 */
export function firstBinaryValue(inputs: readonly unknown[], index: number, bytes: Buffer): number | string | undefined {
  let offset = 0;
  for (let i = 0; i <= index; i++) {
    const t = inputs[i];
    const size = typeof t === "object" && t !== null ? binarySizeOf((t as Record<string, unknown>).parameters) : undefined;
    if (size === null) return undefined;
    if (i < index) {
      offset += size ?? 0;
      continue;
    }
    if (size === undefined || offset + size > bytes.length) return undefined;
    const datatype = (t as Record<string, unknown>).datatype;
    if (datatype === "FP32") return size >= 4 ? bytes.readFloatLE(offset) : undefined;
    if (datatype !== "BYTES" || size < 4) return undefined;
    const len = bytes.readUInt32LE(offset);
    return len <= size - 4 ? bytes.toString("utf8", offset + 4, offset + 4 + len) : undefined;
  }
  return undefined;
}

/** An input's `parameters.binary_data_size`: undefined when it has none, null when it is not a byte count. */
function binarySizeOf(parameters: unknown): number | undefined | null {
  if (typeof parameters !== "object" || parameters === null) return undefined;
  const size = (parameters as Record<string, unknown>).binary_data_size;
  if (size === undefined) return undefined;
  return typeof size === "number" && Number.isSafeInteger(size) && size >= 0 ? size : null;
}

/** A tensor's raw bytes as the extension encodes them, and its datatype. */
export function encodeTensor(t: OutputTensor): { datatype: string; bytes: Buffer } {
  const data = t.data;
  const datatype = DATATYPE_OF[t.type] ?? t.type.toUpperCase();
  if (Array.isArray(data)) {
    const parts: Buffer[] = [];
    for (const v of data) {
      const s = Buffer.from(typeof v === "string" ? v : String(v), "utf8");
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(s.length, 0);
      parts.push(len, s);
    }
    return { datatype: "BYTES", bytes: Buffer.concat(parts) };
  }
  if (ArrayBuffer.isView(data)) {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (LITTLE_ENDIAN) return { datatype, bytes };
    const copy = Buffer.from(bytes);
    const width = (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (width === 2) copy.swap16();
    else if (width === 4) copy.swap32();
    else if (width === 8) copy.swap64();
    return { datatype, bytes: copy };
  }
  return { datatype, bytes: Buffer.alloc(0) };
}

/**
 * The infer response with `binary` outputs as binary data (the others as
 * JSON `data`), as one body: the JSON, then the outputs' bytes.
 */
export function binaryInferResponse(
  model: { name: string; version: number },
  id: string,
  names: readonly string[],
  results: Record<string, OutputTensor | undefined>,
  schema: ModelSchema,
  binary: ReadonlySet<string>,
): RawBody {
  const outputs = [];
  const chunks: Buffer[] = [];
  for (const name of names) {
    const t = results[name];
    if (!t) continue;
    if (binary.has(name)) {
      const { datatype, bytes } = encodeTensor(t);
      outputs.push({ name, datatype, shape: [...t.dims], parameters: { binary_data_size: bytes.length } });
      chunks.push(bytes);
    } else {
      outputs.push({
        name,
        datatype: schema.outputDatatypes.get(name) ?? DATATYPE_OF[t.type] ?? t.type.toUpperCase(),
        shape: [...t.dims],
        data: tensorValues(t),
      });
    }
  }
  const header = Buffer.from(JSON.stringify({ model_name: model.name, model_version: String(model.version), id, outputs }), "utf8");
  return new RawBody(Buffer.concat([header, ...chunks]), "application/octet-stream", { [HEADER_LENGTH]: header.length });
}
