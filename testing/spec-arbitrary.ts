/**
 * fast-check arbitraries of VALID pipeline specs (test-only: imported by
 * tests, never by product code, so fast-check stays a dev dependency).
 *
 * Graphs are built from the node registry: each node's type is one whose
 * every input port can be fed by an output of an earlier node of the same
 * port type, each input takes exactly one edge, so the graph is a DAG that
 * passes every edge rule of compile(). Configs come from one arbitrary per
 * node type below (a new node type whose empty config is invalid needs an
 * entry; `configArbitrary` says so), optionally using declared params
 * (`${params.x}`) where the type fits. Optional spec fields are sometimes
 * present and sometimes left to their defaults.
 */
import fc from "fast-check";
import { z } from "zod";
import { NODE_DEFINITIONS, latestNodeType, resolveNodeType } from "../workflows/nodes/registry";
import type { NodeDefinition } from "../workflows/nodes/types";
import { REGISTRY_NAME } from "../workflows/nodes/_shared/registry-name";
import { METRIC_INFO, METRIC_NAMES, metricsOf, type MetricName } from "../workflows/spec/metrics";
import { columnKind } from "../workflows/spec/refs";
import { inspectSpec } from "../workflows/compiler/compile";
import { columnFields } from "../workflows/compiler/columns";
import { SAMPLE_NAMES } from "../workflows/spec/samples";
import { NOTE_COLORS, type Param, type PipelineSpecInput } from "../workflows/spec/spec";

type Config = Record<string, unknown>;
type NoteInput = NonNullable<PipelineSpecInput["notes"]>[number];
type ParamInput = { name: string; type?: Param["type"]; default?: string | number | boolean; description?: string };

/** Text as people type it, any script; never a `${params.…}` reference by accident. */
export const textArb = (opts: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: "grapheme", minLength: opts.minLength ?? 0, maxLength: opts.maxLength ?? 24 }).filter((s) => !s.includes("${"));

/** A finite double without -0 (JSON writes -0 as 0). */
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
/** Mostly round numbers, sometimes any double in range: what people write and what sliders produce. */
const num = (min: number, max: number, round: number[]) => fc.oneof(fc.constantFrom(...round.filter((r) => r >= min && r <= max)), finite(min, max));

type NumberSchema = { type?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number };

/**
 * A number field of a node type's config, with the limits its schema declares
 * (read, never repeated here: they are defined once, e.g. in
 * workflows/ml/gbdt/options.ts). `cap` bounds a side the schema leaves open;
 * `round` are values people write, used when in range.
 */
export function numberFieldArb(def: NodeDefinition, field: string, o: { cap?: number; round?: number[] } = {}): fc.Arbitrary<number> {
  const json = z.toJSONSchema(def.config, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, NumberSchema & { anyOf?: NumberSchema[] }>;
  };
  const raw = json.properties?.[field];
  const s = raw?.anyOf?.find((b) => b.type === "number" || b.type === "integer") ?? raw;
  if (!s || (s.type !== "number" && s.type !== "integer")) throw new Error(`${def.type}@${def.version} has no number field "${field}"`);
  const cap = o.cap ?? 1e6;
  const low = s.exclusiveMinimum ?? s.minimum ?? -cap;
  const high = s.exclusiveMaximum ?? s.maximum ?? cap;
  const inRange = (v: number) => (s.exclusiveMinimum !== undefined ? v > low : v >= low) && (s.exclusiveMaximum !== undefined ? v < high : v <= high);
  const round = (o.round ?? []).filter(inRange);
  const any =
    s.type === "integer"
      ? fc.integer({
          min: Math.max(Math.ceil(low + (s.exclusiveMinimum !== undefined ? 1 : 0)), Number.MIN_SAFE_INTEGER),
          max: Math.min(Math.floor(high - (s.exclusiveMaximum !== undefined ? 1 : 0)), Number.MAX_SAFE_INTEGER),
        })
      : fc
          .double({
            min: low,
            max: high,
            minExcluded: s.exclusiveMinimum !== undefined,
            maxExcluded: s.exclusiveMaximum !== undefined,
            noNaN: true,
            noDefaultInfinity: true,
          })
          .map((v) => (Object.is(v, -0) ? 0 : v));
  return round.length ? fc.oneof(fc.constantFrom(...round), any) : any;
}

const columnArb = textArb({ minLength: 1, maxLength: 16 });

/** Params a config may refer to: string params with a default for text fields, integer ones for seeds. */
interface ParamPool {
  strings: string[];
  integers: string[];
}
const refOr = <T>(names: string[], arb: fc.Arbitrary<T>): fc.Arbitrary<T | string> =>
  names.length ? fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => `\${params.${n}}`) }) : arb;

const trainCommon = (p: ParamPool) => ({
  task: fc.constantFrom("regression", "classification"),
  target: refOr(p.strings, columnArb),
  features: fc.uniqueArray(columnArb, { minLength: 1, maxLength: 4 }),
});

const CONFIGS: Record<string, (p: ParamPool, def: NodeDefinition) => fc.Arbitrary<Config>> = {
  "ingest.csv": () =>
    fc.record({
      source: fc.oneof(
        fc.constantFrom(...SAMPLE_NAMES).map((s) => `sample:${s}`),
        fc.uuid().map((u) => `dataset:${u}`),
      ),
    }),
  "feature.split": (p, def) => {
    const testFraction = numberFieldArb(def, "testFraction", { round: [0.1, 0.2, 0.25, 0.5] });
    return fc.oneof(
      fc.record({ strategy: fc.constant("random"), testFraction, seed: refOr(p.integers, numberFieldArb(def, "seed")) }, { requiredKeys: [] }),
      fc.record({ strategy: fc.constant("time"), timeColumn: columnArb, testFraction }, { requiredKeys: ["strategy", "timeColumn"] }),
    );
  },
  "train.linear": (p, def) => fc.record({ ...trainCommon(p), l2: numberFieldArb(def, "l2", { round: [0, 0.1, 1, 10] }) }, { requiredKeys: ["target"] }),
  "train.gbdt": (p, def) => {
    const n = (field: string, o?: { cap?: number; round?: number[] }) => numberFieldArb(def, field, o);
    return fc.record(
      {
        ...trainCommon(p),
        nTrees: n("nTrees"),
        maxDepth: n("maxDepth"),
        learningRate: n("learningRate", { round: [0.05, 0.1, 0.3, 1] }),
        l2: n("l2", { cap: 1e3, round: [0, 1] }),
        minChildWeight: n("minChildWeight", { cap: 100, round: [0, 1] }),
        subsample: n("subsample", { round: [0.5, 0.8, 1] }),
        colsampleByTree: n("colsampleByTree", { round: [0.5, 0.8, 1] }),
        maxBins: n("maxBins"),
        earlyStoppingRounds: n("earlyStoppingRounds", { cap: 1000 }),
        seed: refOr(p.integers, n("seed", { cap: 2 ** 31 })),
      },
      { requiredKeys: ["target"] },
    );
  },
  "evaluate@1": () => fc.constant({}),
  "evaluate@2": () => fc.record({ compareWithChampion: fc.boolean(), registryName: fc.stringMatching(REGISTRY_NAME) }, { requiredKeys: [] }),
  "gate.threshold": () =>
    fc.record({
      conditions: fc.array(
        fc.record({
          metric: fc.constantFrom(...METRIC_NAMES),
          op: fc.constantFrom(">=", ">", "<=", "<", "=="),
          value: num(-1e6, 1e6, [0, 0.5, 0.6, 0.7, 0.9, 1]), // brought into the metric's range by `fixNeighbours`
        }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
  "ingest.predictions": () =>
    fc.record(
      {
        deployment: columnArb,
        from: fc.constantFrom("", "30d", "12h", "2026-11-01T00:00:00Z"),
        to: fc.constantFrom("", "2026-12-01T00:00:00.000Z"),
        labelledOnly: fc.boolean(),
        minRows: fc.integer({ min: 1, max: 100_000 }),
      },
      { requiredKeys: ["deployment"] },
    ),
  "gate.compare": () =>
    fc.record(
      { metric: fc.constantFrom(...METRIC_NAMES), margin: num(0, 10, [0, 0.01, 0.05]), direction: fc.constantFrom("higher", "lower") },
      { requiredKeys: ["metric"] },
    ),
  "gate.approval": () =>
    fc.record(
      { timeout: fc.constantFrom("10m", "1h", "2d", "7d"), instructions: textArb({ maxLength: 40 }), registryName: fc.stringMatching(REGISTRY_NAME) },
      { requiredKeys: [] },
    ),
  "deploy.endpoint@2": () =>
    fc.oneof(
      fc.record(
        { model: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/), alias: fc.constant("champion"), strategy: fc.constant("replace") },
        { requiredKeys: ["model"] },
      ),
      fc.record({
        model: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/),
        strategy: fc.constant("canary"),
        canary: fc.record(
          {
            steps: fc.constantFrom([100], [10, 100], [10, 50, 100], [1, 5, 25, 100]),
            interval: fc.constantFrom("30s", "10m", "1h"),
            rollback: fc.record(
              { maxErrorRate: finite(0, 1), maxP99Ms: finite(1, 1000), minRequests: fc.integer({ min: 1, max: 1000 }) },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      }),
      fc.record({
        model: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/),
        strategy: fc.constant("shadow"),
        shadow: fc.record(
          { duration: fc.constantFrom("10m", "1h"), promote: fc.record({ minAgreement: finite(0, 1), minCompared: fc.integer({ min: 1, max: 10000 }) }) },
          { requiredKeys: [] },
        ),
      }),
      fc.record({
        model: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/),
        strategy: fc.constant("ab"),
        ab: fc.record({
          weight: fc.integer({ min: 1, max: 99 }),
          duration: fc.constantFrom("1h", "7d"),
          sticky: fc.oneof(fc.record({ parameter: fc.constantFrom("customer", "user_id") }), fc.record({ column: fc.constantFrom("store", "origin") })),
        }),
      }),
    ),
  "deploy.endpoint": () =>
    fc.record(
      {
        model: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/),
        alias: fc.oneof(fc.constant("champion"), fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/)),
        strategy: fc.constant("replace"),
      },
      { requiredKeys: ["model"] },
    ),
};

/** A valid config of node type `def` at its version (params in `pool` may be referred to). */
export function configArbitrary(def: NodeDefinition, pool: ParamPool = { strings: [], integers: [] }): fc.Arbitrary<Config> {
  const make = CONFIGS[`${def.type}@${def.version}`] ?? CONFIGS[def.type];
  if (make) return make(pool, def);
  if (def.config.safeParse({}).success) return fc.constant({});
  throw new Error(`no config arbitrary for node type ${def.type}: add one to workflows/spec/arbitrary.ts`);
}

export const nodeIdArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,11}$/);
const paramNameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,9}$/);

const paramArb: fc.Arbitrary<ParamInput> = fc.oneof(
  fc.record({ name: paramNameArb, type: fc.constant("string" as const), default: textArb(), description: textArb() }, { requiredKeys: ["name"] }),
  fc.record({ name: paramNameArb, default: textArb() }, { requiredKeys: ["name"] }), // type defaults to string
  fc.record({ name: paramNameArb, type: fc.constant("number" as const), default: fc.integer({ min: -1000, max: 1000 }) }, { requiredKeys: ["name", "type"] }),
  fc.record({ name: paramNameArb, type: fc.constant("boolean" as const), default: fc.boolean() }, { requiredKeys: ["name", "type"] }),
);

const positionArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ x: fc.integer({ min: -2000, max: 5000 }).map((v) => v * 10), y: fc.integer({ min: -2000, max: 5000 }).map((v) => v * 10) }),
  },
  { weight: 1, arbitrary: fc.record({ x: finite(-1e5, 1e5), y: finite(-1e5, 1e5) }) },
);

const triggerArb = fc.oneof(
  fc.record({ type: fc.constant("schedule" as const), cron: fc.constantFrom("0 * * * *", "*/5 * * * *", "0 3 * * 1") }),
  fc.record({ type: fc.constant("webhook" as const) }),
  fc.record(
    {
      type: fc.constant("drift" as const),
      deployment: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/),
      metric: fc.constantFrom("psi", "ks"),
      threshold: finite(0.001, 10),
    },
    { requiredKeys: ["type", "deployment", "threshold"] },
  ),
);

export interface ValidSpecOptions {
  /** At most this many nodes (at least 1). Default 10. */
  maxNodes?: number;
  /** Include sticky notes (spec `notes`). Default true. */
  notes?: boolean;
}

/**
 * Inputs that only some producers may feed (a node's `check` says so at
 * compile time): gate.compare reads the metrics of an evaluate that scores
 * the champion (evaluate@2, with compareWithChampion set in `fixNeighbours`).
 * Gates' metrics are made ones the task upstream produces, in their range,
 * and column fields name columns of the input (`fixColumns`).
 */
const SOURCE_RULES: Record<string, Record<string, (source: NodeDefinition) => boolean>> = {
  "gate.compare": { metrics: (d) => d.type === "evaluate" && d.version >= 2 },
};

/** Configs that a neighbour constrains (see SOURCE_RULES), made consistent with it. */
function fixNeighbours(types: NodeDefinition[], configs: Config[], edges: Skeleton["edges"]): Config[] {
  const out = configs.map((c) => ({ ...c }));
  const source = (target: number, port: string) => edges.find(([, , t, tp]) => t === target && tp === port)?.[0];
  const taskOf = (evaluate: number | undefined) => {
    const model = evaluate === undefined ? undefined : source(evaluate, "model");
    return model !== undefined && types[model]!.type.startsWith("train.") ? ((out[model]!.task as string | undefined) ?? "regression") : undefined;
  };
  /** A metric the task produces (the drawn one when it does) and a threshold in its range. */
  const fitMetric = (metric: string, task: string | undefined) => {
    const produced = metricsOf(task);
    return (produced as readonly string[]).includes(metric) ? (metric as MetricName) : produced[0]!;
  };
  const inRange = (metric: MetricName, value: number) => {
    const { min, max } = METRIC_INFO[metric];
    return Math.min(max ?? Infinity, Math.max(min ?? -Infinity, value));
  };
  types.forEach((d, i) => {
    if (d.type === "gate.threshold") {
      const task = taskOf(source(i, "metrics"));
      out[i]!.conditions = (out[i]!.conditions as { metric: string; op: string; value: number }[]).map((c) => {
        const metric = fitMetric(c.metric, task);
        return { ...c, metric, value: inRange(metric, c.value) };
      });
    }
    if (d.type !== "gate.compare") return;
    const evaluate = source(i, "metrics")!;
    out[evaluate]!.compareWithChampion = true;
    out[i]!.metric = fitMetric(out[i]!.metric as string, taskOf(evaluate));
  });
  return out;
}

/** A deterministic pick among `items` by a drawn string (so shrinking the string moves the pick). */
const pickBy = <T>(items: readonly T[], key: unknown): T => {
  const text = JSON.stringify(key) ?? "";
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return items[h % items.length]!;
};

/**
 * Column fields name columns of their input where its columns are known
 * before a run (a bundled sample upstream): drawn names are replaced by real
 * ones, and a trainer's target suits its task (a number for regression).
 */
function fixColumns(spec: PipelineSpecInput): PipelineSpecInput {
  const insight = inspectSpec(spec).nodes;
  return {
    ...spec,
    nodes: spec.nodes.map((node) => {
      const def = resolveNodeType(node.type, node.version);
      const port = def?.inputs.find((p) => p.type === "dataset");
      const columns = port ? insight.get(node.id)?.inputColumns[port.name] : undefined;
      if (!def || !columns?.length) return node;
      const config = { ...node.config };
      const usable = columns.filter((c) => columnKind(c.type) !== "other");
      for (const f of columnFields(def)) {
        if (config[f.name] === undefined) continue;
        if (f.many) config[f.name] = [...new Set((config[f.name] as unknown[]).map((v) => pickBy(columns, v).name))];
        else if (f.name === "target") {
          const numbers = usable.filter((c) => columnKind(c.type) === "number");
          config.target = pickBy(config.task === "classification" ? usable : numbers, config.target).name;
        } else config[f.name] = pickBy(columns, config[f.name]).name;
      }
      return { ...node, config };
    }),
  };
}

/** One step of graph building: which feasible type, and which earlier output feeds each input. */
const stepArb = fc.record({
  typePick: fc.nat(),
  versioned: fc.constantFrom("no", "type@N", "field" as const),
  sourcePicks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
});

interface Skeleton {
  types: NodeDefinition[];
  typeNames: string[];
  /** The `version` field of each node (undefined: none written). */
  versions: (number | undefined)[];
  /** [sourceIndex, sourcePort, targetIndex, targetPort] */
  edges: [number, string, number, string][];
}

function buildSkeleton(steps: { typePick: number; versioned: "no" | "type@N" | "field"; sourcePicks: number[] }[]): Skeleton {
  const types: NodeDefinition[] = [];
  const typeNames: string[] = [];
  const versions: (number | undefined)[] = [];
  const edges: Skeleton["edges"] = [];
  const outputs: { node: number; port: string; type: string }[] = [];
  for (const step of steps) {
    const fits = (d: NodeDefinition, p: { name: string; type: string }) =>
      outputs.filter((o) => o.type === p.type && (SOURCE_RULES[d.type]?.[p.name]?.(types[o.node]!) ?? true));
    const feasible = NODE_DEFINITIONS.filter((d) => d.inputs.every((p) => fits(d, p).length > 0));
    const picked = feasible[step.typePick % feasible.length]!;
    // A node that names no version is read as the newest one: generate that one's config.
    const def = step.versioned === "no" ? latestNodeType(picked.type)! : picked;
    const index = types.length;
    def.inputs.forEach((p, k) => {
      const candidates = fits(def, p);
      const src = candidates[(step.sourcePicks[k] ?? 0) % candidates.length]!;
      edges.push([src.node, src.port, index, p.name]);
    });
    types.push(def);
    typeNames.push(step.versioned === "type@N" ? `${def.type}@${def.version}` : def.type);
    versions.push(step.versioned === "field" ? def.version : undefined);
    for (const o of def.outputs) outputs.push({ node: index, port: o.name, type: o.type });
  }
  return { types, typeNames, versions, edges };
}

/** A permutation of 0..n-1 from sort keys (stable, so shrinking keys moves towards the identity). */
const permutation = (keys: number[], n: number) => Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);

/** Specs that compile() accepts, as a person or the canvas could write them. */
export function validSpecArbitrary(opts: ValidSpecOptions = {}): fc.Arbitrary<PipelineSpecInput> {
  const maxNodes = Math.max(1, opts.maxNodes ?? 10);
  const withNotes = opts.notes ?? true;
  return fc
    .record({
      steps: fc.array(stepArb, { minLength: 1, maxLength: maxNodes }),
      params: fc.uniqueArray(paramArb, { maxLength: 4, selector: (p) => p.name }),
    })
    .chain(({ steps, params }) => {
      const sk = buildSkeleton(steps);
      const n = sk.types.length;
      const pool: ParamPool = {
        strings: params.filter((p) => (p.type ?? "string") === "string" && typeof p.default === "string" && p.default.length > 0).map((p) => p.name),
        integers: params.filter((p) => p.type === "number" && typeof p.default === "number").map((p) => p.name),
      };
      return fc
        .record({
          meta: fc.record(
            {
              name: textArb({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0 && s.trim().length <= 120),
              description: textArb({ maxLength: 80 }),
              params: fc.constant(params),
              triggers: fc.array(triggerArb, { maxLength: 2 }),
            },
            // Params that configs may refer to must be declared.
            { requiredKeys: params.length ? ["name", "params"] : ["name"] },
          ),
          withEdgesKey: fc.boolean(),
          ids: fc.uniqueArray(nodeIdArb, { minLength: n + 3, maxLength: n + 3 }),
          configs: fc.tuple(...sk.types.map((d) => configArbitrary(d, pool))),
          nodeExtras: fc.array(fc.record({ label: textArb({ maxLength: 30 }).filter((l) => l.length <= 120), position: positionArb }, { requiredKeys: [] }), {
            minLength: n,
            maxLength: n,
          }),
          edgeIdStyle: fc.constantFrom("canvas", "short", "random"),
          randomEdgeIds: fc.uniqueArray(textArb({ minLength: 1, maxLength: 12 }), { minLength: sk.edges.length, maxLength: sk.edges.length }),
          nodeOrder: fc.array(fc.nat(), { minLength: n, maxLength: n }),
          edgeOrder: fc.array(fc.nat(), { minLength: sk.edges.length, maxLength: sk.edges.length }),
          notes: withNotes
            ? fc.array(
                fc.record(
                  {
                    text: textArb({ maxLength: 60 }),
                    position: positionArb,
                    width: fc.oneof(fc.integer({ min: 80, max: 2000 }), finite(80, 2000)),
                    height: fc.oneof(fc.integer({ min: 40, max: 2000 }), finite(40, 2000)),
                    color: fc.constantFrom(...NOTE_COLORS),
                  },
                  { requiredKeys: [] },
                ),
                { maxLength: 2 },
              )
            : fc.constant<Omit<NoteInput, "id">[]>([]),
          notesKey: fc.boolean(),
        })
        .map((r) => {
          const ids = r.ids.slice(0, n);
          const configs = fixNeighbours(sk.types, r.configs, sk.edges);
          const noteIds = r.ids.slice(n, n + r.notes.length);
          const nodes = permutation(r.nodeOrder, n).map((i) => ({
            id: ids[i]!,
            type: sk.typeNames[i]!,
            ...(sk.versions[i] !== undefined ? { version: sk.versions[i] } : {}),
            ...(r.nodeExtras[i]!.label !== undefined ? { label: r.nodeExtras[i]!.label } : {}),
            config: configs[i]!,
            ...(r.nodeExtras[i]!.position !== undefined ? { position: r.nodeExtras[i]!.position } : {}),
          }));
          const edges = permutation(r.edgeOrder, sk.edges.length).map((k) => {
            const [s, sp, t, tp] = sk.edges[k]!;
            const id = r.edgeIdStyle === "canvas" ? `${ids[s]}.${sp}-${ids[t]}.${tp}` : r.edgeIdStyle === "short" ? `e${k + 1}` : r.randomEdgeIds[k]!;
            return { id, source: ids[s]!, sourcePort: sp, target: ids[t]!, targetPort: tp };
          });
          const spec: PipelineSpecInput = {
            apiVersion: "conveyor/v1",
            ...r.meta,
            nodes,
            ...(edges.length || r.withEdgesKey ? { edges } : {}),
            ...(r.notes.length || r.notesKey ? { notes: r.notes.map((note, i) => ({ id: noteIds[i]!, ...note })) } : {}),
          };
          return fixColumns(spec);
        });
    });
}

/** The node types a spec uses, resolved to `type@version`, e.g. to check an arbitrary's coverage. */
export function nodeTypesOf(spec: PipelineSpecInput): string[] {
  return spec.nodes.map((n) => {
    const def = resolveNodeType(n.type, n.version);
    return def ? `${def.type}@${def.version}` : n.type;
  });
}
