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

export const ZPosition = z.object({ x: z.number().finite(), y: z.number().finite() });

export const ZSpecNode = z.object({
  id: ZId,
  type: z.string().min(1, "node type is required"),
  /** Version of the node type; absent means the newest (every spec saved before versions existed). */
  version: z.number({ error: "version must be a whole number ≥ 1" }).int("version must be a whole number ≥ 1").positive("version must be a whole number ≥ 1").optional(),
  label: z.string().max(120).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: ZPosition.default({ x: 0, y: 0 }),
});
export type SpecNode = z.infer<typeof ZSpecNode>;

export const ZSpecEdge = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  sourcePort: z.string().min(1),
  target: z.string().min(1),
  targetPort: z.string().min(1),
});
export type SpecEdge = z.infer<typeof ZSpecEdge>;

export const NOTE_COLORS = ["yellow", "blue", "green", "pink", "gray"] as const;

/** A sticky note on the canvas: a comment for people, ignored by the compiler. */
export const ZNote = z.object({
  id: ZId,
  text: z.string().max(5000, "must be at most 5000 characters").default(""),
  position: ZPosition.default({ x: 0, y: 0 }),
  width: z.number().min(80).max(2000).optional(),
  height: z.number().min(40).max(2000).optional(),
  color: z.enum(NOTE_COLORS).default("yellow"),
});
export type Note = z.infer<typeof ZNote>;

export const ZParam = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an identifier"),
  type: z.enum(["string", "number", "boolean"]).default("string"),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string().optional(),
});
export type Param = z.infer<typeof ZParam>;

export const ZTrigger = z.discriminatedUnion("type", [
  z.object({ type: z.literal("schedule"), cron: z.string().min(1) }),
  z.object({ type: z.literal("webhook") }),
  z.object({ type: z.literal("drift"), deployment: z.string().min(1), metric: z.string().default("psi"), threshold: z.number().positive() }),
]);

export const ZPipelineSpec = z.object({
  apiVersion: z.literal("conveyor/v1", { error: 'apiVersion must be "conveyor/v1"' }),
  name: z.string().trim().min(1, "pipeline name is required").max(120),
  description: z.string().max(5000).default(""),
  params: z.array(ZParam).default([]),
  nodes: z.array(ZSpecNode),
  edges: z.array(ZSpecEdge).default([]),
  triggers: z.array(ZTrigger).default([]),
  notes: z.array(ZNote).default([]),
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
