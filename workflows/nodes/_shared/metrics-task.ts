/** The task of the model whose metrics reach a gate, when the pipeline says it. */
import type { Task } from "../../spec/metrics";
import type { NeighbourNode, NodeNeighbourhood } from "../types";

/** The evaluate step feeding `metrics`, and the task of the model it scores (a train node's `task`), when known. */
export function metricsSource(around: NodeNeighbourhood): { evaluate: NeighbourNode; task: Task | undefined } | undefined {
  const evaluate = around.input("metrics");
  if (!evaluate) return undefined;
  const task = evaluate.type === "evaluate" ? evaluate.input("model")?.config.task : undefined;
  return { evaluate, task: task === "regression" || task === "classification" ? task : undefined };
}
