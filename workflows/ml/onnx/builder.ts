/**
 * A small ONNX graph builder. Trainers describe their inference graph with
 * these helpers; `serialize()` produces deterministic ONNX bytes (the same
 * graph always encodes to the same bytes: no timestamps, fixed field order).
 */
import protobuf from "protobufjs";
import { ONNX_PROTO } from "./onnx-proto";

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

let root: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType("onnx.ModelProto");
}

const utf8 = new TextEncoder();

export interface Tensor {
  name: string;
  dims: number[];
  data_type: number;
  float_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  string_data?: Uint8Array[];
}

export type AttrValue =
  | { kind: "float"; value: number }
  | { kind: "int"; value: number }
  | { kind: "string"; value: string }
  | { kind: "floats"; value: ArrayLike<number> }
  | { kind: "ints"; value: ArrayLike<number> }
  | { kind: "strings"; value: string[] }
  | { kind: "tensor"; value: Tensor };

/** Shorthands for node attributes. */
export const attr = {
  f: (value: number): AttrValue => ({ kind: "float", value }),
  i: (value: number): AttrValue => ({ kind: "int", value }),
  s: (value: string): AttrValue => ({ kind: "string", value }),
  floats: (value: ArrayLike<number>): AttrValue => ({ kind: "floats", value }),
  ints: (value: ArrayLike<number>): AttrValue => ({ kind: "ints", value }),
  strings: (value: string[]): AttrValue => ({ kind: "strings", value }),
  tensor: (value: Tensor): AttrValue => ({ kind: "tensor", value }),
};

function encodeAttr(name: string, a: AttrValue): Record<string, unknown> {
  switch (a.kind) {
    case "float":
      return { name, type: AttrType.FLOAT, f: a.value };
    case "int":
      return { name, type: AttrType.INT, i: a.value };
    case "string":
      return { name, type: AttrType.STRING, s: utf8.encode(a.value) };
    case "floats":
      return { name, type: AttrType.FLOATS, floats: Array.from(a.value) };
    case "ints":
      return { name, type: AttrType.INTS, ints: Array.from(a.value) };
    case "strings":
      return { name, type: AttrType.STRINGS, strings: a.value.map((s) => utf8.encode(s)) };
    case "tensor":
      return { name, type: AttrType.TENSOR, t: a.value };
  }
}

export interface IOSpec {
  name: string;
  type: DataTypeCode;
  /** Use -1 (or a string) for a dynamic dimension. */
  shape: Array<number | string>;
}

function valueInfo(io: IOSpec) {
  return {
    name: io.name,
    type: {
      tensor_type: {
        elem_type: io.type,
        shape: { dim: io.shape.map((d) => (typeof d === "string" || d < 0 ? { dim_param: typeof d === "string" ? d : "N" } : { dim_value: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private nodes: Record<string, unknown>[] = [];
  private initializers: Tensor[] = [];
  private counter = 0;
  readonly inputs: IOSpec[] = [];
  readonly outputs: IOSpec[] = [];
  private opsets = new Map<string, number>([["", 19]]);

  constructor(readonly name: string) {}

  /** A fresh intermediate tensor name. */
  tmp(hint = "t"): string {
    return `${hint}_${this.counter++}`;
  }

  input(io: IOSpec): string {
    this.inputs.push(io);
    return io.name;
  }

  output(io: IOSpec): void {
    this.outputs.push(io);
  }

  useOpset(domain: string, version: number): void {
    this.opsets.set(domain, version);
  }

  floatConst(values: ArrayLike<number>, dims: number[], hint = "c"): string {
    const name = this.tmp(hint);
    this.initializers.push({ name, dims, data_type: DataType.FLOAT, float_data: Array.from(values, Math.fround) });
    return name;
  }

  int64Const(values: ArrayLike<number>, dims: number[], hint = "c"): string {
    const name = this.tmp(hint);
    this.initializers.push({ name, dims, data_type: DataType.INT64, int64_data: Array.from(values) });
    return name;
  }

  stringConst(values: string[], dims: number[], hint = "c"): string {
    const name = this.tmp(hint);
    this.initializers.push({ name, dims, data_type: DataType.STRING, string_data: values.map((v) => utf8.encode(v)) });
    return name;
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  node(opType: string, inputs: string[], opts: { outputs?: string[] | number; attrs?: Record<string, AttrValue>; domain?: string } = {}): string[] {
    const outputs = Array.isArray(opts.outputs) ? opts.outputs : Array.from({ length: opts.outputs ?? 1 }, () => this.tmp(opType.toLowerCase()));
    this.nodes.push({
      op_type: opType,
      name: `${opType}_${this.nodes.length}`,
      input: inputs,
      output: outputs,
      domain: opts.domain ?? "",
      attribute: Object.entries(opts.attrs ?? {}).map(([k, v]) => encodeAttr(k, v)),
    });
    return outputs;
  }

  /** Single-output convenience over `node`. */
  op(opType: string, inputs: string[], attrs?: Record<string, AttrValue>, domain?: string): string {
    return this.node(opType, inputs, { attrs, domain })[0]!;
  }

  serialize(meta: { producerVersion: string; docString?: string; metadata?: Record<string, string> }): Uint8Array {
    const T = modelType();
    const msg = T.fromObject({
      ir_version: 8,
      producer_name: "conveyor",
      producer_version: meta.producerVersion,
      doc_string: meta.docString ?? "",
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
      opset_import: [...this.opsets].map(([domain, version]) => ({ domain, version })),
      metadata_props: Object.entries(meta.metadata ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => ({ key, value })),
    });
    return T.encode(msg).finish();
  }
}
