/**
 * A node type is declared once, here-shaped, in workflows/nodes/<type>/
 * definition.ts; the palette, the config form, the compiler and the worker
 * all read it (after n8n's declarative node descriptions).
 */
import type { z } from "zod";
import type { PortType } from "../spec/spec";

export const NODE_GROUPS = ["ingest", "feature", "train", "evaluate", "gate", "deploy"] as const;
export type NodeGroup = (typeof NODE_GROUPS)[number];

export interface PortDef {
  name: string;
  type: PortType;
  label?: string;
  /** Inputs only: required unless false. */
  required?: boolean;
}

export interface NodeDefinition<C extends z.ZodType = z.ZodType> {
  type: string;
  version: number;
  label: string;
  group: NodeGroup;
  description: string;
  inputs: PortDef[];
  outputs: PortDef[];
  /** Config schema with defaults and `.describe()` help text (rendered as the form). */
  config: C;
  /** Outputs of a cacheable step are reused when its cache key is unchanged. */
  cacheable: boolean;
  retry: { maximumAttempts: number };
  /** Start-to-close timeout of one attempt, in seconds. */
  timeoutSeconds: number;
}

export function defineNode<C extends z.ZodType>(def: NodeDefinition<C>): NodeDefinition<C> {
  return def;
}
