/**
 * Feedback: the ground truth of logged predictions
 * (`POST /api/v1/deployments/{name}/feedback`), joined to the prediction log
 * by request id and row. A classification deployment takes labels (one of
 * its model's classes), a regression deployment values; the task is that of
 * the version the deployment's alias points at. Items naming no logged live
 * prediction are answered back and not stored; any invalid item refuses the
 * whole call (nothing stored), naming the field.
 */
import type { Problem } from "../../../contract/api/common";
import { getDeployment } from "../../../db/queries/deployments";
import { deploymentTask, recordPredictionFeedback, type FeedbackRow } from "../../../db/queries/prediction-log";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";

export interface FeedbackItem {
  requestId: string;
  row: number;
  label?: string;
  value?: number;
  at?: string;
}

/** The most problems one answer lists. */
const MAX_PROBLEMS = 20;
/** Observation times PostgreSQL and the monitor take: from 1970 to a day ahead. */
const EARLIEST = Date.UTC(1970, 0, 1);

const list = (xs: readonly string[]) => (xs.length > 20 ? `${xs.slice(0, 20).join(", ")}, … (${xs.length} in all)` : xs.join(", "));

export async function recordFeedback(ctx: RequestContext, input: { name: string; feedback: FeedbackItem[] }) {
  const d = await getDeployment(ctx.db, ctx.teamId, input.name);
  if (!d) throw new ServiceError("not_found", `deployment ${input.name} does not exist`);
  const what = await deploymentTask(ctx.db, d.id);
  if (!what) throw new ServiceError("not_found", `deployment ${input.name} serves no model version`);
  const classification = what.task === "classification";
  const classes = what.classes ? new Set(what.classes) : null;
  const now = Date.now();
  const problems: Problem[] = [];
  const problem = (field: string, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ nodeId: null, field, message });
  };
  const rows: FeedbackRow[] = [];
  input.feedback.forEach((item, i) => {
    const f = `feedback[${i}]`;
    let at = now;
    if (item.at !== undefined) {
      at = Date.parse(item.at);
      if (!(at >= EARLIEST && at <= now + 86_400_000)) problem(`${f}.at`, `must be a time between 1970 and now, got ${item.at}`);
    }
    if (classification) {
      if (item.value !== undefined) problem(`${f}.value`, `deployment ${d.name} classifies: send the true class as label, not a value`);
      else if (item.label === undefined) problem(`${f}.label`, `required: the true class${what.classes ? ` (one of ${list(what.classes)})` : ""}`);
      else if (classes && !classes.has(item.label))
        problem(`${f}.label`, `${JSON.stringify(item.label.slice(0, 80))} is not one of the model's classes: ${list(what.classes!)}`);
    } else if (item.label !== undefined) problem(`${f}.label`, `deployment ${d.name} is a regression: send the true number as value, not a label`);
    else if (item.value === undefined) problem(`${f}.value`, "required: the true value (a number)");
    rows.push({
      requestId: item.requestId,
      row: item.row,
      label: classification ? (item.label ?? null) : null,
      value: classification ? null : (item.value ?? null),
      at: new Date(at),
    });
  });
  if (problems.length) {
    throw new ServiceError("invalid", problems.map((p) => `${p.field}: ${p.message}`).join("; "), problems);
  }
  const { recorded, unknown } = await recordPredictionFeedback(ctx.db, d.id, rows);
  return { recorded, unknown: unknown.map((i) => ({ index: i, requestId: rows[i]!.requestId, row: rows[i]!.row })) };
}
