/**
 * A pipeline as a file: export a spec as canonical JSON text and import it
 * back with every problem reported the way the canvas reports it. Pure (no
 * DOM, no React, no Node): the editor and the `conveyor` CLI (cli/) read and
 * write the files, this decides what the text is and what an import means,
 * so a pipeline pulled by the CLI has the bytes the canvas exports.
 *
 * What an import may load. A file is refused (`ok: false`) when the canvas
 * could not show it or let you fix it there:
 *   - "json":  not JSON (reported with line and column);
 *   - "shape": not a `conveyor/v1` pipeline spec (wrong apiVersion, missing
 *              name or nodes, malformed ids, positions, edges, params…);
 *   - "graph": a graph the canvas cannot draw: two nodes, notes or edges
 *              with one id, or an edge whose end is not a node or names a
 *              port the node type does not have (React Flow would drop it
 *              silently, leaving an edge nobody can see or delete).
 * Everything else loads (`ok: true`) as a draft, with `problems` exactly as
 * the canvas will show them (`compile()`'s errors by node and field: config
 * fields, unknown node types, type mismatches, unconnected inputs, cycles).
 * Saving such a draft is allowed; running it is not until `problems` is
 * empty. The spec comes back as the file wrote it (no defaults filled in),
 * so export → import gives back the same spec.
 */
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { z } from "zod";
import { compile } from "./compile";
import { resolveNodeType } from "../nodes/registry";
import { ZPipelineSpec, type PipelineSpecInput, type SpecError } from "../spec/spec";
import { toText } from "../../contract/text";

export const SPEC_API_VERSION = "conveyor/v1";
export const SPEC_FILE_SUFFIX = ".pipeline.json";
/** For `<input type="file" accept>`. */
export const SPEC_FILE_ACCEPT = ".json,application/json";

export type ImportRefusal = "json" | "shape" | "graph";

export type ImportResult =
  /** Loadable onto the canvas; `problems` empty means it is also valid to run. */
  | { ok: true; spec: PipelineSpecInput; problems: SpecError[] }
  /** Not loadable; `errors` say why, by node and field where there is one. */
  | { ok: false; reason: ImportRefusal; errors: SpecError[] };

// ---------------------------------------------------------------------------
// Export

type Schema = z.core.$ZodType;
type LooseDef = { type: string } & Record<string, unknown>;
const defOf = (s: Schema) => s._zod.def as unknown as LooseDef;

/** The object schema a value is checked against, looking through optional/default/pipe/union/lazy. */
function objectShape(schema: Schema | undefined, value: unknown, depth = 0): Record<string, Schema> | undefined {
  if (!schema || depth > 20) return undefined;
  const def = defOf(schema);
  switch (def.type) {
    case "object":
      return def.shape as Record<string, Schema>;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return objectShape(def.innerType as Schema, value, depth + 1);
    case "pipe":
      return objectShape(def.in as Schema, value, depth + 1);
    case "lazy":
      return objectShape((def.getter as () => Schema)(), value, depth + 1);
    case "union": {
      const options = def.options as Schema[];
      const match = options.find((o) => z.safeParse(o, value).success);
      return match ? objectShape(match, value, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

/** The element/value schema of an array or record schema. */
function itemSchema(schema: Schema | undefined, depth = 0): Schema | undefined {
  if (!schema || depth > 20) return undefined;
  const def = defOf(schema);
  if (def.type === "array") return def.element as Schema;
  if (def.type === "record") return def.valueType as Schema;
  if (["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch"].includes(def.type))
    return itemSchema(def.innerType as Schema, depth + 1);
  if (def.type === "pipe") return itemSchema(def.in as Schema, depth + 1);
  if (def.type === "lazy") return itemSchema((def.getter as () => Schema)(), depth + 1);
  return undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A copy of `value` with object keys in the schema's declared order, keys
 * the schema does not know after them in their own order. Nothing is added,
 * dropped or converted: only the order changes.
 */
function ordered(value: unknown, schema: Schema | undefined): unknown {
  if (Array.isArray(value)) {
    const item = itemSchema(schema);
    return value.map((v) => ordered(v, item));
  }
  if (!isPlainObject(value)) return value;
  const shape = objectShape(schema, value);
  if (!shape) {
    const item = itemSchema(schema); // records: values share one schema
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ordered(v, item)]));
  }
  const known = Object.keys(shape).filter((k) => Object.hasOwn(value, k));
  const rest = Object.keys(value).filter((k) => !Object.hasOwn(shape, k));
  // Object.fromEntries defines own properties, so even a "__proto__" key stays data.
  return Object.fromEntries([...known, ...rest].map((k) => [k, ordered(value[k], Object.hasOwn(shape, k) ? shape[k] : undefined)]));
}

/** The spec in canonical order: the spec schema's, and each node's config in its node type's. */
export function canonicalSpec(spec: PipelineSpecInput): PipelineSpecInput {
  const out = ordered(spec, ZPipelineSpec) as PipelineSpecInput;
  if (Array.isArray(out.nodes)) {
    out.nodes = out.nodes.map((n) => {
      if (!isPlainObject(n) || !isPlainObject(n.config)) return n;
      const def = resolveNodeType(String(n.type), typeof n.version === "number" ? n.version : undefined);
      return def ? { ...n, config: ordered(n.config, def.config) as Record<string, unknown> } : n;
    });
  }
  return out;
}

/**
 * The spec as a file: 2-space JSON with a trailing newline, keys in the
 * spec's own order (apiVersion, name, description, params, nodes, edges,
 * triggers, notes; id, type, label, config, position; config fields in the
 * order the node type declares them) whatever order the object has them in,
 * so the same pipeline always gives the same bytes and diffs stay small.
 * Exactly what the spec holds: no defaults filled in, nothing dropped.
 */
export function exportSpec(spec: PipelineSpecInput): string {
  return `${JSON.stringify(canonicalSpec(spec), null, 2)}\n`;
}

/** `Boston house prices` → `boston-house-prices.pipeline.json`. */
export function specFileName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return `${slug || "pipeline"}${SPEC_FILE_SUFFIX}`;
}

// ---------------------------------------------------------------------------
// JSON syntax errors with line and column

export interface JsonSyntaxError {
  /** 0-based offset in the text (UTF-16 code units). */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors show). */
  column: number;
  message: string;
}

/** jsonc-parser (VS Code's JSON parser) held to plain JSON: what `JSON.parse` accepts. */
const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** Each jsonc-parser error code in words (after `line …, column …: `). */
const PHRASES: Record<ReturnType<typeof printParseErrorCode>, string> = {
  InvalidSymbol: "unexpected symbol",
  InvalidNumberFormat: "not a valid number",
  PropertyNameExpected: "a property name in double quotes was expected",
  ValueExpected: "a value was expected",
  ColonExpected: '":" was expected after the property name',
  CommaExpected: "a comma was expected",
  CloseBraceExpected: '"}" was expected',
  CloseBracketExpected: '"]" was expected',
  EndOfFileExpected: "unexpected text after the end of the JSON value (a file holds one value)",
  InvalidCommentToken: "comments are not allowed in JSON",
  UnexpectedEndOfComment: "comments are not allowed in JSON",
  UnexpectedEndOfString: "unterminated string (it starts here)",
  UnexpectedEndOfNumber: "a digit was expected to finish the number",
  InvalidUnicode: "bad Unicode escape in string (expected 4 hex digits)",
  InvalidEscapeCharacter: "bad escape in string",
  InvalidCharacter: "control character in string (write line breaks and tabs as \\n and \\t)",
  "<unknown ParseErrorCode>": "not valid JSON",
};

const NOT_JSON_VALUES = ["NaN", "Infinity", "-Infinity", "undefined"];

/** A string token's longest valid prefix: where in the string jsonc-parser's string errors are. */
const STRING_PREFIX = /"(?:[^"\\\u0000-\u001f]+|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*/y;

/** A token for a message: quoted, invisible characters escaped. */
function show(token: string): string {
  const t = token.replace(/(?! )[\p{C}\p{Z}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`);
  return t.includes('"') ? `'${t}'` : `"${t}"`;
}

function located(text: string, offset: number, message: string): JsonSyntaxError {
  const lines = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { offset, line: lines.length, column: lines.at(-1)!.length + 1, message };
}

/** jsonc-parser's error in words, with the hints people need most. */
function explain(text: string, { error, offset, length }: ParseError, next?: ParseError): JsonSyntaxError {
  const code = printParseErrorCode(error);
  switch (code) {
    case "InvalidSymbol": {
      const word = /^-?\w+/.exec(text.slice(offset, offset + 24))?.[0];
      const token = word && NOT_JSON_VALUES.includes(word) ? word : text.slice(offset, offset + Math.min(length, 24));
      const then =
        next && ["ValueExpected", "PropertyNameExpected"].includes(printParseErrorCode(next.error)) ? `, ${PHRASES[printParseErrorCode(next.error)]}` : "";
      const hint = NOT_JSON_VALUES.includes(token) ? ` (${token} is not a JSON value)` : token.startsWith("'") ? " (strings use double quotes)" : "";
      return located(text, offset, `unexpected ${show(token)}${then}${hint}`);
    }
    case "UnexpectedEndOfString":
    case "InvalidCharacter":
    case "InvalidEscapeCharacter":
    case "InvalidUnicode": {
      // jsonc-parser places these at the string's opening quote; point at the character instead.
      STRING_PREFIX.lastIndex = offset;
      const end = offset + (STRING_PREFIX.exec(text)?.[0].length ?? 0);
      const c = text.charCodeAt(end);
      if (c === 0x5c && end + 1 < text.length && text.charCodeAt(end + 1) >= 0x20) {
        const escape = /^\\u[0-9A-Fa-f]{0,3}/.exec(text.slice(end, end + 6))?.[0] ?? `\\${String.fromCodePoint(text.codePointAt(end + 1)!)}`;
        return located(
          text,
          end,
          escape.startsWith("\\u") ? `bad Unicode escape ${show(escape)} in string (expected 4 hex digits)` : `bad escape ${show(escape)} in string`,
        );
      }
      if (c < 0x20) return located(text, end, PHRASES.InvalidCharacter);
      if (c === 0x5c && end + 1 < text.length) return located(text, end + 1, PHRASES.InvalidCharacter);
      return located(text, offset, PHRASES.UnexpectedEndOfString); // the text ends inside it
    }
    case "UnexpectedEndOfNumber":
      return located(text, offset + length, PHRASES[code]);
    case "CommaExpected":
    case "EndOfFileExpected":
      // `012` scans as the numbers 0 and 12.
      if (text[offset - 1] === "0" && /\d/.test(text[offset] ?? "")) return located(text, offset, "numbers cannot have leading zeros");
      break;
    case "PropertyNameExpected":
    case "ValueExpected":
      if (/^[}\]]/.test(text.slice(offset, offset + 1)) && text.slice(0, offset).trimEnd().endsWith(",")) {
        return located(text, offset, `unexpected "${text[offset]}" after ",": trailing commas are not allowed in JSON`);
      }
      break;
  }
  return located(text, offset, `${offset >= text.length ? "unexpected end of file, " : ""}${PHRASES[code]}`);
}

/**
 * Where and why `JSON.parse` rejected `text`. jsonc-parser finds the place
 * (browsers word and place `JSON.parse`'s errors differently, some give no
 * position at all); should it find nothing where `JSON.parse` did, the
 * position in the engine's message, if any, is used.
 */
function jsonSyntaxError(text: string, thrown: unknown): JsonSyntaxError {
  try {
    const errors: ParseError[] = [];
    parse(text, errors, STRICT_JSON);
    if (errors[0]) return explain(text, errors[0], errors[1]);
  } catch {
    // jsonc-parser descends recursively: a few thousand levels of nesting overflow the stack.
  }
  const message = (thrown instanceof Error ? thrown.message : String(thrown)).split(/\r?\n/)[0] ?? "";
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset = position ? Math.min(Number(position), text.length) : /end of (JSON )?(input|data)/i.test(message) ? text.length : 0;
  return located(text, offset, `not valid JSON (${message})`);
}

/** The first syntax error in `text`, or null when `JSON.parse` accepts it (which decides). */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return jsonSyntaxError(text, e);
  }
}

// ---------------------------------------------------------------------------
// Import

function describeJsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Problems that keep a structurally valid spec off the canvas (see the module comment). */
function graphErrors(spec: z.infer<typeof ZPipelineSpec>): SpecError[] {
  const errors: SpecError[] = [];
  const nodeIds = new Set<string>();
  for (const node of spec.nodes) {
    if (nodeIds.has(node.id)) errors.push({ nodeId: node.id, field: "id", message: `node id "${node.id}" is used more than once` });
    nodeIds.add(node.id);
  }
  const noteIds = new Set<string>();
  for (const note of spec.notes) {
    if (nodeIds.has(note.id) || noteIds.has(note.id))
      errors.push({ nodeId: null, field: "notes", message: `note id "${note.id}" is already used by another node or note` });
    noteIds.add(note.id);
  }
  const typeOf = new Map(spec.nodes.map((n) => [n.id, n]));
  const edgeIds = new Set<string>();
  for (const edge of spec.edges) {
    if (edgeIds.has(edge.id))
      errors.push({ nodeId: nodeIds.has(edge.target) ? edge.target : null, field: "edges", message: `edge id "${edge.id}" is used more than once` });
    edgeIds.add(edge.id);
    const ends: [string, "source" | "target"][] = [
      [edge.source, "source"],
      [edge.target, "target"],
    ];
    for (const [id, end] of ends) {
      const other = end === "source" ? edge.target : edge.source;
      const at: Pick<SpecError, "nodeId" | "field"> =
        end === "source"
          ? { nodeId: nodeIds.has(other) ? other : null, field: `inputs.${edge.targetPort}` }
          : { nodeId: nodeIds.has(other) ? other : null, field: `outputs.${edge.sourcePort}` };
      if (noteIds.has(id) && !nodeIds.has(id)) {
        errors.push({ ...at, message: `edge "${edge.id}" ${end === "source" ? "comes from" : "goes to"} note "${id}"; notes have no ports` });
      } else if (!nodeIds.has(id)) {
        errors.push({ ...at, message: `edge "${edge.id}" ${end === "source" ? "comes from" : "goes to"} unknown node "${id}"` });
      } else {
        const def = resolveNodeType(typeOf.get(id)!.type, typeOf.get(id)!.version);
        const ports = end === "source" ? def?.outputs : def?.inputs;
        const port = end === "source" ? edge.sourcePort : edge.targetPort;
        if (def && ports && !ports.some((p) => p.name === port)) {
          errors.push({
            nodeId: id,
            field: `${end === "source" ? "outputs" : "inputs"}.${port}`,
            message: `${def.type} has no ${end === "source" ? "output" : "input"} "${port}"; it has ${ports.map((p) => p.name).join(", ") || "none"}`,
          });
        }
      }
    }
  }
  return errors;
}

/** Reads a pipeline file (see the module comment for what loads and what is refused). */
export function importSpec(text: string): ImportResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM some editors write
  if (body.trim() === "") return { ok: false, reason: "json", errors: [{ nodeId: null, field: null, message: "the file is empty" }] };

  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (e) {
    const at = jsonSyntaxError(body, e);
    return { ok: false, reason: "json", errors: [{ nodeId: null, field: null, message: `line ${at.line}, column ${at.column}: ${at.message}` }] };
  }

  if (!isPlainObject(raw)) {
    return {
      ok: false,
      reason: "shape",
      errors: [
        {
          nodeId: null,
          field: null,
          message: `expected a pipeline spec (a JSON object with apiVersion "${SPEC_API_VERSION}", name and nodes), but the file holds ${describeJsonType(raw)}`,
        },
      ],
    };
  }
  if (raw.apiVersion !== SPEC_API_VERSION) {
    const message =
      raw.apiVersion === undefined
        ? `apiVersion is missing: a Conveyor pipeline spec has "apiVersion": "${SPEC_API_VERSION}"`
        : `apiVersion must be "${SPEC_API_VERSION}", but the file has ${JSON.stringify(raw.apiVersion)?.slice(0, 80) ?? toText(raw.apiVersion)}`;
    return { ok: false, reason: "shape", errors: [{ nodeId: null, field: "apiVersion", message }] };
  }

  const parsed = ZPipelineSpec.safeParse(raw);
  if (!parsed.success) {
    const compiled = compile(raw); // the same schema errors, attributed to nodes as everywhere else
    return { ok: false, reason: "shape", errors: compiled.ok ? [] : compiled.errors };
  }
  // Only what keeps it off the canvas; the rest is listed once it is loaded.
  const graph = graphErrors(parsed.data);
  if (graph.length) return { ok: false, reason: "graph", errors: graph };
  const compiled = compile(raw);
  return { ok: true, spec: raw as PipelineSpecInput, problems: compiled.ok ? [] : compiled.errors };
}
