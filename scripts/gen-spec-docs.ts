/**
 * Renders docs/spec.md from the code that defines the format: the spec's zod
 * schema (workflows/spec/spec.ts), every version of every node type
 * (workflows/nodes), the model I/O contract (contract/model.ts) and the metric
 * names (workflows/spec/metrics.ts). Nothing in the document is written by
 * hand but the few sentences of prose here. `npm run gen` rewrites it; a unit
 * test fails when it is stale.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { PORT_TYPES, ZNote, ZParam, ZPipelineSpec, ZSpecEdge, ZSpecNode, ZTrigger } from "../workflows/spec/spec";
import { NODE_DEFINITIONS, nodeTypeVersions } from "../workflows/nodes/registry";
import { NODE_GROUPS, type NodeDefinition, type PortDef } from "../workflows/nodes/types";
import { CLASSIFICATION_METRICS, METRIC_INFO, REGRESSION_METRICS } from "../workflows/spec/metrics";
import { ZModelInput, ZModelOutput } from "../contract/model";
import type { JsonSchema } from "../workflows/compiler/json-schema";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SPEC_DOC = path.join(root, "docs", "spec.md");
const EXAMPLE = "contract/templates/boston-housing.pipeline.json";

type Json = JsonSchema;

function jsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
}

/** Follows a local `$ref` into `$defs`. */
function deref(s: Json, top: Json): Json {
  if (!s.$ref) return s;
  const name = s.$ref.replace(/^#\/\$defs\//, "");
  return { ...top.$defs?.[name], ...s, $ref: undefined };
}

/** Text for a table cell: no pipes or newlines. */
const cell = (text: string) =>
  text
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ")
    .replace(/<(?![^`]*`)/g, "&lt;");
const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

function typeOf(s: Json, top: Json): string {
  s = deref(s, top);
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(" | ");
  const branches = s.anyOf ?? s.oneOf;
  if (branches?.every((b) => deref(b, top).type === "object")) return `object (one of ${branches.length} kinds)`;
  if (branches) return branches.map((b) => typeOf(b, top)).join(" | ");
  const t = Array.isArray(s.type) ? s.type.join(" | ") : s.type;
  if (t === "array") {
    if (s.prefixItems) return `[${s.prefixItems.map((p) => typeOf(p, top)).join(", ")}]`;
    return s.items ? `array of ${typeOf(s.items, top)}` : "array";
  }
  if (t === "object" && !s.properties && s.additionalProperties && typeof s.additionalProperties === "object") {
    return `object (${typeOf(s.additionalProperties, top)} values)`;
  }
  return t ?? "any";
}

/** Bounds, lengths and patterns in words ("≥ 1, ≤ 5000, whole number"). */
function limitsOf(s: Json, top: Json): string {
  s = deref(s, top);
  const out: string[] = [];
  if (s.exclusiveMinimum !== undefined) out.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined && Math.abs(s.minimum) < 1e15) out.push(`≥ ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) out.push(`< ${s.exclusiveMaximum}`);
  if (s.maximum !== undefined && Math.abs(s.maximum) < 1e15) out.push(`≤ ${s.maximum}`);
  if (s.type === "integer") out.push("whole number");
  if (s.minLength !== undefined && s.minLength > 0) out.push(`at least ${s.minLength} character${s.minLength === 1 ? "" : "s"}`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.pattern !== undefined) out.push(`matches ${code(s.pattern)}`);
  if (s.minItems !== undefined && s.minItems > 0) out.push(`at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
  if (s.maxItems !== undefined) out.push(`at most ${s.maxItems} items`);
  if (s.type === "array" && s.items) {
    const inner = limitsOf(s.items, top);
    if (inner) out.push(`each ${inner}`);
  }
  for (const b of s.anyOf ?? []) {
    const inner = limitsOf(b, top);
    if (inner) out.push(inner);
  }
  return out.join(", ");
}

/** A table of an object's fields: name, type, required, default, limits, description. */
function fieldTable(schema: Json, top: Json = schema, nestedTables = true): string {
  const s = deref(schema, top);
  const props = Object.entries(s.properties ?? {});
  if (!props.length) return "_No fields._\n";
  const req = new Set(s.required ?? []);
  const rows = props.map(([name, raw]) => {
    const p = deref(raw, top);
    return `| \`${name}\` | ${cell(typeOf(p, top))} | ${req.has(name) ? "yes" : "no"} | ${p.default !== undefined ? cell(`\`${JSON.stringify(p.default)}\``) : ""} | ${cell(limitsOf(p, top))} | ${cell(p.description ?? "")} |`;
  });
  // Lists of objects (e.g. a gate's conditions) get a table of their items' fields.
  const nested = !nestedTables
    ? []
    : props.flatMap(([name, raw]) => {
        const items = deref(raw, top).items;
        return items && deref(items, top).properties ? [`\n\`${name}[]\` items:\n\n${fieldTable(items, top)}`] : [];
      });
  return ["| field | type | required | default | limits | description |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n") + "\n" + nested.join("");
}

function portTable(title: string, ports: PortDef[], inputs: boolean): string {
  if (!ports.length) return `${title}: none.\n`;
  const rows = ports.map((p) => `| \`${p.name}\` | \`${p.type}\` |${inputs ? ` ${p.required === false ? "no" : "yes"} |` : ""}`);
  return (
    [`${title}:`, "", inputs ? "| port | type | required |" : "| port | type |", inputs ? "| --- | --- | --- |" : "| --- | --- |", ...rows].join("\n") + "\n"
  );
}

function upgradeText(def: NodeDefinition): string {
  const prev = nodeTypeVersions(def.type).find((d) => d.version === def.version - 1);
  if (!prev) return "";
  const before = Object.keys(jsonSchema(prev.config).properties ?? {});
  const after = Object.keys(jsonSchema(def.config).properties ?? {});
  const added = after.filter((f) => !before.includes(f));
  const removed = before.filter((f) => !after.includes(f));
  const parts = [
    `**Upgrade from v${prev.version}**${def.upgrade ? "" : " (the config carries over unchanged)"}: ${def.upgradeNote ?? ""}`.trimEnd(),
    added.length ? `Fields added: ${added.map((f) => `\`${f}\``).join(", ")}.` : "",
    removed.length ? `Fields removed: ${removed.map((f) => `\`${f}\``).join(", ")}.` : "",
  ].filter(Boolean);
  return parts.join(" ") + "\n";
}

function nodeVersionSection(def: NodeDefinition, newest: boolean): string {
  const config = jsonSchema(def.config);
  return [
    `#### \`${def.type}@${def.version}\`${newest ? " (newest)" : ""}`,
    "",
    `**${def.label}**: ${def.description}`,
    "",
    portTable("Inputs", def.inputs, true),
    portTable("Outputs", def.outputs, false),
    "Config:",
    "",
    fieldTable(config),
    `Cacheable: ${def.cacheable ? "yes (outputs are reused when type@version, config, inputs and code are unchanged)" : "no"} · attempts: ${def.retry.maximumAttempts} · timeout: ${def.timeoutSeconds} s per attempt.`,
    "",
    upgradeText(def),
  ].join("\n");
}

function nodeTypesSection(): string {
  const types = [...new Set(NODE_DEFINITIONS.map((d) => d.type))].sort(
    (a, b) => NODE_GROUPS.indexOf(nodeTypeVersions(a)[0]!.group) - NODE_GROUPS.indexOf(nodeTypeVersions(b)[0]!.group) || a.localeCompare(b),
  );
  const summary = [
    "| type | group | versions | label |",
    "| --- | --- | --- | --- |",
    ...types.map((t) => {
      const vs = nodeTypeVersions(t);
      return `| [\`${t}\`](#${t.replace(/\./g, "")}) | ${vs.at(-1)!.group} | ${vs.map((d) => d.version).join(", ")} | ${cell(vs.at(-1)!.label)} |`;
    }),
  ].join("\n");
  const sections = types.map((t) => {
    const vs = nodeTypeVersions(t);
    return [`### ${t}`, "", ...[...vs].reverse().map((d) => nodeVersionSection(d, d === vs.at(-1)))].join("\n");
  });
  return [summary, "", ...sections].join("\n");
}

function portsSection(): string {
  const rows = PORT_TYPES.map((pt) => {
    const from = NODE_DEFINITIONS.flatMap((d) => d.outputs.filter((p) => p.type === pt).map((p) => `\`${d.type}@${d.version}.${p.name}\``));
    const to = NODE_DEFINITIONS.flatMap((d) => d.inputs.filter((p) => p.type === pt).map((p) => `\`${d.type}@${d.version}.${p.name}\``));
    return `| \`${pt}\` | ${from.join(", ") || "—"} | ${to.join(", ") || "—"} |`;
  });
  return ["| port type | outputs of this type | inputs of this type |", "| --- | --- | --- |", ...rows].join("\n") + "\n";
}

function metricsSection(): string {
  const range = ({ min, max }: { min?: number; max?: number }) =>
    min !== undefined && max !== undefined ? `${min} to ${max}` : min !== undefined ? `≥ ${min}` : max !== undefined ? `≤ ${max}` : "any";
  const row = (task: string) => (m: keyof typeof METRIC_INFO) =>
    `| \`${m}\` | ${task} | ${METRIC_INFO[m].better} | ${range(METRIC_INFO[m])} | ${cell(METRIC_INFO[m].description)} |`;
  return (
    [
      "| metric | task | better | range | meaning |",
      "| --- | --- | --- | --- | --- |",
      ...REGRESSION_METRICS.map(row("regression")),
      ...CLASSIFICATION_METRICS.map(row("classification")),
    ].join("\n") + "\n"
  );
}

export function renderSpecDoc(): string {
  const spec = jsonSchema(ZPipelineSpec);
  const trigger = jsonSchema(ZTrigger);
  const example = fs.readFileSync(path.join(root, EXAMPLE), "utf8").trimEnd();
  const modelInput = jsonSchema(ZModelInput);
  const modelOutput = jsonSchema(ZModelOutput);
  return `<!-- Generated by scripts/gen-spec-docs.ts from the zod schemas and node definitions — do not edit; run \`npm run gen\`. -->
# The pipeline spec \`conveyor/v1\`

A pipeline is a JSON document: nodes (the steps, each of a node type at a version, with its config), edges (which output
feeds which input), params, triggers and sticky notes. The canvas writes it, the API takes it
(\`POST /api/v1/pipelines\`), and the compiler turns it into the plan a Temporal workflow runs. Its JSON Schema is
served at \`/api/v1/schema/pipeline.json\`. Everything below is generated from the code that validates it.

Node types have versions. A node may name one (\`"version": 1\`, or \`"type": "evaluate@1"\`); a node without one
means the newest version, which is how every spec saved before versions existed reads. The editor writes the
version a node was created with, so a saved pipeline keeps it when a newer version ships; a run executes the
versions it was compiled with. A newer version may declare an upgrade of the previous version's config, offered by
the editor ("Upgrade to vN") and chained by \`upgradeSpec\` in \`workflows/nodes/upgrade.ts\`.

## Example

The Boston housing template (\`${EXAMPLE}\`): ingest a bundled sample, split it, train a ridge model, evaluate it
on the test rows, gate on R², deploy.

\`\`\`json
${example}
\`\`\`

## Document shape

### Pipeline (top level)

${fieldTable(spec, spec, false)}
### Node (\`nodes[]\`)

${fieldTable(jsonSchema(ZSpecNode))}
### Edge (\`edges[]\`)

${fieldTable(jsonSchema(ZSpecEdge))}
### Param (\`params[]\`)

${fieldTable(jsonSchema(ZParam))}
### Trigger (\`triggers[]\`)

One of:

${(trigger.oneOf ?? trigger.anyOf ?? []).map((t) => `- ${code(deref(t, trigger).properties?.type?.const)}: ${deref(t, trigger).description ?? ""}\n\n${fieldTable(t, trigger)}`).join("\n")}
### Note (\`notes[]\`)

${fieldTable(jsonSchema(ZNote))}
## Port types

An output connects to an input of the same port type; an input takes one edge; edges flow one way (no cycles). A step
runs when every input it has is connected and its upstream steps succeeded; a \`decision\` that did not pass skips
the steps it feeds.

Where the columns of a dataset are known before a run (a bundled sample's always; an uploaded dataset's when the
editor or the server looks it up, on save and on run), they flow along dataset edges, and a field that names columns
(\`target\`, \`features\`, \`timeColumn\`) must name columns of the dataset coming into its node. A trainer's target
must suit its task: a text or true/false column is a classification target. A \`gate.threshold\` condition must name
a metric the evaluate step upstream computes for that task, with a threshold in the metric's range (see Metrics).

${portsSection()}
## Node types

${nodeTypesSection()}
## Model I/O

Every trained model is one ONNX file with its preprocessing inside the graph, served over the KServe v2 protocol and
previewed in the browser with the same file.

Inputs: ${modelInput.$defs?.ModelInput?.description ?? ""}

${fieldTable(modelInput)}
Outputs: ${modelOutput.$defs?.ModelOutput?.description ?? ""}

${fieldTable(modelOutput)}
## Metrics

\`evaluate\` computes these on its dataset (metric keys of the run, and the names \`gate.threshold\` conditions use):

${metricsSection()}
\`evaluate@2\` with \`compareWithChampion\` records the registry champion's metrics as \`champion.<metric>\` (e.g.
\`champion.r2\`) next to them, and \`train.gbdt\` records \`importance.<feature>\` (gain) and its training curves.
`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.writeFileSync(SPEC_DOC, renderSpecDoc());
  console.log(`${path.relative(root, SPEC_DOC)} written`);
}
