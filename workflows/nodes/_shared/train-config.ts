/** Config fields every train.* node shares (docs/spec.md): the same names, help and errors, and the same checks. */
import { z } from "zod";
import { columnKind } from "../../spec/refs";
import type { Columns, EditResult, NodeNeighbourhood } from "../types";

export const trainCommonConfig = {
  task: z.enum(["regression", "classification"]).default("regression").describe("What to predict: a number or a class"),
  target: z.string({ error: "target is required" }).min(1, "target is required").describe("Column to predict").meta({ "x-column": "one" }),
  features: z
    .array(z.string().min(1))
    .min(1, "features must list at least one column")
    .optional()
    .describe("Feature columns (default: every other column; text columns are one-hot encoded)")
    .meta({ "x-column": "many" }),
};

type Task = "regression" | "classification";
const FLOAT = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** "a text column", "a true/false column", "a DATE column". */
function describeColumnType(type: string): string {
  if (type === "BOOLEAN") return "a true/false column";
  if (columnKind(type) === "string") return "a text column";
  if (columnKind(type) === "number") return "a number column";
  return `a ${type} column`;
}

/**
 * The task a target column implies, when it implies one: text and true/false
 * columns hold classes; a floating-point column holds amounts. Whole-number
 * columns (counts, class codes) imply neither.
 */
export function taskForColumn(type: string): Task | undefined {
  if (columnKind(type) === "string") return "classification";
  if (FLOAT.test(type)) return "regression";
  return undefined;
}

/** A trainer's checks against its input's columns (when known): the target's type must suit the task. */
export function checkTrainTarget(config: { task: Task; target: string }, around: NodeNeighbourhood): { field: string; message: string }[] {
  const column = around.columns("dataset")?.find((c) => c.name === config.target);
  if (!column) return []; // unknown columns, or a missing target (reported as a column problem)
  const kind = columnKind(column.type);
  if (kind === "other")
    return [
      {
        field: "config.target",
        message: `${config.target} is ${describeColumnType(column.type)}: a target must hold numbers (regression) or classes (classification)`,
      },
    ];
  if (config.task === "regression" && kind === "string")
    return [
      {
        field: "config.task",
        message: `regression predicts a number, but the target ${config.target} is ${describeColumnType(column.type)}: set task to classification`,
      },
    ];
  return [];
}

/** In the editor: picking a target sets the task its column implies, and says so. */
export function taskFollowsTarget(
  next: Record<string, unknown>,
  previous: Record<string, unknown>,
  around: { columns(port: string): Columns | undefined },
): EditResult {
  if (next.target === previous.target || typeof next.target !== "string") return { config: next };
  const column = around.columns("dataset")?.find((c) => c.name === next.target);
  const task = column ? taskForColumn(column.type) : undefined;
  const current = next.task ?? "regression";
  if (!column || !task || task === current) return { config: next };
  const config = { ...next };
  if (task === "regression")
    delete config.task; // the default
  else config.task = task;
  return { config, note: { field: "task", message: `Task set to ${task}: ${column.name} is ${describeColumnType(column.type)}.` } };
}
