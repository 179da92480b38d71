/**
 * A node type is declared once, here-shaped, in workflows/nodes/<type>/
 * definition.ts; the palette, the config form, the compiler and the worker
 * all read it (after n8n's declarative node descriptions).
 */
import type { z } from "zod";
import type { PortType } from "../spec/spec";
import type { ColumnSchema } from "../spec/refs";

/** Columns of a dataset known before a run (name and DuckDB type). */
export type Columns = readonly ColumnSchema[];

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
  /**
   * CPU-heavy (training, batch scoring): its activity runs on the heavy task
   * queue (`<TEMPORAL_TASK_QUEUE>-heavy`), so a long training never starves
   * light steps and heavy workers can get bigger machines.
   */
  heavy?: boolean;
  /**
   * From the previous version of this type: its config → this version's. Pure
   * (no I/O, no clock), so upgrades chain (v1 → v2 → v3) in the browser and on
   * the server alike. Absent: the previous version's config carries over as is.
   */
  upgrade?: (previous: Record<string, unknown>) => Record<string, unknown>;
  /** What the upgrade from the previous version changes, in a sentence (docs/spec.md, the editor). */
  upgradeNote?: string;
  /**
   * Completes the config (defaults applied) from the rest of the pipeline at
   * compile time, e.g. a name found on a downstream node. Pure.
   */
  complete?: (config: z.infer<C>, pipeline: PipelineContext) => z.infer<C>;
  /**
   * Checks against the nodes around it that its config schema cannot make
   * (e.g. a gate.compare needs an evaluate that scores the champion). Pure;
   * each problem names a field of this node.
   */
  check?: (config: z.infer<C>, around: NodeNeighbourhood) => { field: string; message: string }[];
  /**
   * The columns of each dataset output when they can be known before a run
   * (a port absent or undefined: not known). Pure; `config` holds the fields
   * of the config that are valid (defaults applied). Without it, a node's
   * outputs' columns are unknown and column fields downstream are not checked.
   */
  outputColumns?: (config: Partial<z.infer<C>>, around: ColumnContext) => Record<string, Columns | undefined>;
  /**
   * The editor's follow-up to a person's edit of the config (pure), e.g.
   * picking a text column as the target sets the task to classification.
   * Returns the config to keep and, when it changed another field, a note
   * naming that field and saying why.
   */
  edited?: (next: Record<string, unknown>, previous: Record<string, unknown>, around: Pick<NodeNeighbourhood, "columns">) => EditResult;
  /** What the editor's form offers given the nodes around (pure): see FormHints. */
  formHints?: (around: NodeNeighbourhood, pipeline: { name: string }) => FormHints;
}

export interface EditResult {
  config: Record<string, unknown>;
  note?: { field: string; message: string };
}

/**
 * Hints for a node's generated form, from the pipeline around it. Paths name a
 * field ("model") or a field of a list's rows ("conditions[].metric").
 */
export interface FormHints {
  /** The only choices to offer for an enum field (a value already set stays shown, flagged by validation). */
  options?: Record<string, readonly string[]>;
  /** The row "Add" appends to a list field. */
  newRow?: Record<string, Record<string, unknown>>;
  /** Greyed text shown in an empty field: the value it gets when left empty. */
  placeholders?: Record<string, string>;
}

/** What `outputColumns` may read: the neighbourhood, and the columns of uploaded datasets the caller knows. */
export interface ColumnContext extends NodeNeighbourhood {
  /** Columns of an uploaded dataset source (`dataset:<name>[@<version>]`, `dataset:<id>`), when known. */
  dataset(source: string): Columns | undefined;
}

/** A node as `check` sees it: type, version, config (defaults applied), and what feeds its inputs. */
export interface NeighbourNode {
  nodeId: string;
  type: string;
  version: number;
  config: Record<string, unknown>;
  /** The node feeding an input port, if it is connected. */
  input(port: string): NeighbourNode | undefined;
}

export interface NodeNeighbourhood {
  /** The node feeding this node's input port, if it is connected. */
  input(port: string): NeighbourNode | undefined;
  /** Whether an edge goes into this node's input port, even one with an error of its own (reported already). */
  connected(port: string): boolean;
  /** Columns of the dataset coming into an input port, when they can be known before a run. */
  columns(port: string): Columns | undefined;
}

/** What `complete` may read about the pipeline around a node. */
export interface PipelineContext {
  /** The pipeline's name. */
  name: string;
  /** Nodes reachable from this one along edges, in plan order, with their configs (defaults applied, params substituted). */
  downstream: { nodeId: string; type: string; version: number; config: Record<string, unknown> }[];
}

export function defineNode<C extends z.ZodType>(def: NodeDefinition<C>): NodeDefinition<C> {
  return def;
}
