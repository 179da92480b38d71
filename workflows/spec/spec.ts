/**
 * Pipeline spec `conveyor/v1` (docs/spec.md): the public contract that saved
 * pipelines, templates and API users rely on. Imported by browser, server
 * and worker alike, so it stays pure.
 */
import { z } from "zod";

export const PORT_TYPES = ["dataset", "model", "metrics", "decision", "deployment"] as const;
export const ZPortType = z.enum(PORT_TYPES);
export type PortType = z.infer<typeof ZPortType>;

const ZId = z
  .string()
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must start with a letter and use only letters, digits, '-' and '_'");

export const ZPosition = z.object({ x: z.number().finite(), y: z.number().finite() }).describe("Where the canvas draws it (flow units)");

export const ZSpecNode = z.object({
  id: ZId.describe("Unique among nodes and notes; edges refer to it"),
  type: z.string().min(1, "node type is required").describe('Node type, e.g. "train.linear" (or "train.linear@1", which pins version 1)'),
  /** Version of the node type; absent means the newest (every spec saved before versions existed). */
  version: z
    .number({ error: "version must be a whole number ≥ 1" })
    .int("version must be a whole number ≥ 1")
    .positive("version must be a whole number ≥ 1")
    .optional()
    .describe("Version of the node type (absent: the newest; the editor writes the version a node was created with)"),
  label: z.string().max(120).optional().describe("Title on the canvas (default: the node type's label)"),
  config: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Settings of the node type at its version (see Node types); strings may refer to params as "${params.name}"'),
  position: ZPosition.default({ x: 0, y: 0 }),
});
export type SpecNode = z.infer<typeof ZSpecNode>;

export const ZSpecEdge = z.object({
  id: z.string().min(1).describe("Unique among edges"),
  source: z.string().min(1).describe("Id of the node the value comes from"),
  sourcePort: z.string().min(1).describe("Output port of the source node"),
  target: z.string().min(1).describe("Id of the node the value goes to"),
  targetPort: z.string().min(1).describe("Input port of the target node (an input takes one edge)"),
});
export type SpecEdge = z.infer<typeof ZSpecEdge>;

export const NOTE_COLORS = ["yellow", "blue", "green", "pink", "gray"] as const;

/** A sticky note on the canvas: a comment for people, ignored by the compiler. */
export const ZNote = z.object({
  id: ZId.describe("Unique among nodes and notes"),
  text: z.string().max(5000, "must be at most 5000 characters").default("").describe("What the note says"),
  position: ZPosition.default({ x: 0, y: 0 }),
  width: z.number().min(80).max(2000).optional().describe("Width on the canvas"),
  height: z.number().min(40).max(2000).optional().describe("Height on the canvas"),
  color: z.enum(NOTE_COLORS).default("yellow").describe("Background colour"),
});
export type Note = z.infer<typeof ZNote>;

export const ZParam = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an identifier")
    .describe('Referred to in node configs as "${params.name}"'),
  type: z.enum(["string", "number", "boolean"]).default("string").describe("Type of the value a run passes"),
  default: z.union([z.string(), z.number(), z.boolean()]).optional().describe("Value when a run passes none (without one, every run must pass it)"),
  description: z.string().optional().describe("What the param means"),
});
export type Param = z.infer<typeof ZParam>;

export { ZTrigger, type Trigger } from "../triggers/registry";
import { ZTrigger } from "../triggers/registry";

export const ZPipelineSpec = z.object({
  apiVersion: z.literal("conveyor/v1", { error: 'apiVersion must be "conveyor/v1"' }).describe("Version of this format"),
  name: z.string().trim().min(1, "pipeline name is required").max(120).describe("The pipeline's name"),
  description: z.string().max(5000).default("").describe("What the pipeline produces, from which data"),
  params: z.array(ZParam).default([]).describe("Values a run may pass (see Param)"),
  nodes: z.array(ZSpecNode).describe("The steps (see Node)"),
  edges: z.array(ZSpecEdge).default([]).describe("Which output feeds which input (see Edge)"),
  triggers: z.array(ZTrigger).default([]).describe("What starts a run besides a person (see Trigger)"),
  notes: z.array(ZNote).default([]).describe("Sticky notes on the canvas, ignored by the compiler (see Note)"),
});
export type PipelineSpec = z.infer<typeof ZPipelineSpec>;
/** What a user writes (defaults not yet applied). */
export type PipelineSpecInput = z.input<typeof ZPipelineSpec>;

/** One validation problem, shown on the canvas and returned as 422 by the API. */
export interface SpecError {
  nodeId: string | null;
  field: string | null;
  message: string;
}
