/**
 * compile(spec) → plan: a pure function. Every problem is reported at once,
 * each naming the node and the field, in words a person understands.
 */
import { checkTrigger } from "../triggers/registry";
import { z } from "zod";
import { ZPipelineSpec, type PipelineSpec, type SpecError } from "../spec/spec";
import { nodeTypeVersions, splitTypeRef } from "../nodes/registry";
import type { ColumnContext, Columns, FormHints, NeighbourNode, NodeDefinition, NodeNeighbourhood } from "../nodes/types";
import type { PipelinePlan, PlanStep } from "./plan";
import { columnProblems, validFields } from "./columns";

export type CompileResult = { ok: true; plan: PipelinePlan; spec: PipelineSpec } | { ok: false; errors: SpecError[] };

export interface CompileOptions {
  /** The run's param values (declared defaults fill the rest). */
  params?: Record<string, unknown>;
  /**
   * Columns of an uploaded dataset source (`dataset:<name>[@<version>]`,
   * `dataset:<id>`) when the caller knows them: column fields downstream are
   * then checked against them. Bundled samples' columns are always known.
   */
  datasets?: (source: string) => Columns | undefined;
}

/** What the editor shows about a node besides its problems. */
export interface NodeInsight {
  /** Columns of the dataset coming into each dataset input, when known before a run. */
  inputColumns: Record<string, Columns | undefined>;
  /** What its form offers given the nodes around it (NodeDefinition.formHints). */
  hints: FormHints;
}

type ParamValue = string | number | boolean;

const PARAM_REF = /\$\{params\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

function pathToField(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

/** Structural errors from the spec schema, attributed to nodes where possible. */
function schemaErrors(input: unknown, error: z.ZodError): SpecError[] {
  const nodes = (input as { nodes?: unknown })?.nodes;
  return error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    if (head === "nodes" && typeof index === "number" && Array.isArray(nodes)) {
      const id = (nodes[index] as { id?: unknown } | undefined)?.id;
      return { nodeId: typeof id === "string" ? id : null, field: rest.length ? pathToField(rest) : `nodes[${index}]`, message: issue.message };
    }
    return { nodeId: null, field: issue.path.length ? pathToField(issue.path) : null, message: issue.message };
  });
}

function substitute(value: unknown, params: Record<string, ParamValue>, missing: Set<string>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{params\.([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    if (whole) {
      const v = params[whole[1]!];
      if (v === undefined) missing.add(whole[1]!);
      return v ?? value;
    }
    return value.replace(PARAM_REF, (m, name: string) => {
      const v = params[name];
      if (v === undefined) missing.add(name);
      return v === undefined ? m : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, params, missing));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, params, missing)]));
  }
  return value;
}

/**
 * The definition a spec node names: `version` (or a `type@N` reference) pins
 * one; neither means the newest version of the type.
 */
function resolveVersion(node: { type: string; version?: number }): { def: NodeDefinition } | { error: Omit<SpecError, "nodeId"> } {
  const [name, ref] = splitTypeRef(node.type);
  const versions = nodeTypeVersions(name);
  if (!versions.length || Number.isNaN(ref)) return { error: { field: "type", message: `unknown node type "${node.type}"` } };
  if (ref !== undefined && node.version !== undefined && ref !== node.version) {
    return { error: { field: "version", message: `type "${node.type}" names version ${ref} but version is ${node.version}; give one of them` } };
  }
  const want = node.version ?? ref;
  const def = want === undefined ? versions.at(-1) : versions.find((d) => d.version === want);
  if (!def)
    return {
      error: {
        field: node.version !== undefined ? "version" : "type",
        message: `${name} has no version ${want}; versions: ${versions.map((d) => d.version).join(", ")}`,
      },
    };
  return { def };
}

export function compile(input: unknown, opts: CompileOptions = {}): CompileResult {
  return analyse(input, opts, false).result;
}

function analyse(input: unknown, opts: CompileOptions, inspect: boolean): { result: CompileResult; insights: Map<string, NodeInsight> } {
  const insights = new Map<string, NodeInsight>();
  const parsed = ZPipelineSpec.safeParse(input);
  if (!parsed.success) return { result: { ok: false, errors: schemaErrors(input, parsed.error) }, insights };
  const spec = parsed.data;
  const errors: SpecError[] = [];

  // Params: declared defaults overlaid with the run's values.
  const params: Record<string, ParamValue> = {};
  const declared = new Map(spec.params.map((p) => [p.name, p]));
  for (const p of spec.params) if (p.default !== undefined) params[p.name] = p.default;
  const checkParams = (values: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(values)) {
      const decl = declared.get(name);
      if (!decl) {
        errors.push({ nodeId: null, field: `${prefix}${name}`, message: `unknown param "${name}"; declared: ${[...declared.keys()].join(", ") || "none"}` });
      } else if (typeof value !== decl.type) {
        errors.push({ nodeId: null, field: `${prefix}${name}`, message: `param "${name}" must be a ${decl.type}` });
      } else if (prefix === "params.") {
        params[name] = value as ParamValue;
      }
    }
  };
  checkParams(opts.params ?? {}, "params.");

  // Triggers: what the schema cannot check (cron, time zone), and a schedule's params.
  spec.triggers.forEach((t, i) => {
    for (const p of checkTrigger(t, i)) errors.push({ nodeId: null, field: p.path, message: `trigger ${i + 1} (${t.type}): ${p.message}` });
    if (t.type === "schedule") checkParams(t.params, `triggers[${i}].params.`);
  });

  if (spec.nodes.length === 0) errors.push({ nodeId: null, field: "nodes", message: "the pipeline has no nodes; add at least one" });

  const defs = new Map<string, NodeDefinition>();
  const configs = new Map<string, Record<string, unknown>>();
  /** Configs after param substitution (nodes whose params all have values). */
  const raws = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();
  for (const node of spec.nodes) {
    if (seen.has(node.id)) {
      errors.push({ nodeId: node.id, field: "id", message: `node id "${node.id}" is used more than once` });
      continue;
    }
    seen.add(node.id);
    const resolved = resolveVersion(node);
    if ("error" in resolved) {
      errors.push({ nodeId: node.id, ...resolved.error });
      continue;
    }
    const def = resolved.def;
    defs.set(node.id, def);
    const missing = new Set<string>();
    const raw = substitute(node.config, params, missing);
    for (const name of missing) {
      errors.push({
        nodeId: node.id,
        field: "config",
        message: declared.has(name) ? `param "${name}" has no value: give it a default or pass it when running` : `refers to undeclared param "${name}"`,
      });
    }
    if (missing.size) continue; // the param error says it all
    if (raw && typeof raw === "object") raws.set(node.id, raw as Record<string, unknown>);
    const cfg = def.config.safeParse(raw);
    if (!cfg.success) {
      for (const issue of cfg.error.issues) {
        const isUnknownKey = issue.code === "unrecognized_keys";
        const field = isUnknownKey ? `config.${issue.keys[0]}` : `config${issue.path.length ? "." + pathToField(issue.path) : ""}`;
        const message = isUnknownKey
          ? `unknown config field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} for ${def.type}`
          : issue.message;
        errors.push({ nodeId: node.id, field, message });
      }
    } else {
      configs.set(node.id, cfg.data as Record<string, unknown>);
    }
  }

  // Notes share the canvas with nodes, so their ids must not collide with any.
  const noteIds = new Set<string>();
  for (const note of spec.notes) {
    if (seen.has(note.id) || noteIds.has(note.id))
      errors.push({ nodeId: null, field: "notes", message: `note id "${note.id}" is already used by another node or note` });
    noteIds.add(note.id);
  }

  // Edges: endpoints exist, ports exist, types match, one edge per input port.
  const inputs = new Map<string, Record<string, { nodeId: string; port: string }>>();
  const edgeIds = new Set<string>();
  // Input ports some edge points at, valid or not: no "not connected" error for them.
  const attempted = new Set<string>();
  for (const edge of spec.edges) {
    attempted.add(`${edge.target}\u0000${edge.targetPort}`);
    if (edgeIds.has(edge.id)) errors.push({ nodeId: edge.target, field: "edges", message: `edge id "${edge.id}" is used more than once` });
    edgeIds.add(edge.id);
    if (!seen.has(edge.source)) {
      errors.push({
        nodeId: seen.has(edge.target) ? edge.target : null,
        field: `inputs.${edge.targetPort}`,
        message: `edge "${edge.id}" comes from unknown node "${edge.source}"`,
      });
      continue;
    }
    if (!seen.has(edge.target)) {
      errors.push({ nodeId: edge.source, field: `outputs.${edge.sourcePort}`, message: `edge "${edge.id}" goes to unknown node "${edge.target}"` });
      continue;
    }
    const src = defs.get(edge.source);
    const dst = defs.get(edge.target);
    if (!src || !dst) continue; // unknown type already reported
    const out = src.outputs.find((p) => p.name === edge.sourcePort);
    if (!out) {
      errors.push({
        nodeId: edge.source,
        field: `outputs.${edge.sourcePort}`,
        message: `${src.type} has no output "${edge.sourcePort}"; it has ${src.outputs.map((p) => p.name).join(", ") || "none"}`,
      });
      continue;
    }
    const inp = dst.inputs.find((p) => p.name === edge.targetPort);
    if (!inp) {
      errors.push({
        nodeId: edge.target,
        field: `inputs.${edge.targetPort}`,
        message: `${dst.type} has no input "${edge.targetPort}"; it has ${dst.inputs.map((p) => p.name).join(", ") || "none"}`,
      });
      continue;
    }
    if (out.type !== inp.type) {
      errors.push({
        nodeId: edge.target,
        field: `inputs.${edge.targetPort}`,
        message: `${edge.target}.${inp.name} needs a ${inp.type}, but ${edge.source}.${out.name} is a ${out.type}: ${out.type} cannot feed ${inp.type}`,
      });
      continue;
    }
    const slots = inputs.get(edge.target) ?? {};
    if (slots[edge.targetPort]) {
      errors.push({ nodeId: edge.target, field: `inputs.${edge.targetPort}`, message: `input "${edge.targetPort}" already has a connection; it takes one` });
      continue;
    }
    slots[edge.targetPort] = { nodeId: edge.source, port: edge.sourcePort };
    inputs.set(edge.target, slots);
  }

  for (const [nodeId, def] of defs) {
    const slots = inputs.get(nodeId) ?? {};
    for (const port of def.inputs) {
      if (port.required !== false && !slots[port.name] && !attempted.has(`${nodeId}\u0000${port.name}`)) {
        errors.push({ nodeId, field: `inputs.${port.name}`, message: `input "${port.name}" is not connected: connect a ${port.type} output to it` });
      }
    }
  }

  // Columns known before a run, flowing along dataset edges (NodeDefinition.outputColumns).
  const valid = new Map<string, Record<string, unknown>>();
  const validOf = (nodeId: string): Record<string, unknown> => {
    let v = configs.get(nodeId) ?? valid.get(nodeId);
    if (!v) {
      const def = defs.get(nodeId);
      const raw = raws.get(nodeId);
      v = def && raw ? validFields(def, raw) : {};
      valid.set(nodeId, v);
    }
    return v;
  };
  const outputColumns = new Map<string, Record<string, Columns | undefined>>();
  const computing = new Set<string>();
  const columnsOut = (nodeId: string): Record<string, Columns | undefined> => {
    const known = outputColumns.get(nodeId);
    if (known) return known;
    const def = defs.get(nodeId);
    if (!def?.outputColumns || computing.has(nodeId)) return {}; // unknown (or a cycle, reported below)
    computing.add(nodeId);
    const ctx: ColumnContext = { ...around(nodeId, "lenient"), dataset: (source) => opts.datasets?.(source) };
    const out = def.outputColumns(validOf(nodeId), ctx);
    computing.delete(nodeId);
    outputColumns.set(nodeId, out);
    return out;
  };
  const columnsInto = (nodeId: string, port: string): Columns | undefined => {
    const src = inputs.get(nodeId)?.[port];
    return src ? columnsOut(src.nodeId)[src.port] : undefined;
  };

  // The neighbourhood a node's hooks see: `strict` shows only nodes whose whole config is valid (checks), `lenient` every node with its valid fields (columns, form hints).
  function neighbour(nodeId: string, mode: "strict" | "lenient"): NeighbourNode | undefined {
    const def = defs.get(nodeId);
    const config = mode === "strict" ? configs.get(nodeId) : validOf(nodeId);
    if (!def || !config) return undefined;
    return { nodeId, type: def.type, version: def.version, config, input: (port) => feeding(nodeId, port, mode) };
  }
  function feeding(nodeId: string, port: string, mode: "strict" | "lenient") {
    const src = inputs.get(nodeId)?.[port];
    return src ? neighbour(src.nodeId, mode) : undefined;
  }
  function around(nodeId: string, mode: "strict" | "lenient"): NodeNeighbourhood {
    return {
      input: (port) => feeding(nodeId, port, mode),
      connected: (port) => attempted.has(`${nodeId}\u0000${port}`),
      columns: (port) => columnsInto(nodeId, port),
    };
  }

  for (const [nodeId, def] of defs) {
    // Column fields name columns of the first dataset input, checked when its columns are known.
    const port = def.inputs.find((p) => p.type === "dataset");
    const columns = port ? columnsInto(nodeId, port.name) : undefined;
    if (columns && raws.has(nodeId)) for (const p of columnProblems(def, validOf(nodeId), columns)) errors.push({ nodeId, ...p });
    // Checks of a node against its neighbours (NodeDefinition.check).
    const config = configs.get(nodeId);
    if (!def.check || !config) continue;
    for (const p of def.check(config, around(nodeId, "strict"))) errors.push({ nodeId, field: p.field, message: p.message });
  }

  if (inspect) {
    for (const [nodeId, def] of defs) {
      const inputColumns = Object.fromEntries(def.inputs.filter((p) => p.type === "dataset").map((p) => [p.name, columnsInto(nodeId, p.name)]));
      insights.set(nodeId, { inputColumns, hints: def.formHints?.(around(nodeId, "lenient"), { name: spec.name }) ?? {} });
    }
  }

  // Topological order (Kahn, stable by spec order); leftovers are cycles.
  const order: string[] = [];
  const indegree = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of seen) indegree.set(id, 0);
  for (const [target, slots] of inputs) {
    const parents = new Set(Object.values(slots).map((s) => s.nodeId));
    indegree.set(target, parents.size);
    for (const p of parents) {
      const list = children.get(p);
      if (list) list.push(target);
      else children.set(p, [target]);
    }
  }
  const ready = [...seen].filter((id) => indegree.get(id) === 0);
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]!;
    order.push(id);
    for (const c of children.get(id) ?? []) {
      const d = indegree.get(c)! - 1;
      indegree.set(c, d);
      if (d === 0) ready.push(c);
    }
  }
  if (order.length < seen.size) {
    const ordered = new Set(order);
    const inCycle = [...seen].filter((id) => !ordered.has(id));
    for (const id of inCycle) {
      errors.push({ nodeId: id, field: null, message: `is part of a cycle (${inCycle.join(" → ")}); pipelines must flow one way` });
    }
  }

  if (errors.length) return { result: { ok: false, errors }, insights };

  const byId = new Map(spec.nodes.map((n) => [n.id, n]));
  const position = new Map(order.map((id, i) => [id, i]));
  /** Nodes reachable from `nodeId` along edges, in plan order (what a node's `complete` may read). */
  const downstream = (nodeId: string) => {
    const seenDown = new Set<string>();
    const stack = [...(children.get(nodeId) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seenDown.has(id)) continue;
      seenDown.add(id);
      stack.push(...(children.get(id) ?? []));
    }
    return [...seenDown]
      .sort((a, b) => position.get(a)! - position.get(b)!)
      .map((id) => ({ nodeId: id, type: defs.get(id)!.type, version: defs.get(id)!.version, config: configs.get(id)! }));
  };
  const steps: PlanStep[] = order.map((nodeId) => {
    const def = defs.get(nodeId)!;
    const node = byId.get(nodeId)!;
    const slots = inputs.get(nodeId) ?? {};
    const config = configs.get(nodeId)!;
    return {
      nodeId,
      type: def.type,
      version: def.version,
      label: node.label ?? def.label,
      config: def.complete ? (def.complete(config, { name: spec.name, downstream: downstream(nodeId) }) as Record<string, unknown>) : config,
      inputs: slots,
      dependsOn: [...new Set(Object.values(slots).map((s) => s.nodeId))],
      cacheable: def.cacheable,
      retry: def.retry,
      timeoutSeconds: def.timeoutSeconds,
      ...(def.heavy ? { queue: "heavy" as const } : {}),
    };
  });
  return { result: { ok: true, spec, plan: { apiVersion: "conveyor/v1", name: spec.name, params, steps } }, insights };
}

/** Validation only. */
export function validateSpec(input: unknown, opts?: CompileOptions): SpecError[] {
  const r = compile(input, opts);
  return r.ok ? [] : r.errors;
}

/** The editor's validation: the same problems as compile(), and per node its input columns and form hints. */
export function inspectSpec(input: unknown, opts?: CompileOptions): { errors: SpecError[]; nodes: Map<string, NodeInsight> } {
  const { result, insights } = analyse(input, opts ?? {}, true);
  return { errors: result.ok ? [] : result.errors, nodes: insights };
}
