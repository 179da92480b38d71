/**
 * The alert-rule editor's drafts (what the inputs hold, as typed) and their
 * conversion to `monitoring.configure`'s input, and the server's refusals
 * by field path. Pure.
 */
import { DRIFT_STATISTICS, type AlertMetric } from "../../contract/monitoring";

export interface RuleDraft {
  key: string;
  metric: string;
  /** "" = the most drifted feature. */
  feature: string;
  op: ">" | ">=" | "<" | "<=";
  value: string;
  forWindows: string;
}

/** Only the per-feature drift statistics watch a feature. */
export const isFeatureMetric = (metric: string) => (DRIFT_STATISTICS as readonly string[]).includes(metric);

export function draftsOf(
  rules: readonly { id: string; metric: string; feature: string | null; op: RuleDraft["op"]; value: number; forWindows: number }[],
): RuleDraft[] {
  return rules.map((r) => ({ key: r.id, metric: r.metric, feature: r.feature ?? "", op: r.op, value: String(r.value), forWindows: String(r.forWindows) }));
}

const number = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));

/**
 * The rules as the API takes them. Nothing is checked here: a threshold that
 * is not a number goes as NaN (null in JSON) and the server names the field.
 */
export function ruleInputs(drafts: readonly RuleDraft[]) {
  return drafts.map((d) => ({
    // The select offers only ALERT_METRICS; the server checks it again.
    metric: d.metric as AlertMetric,
    feature: isFeatureMetric(d.metric) && d.feature !== "" ? d.feature : null,
    op: d.op,
    value: number(d.value),
    forWindows: number(d.forWindows),
  }));
}

/** Field path → message, with "rules[2].value" and "rules.2.value" alike; the first message per field. */
export function fieldErrors(fields: readonly { field: string; message: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fields) {
    const key = f.field.replace(/\[(\d+)\]/g, ".$1").replace(/^\./, "");
    if (!out.has(key)) out.set(key, f.message);
  }
  return out;
}
